// Every example of HashiCorp's function documentation (test/hcl/fixtures/functions.json),
// evaluated by deckhand's HCL evaluator: the documented result, the documented
// failure, or, for a function deckhand omits on purpose, a refusal that says why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvalError, Evaluator, LazyRoot, functionNames, parseHclExpression } from '../../src/hcl/index.js';
import type { RootValue, Value, ValueObject } from '../../src/hcl/index.js';

interface Example {
  expr: string;
  result?: Value;
  /** What Nomad's code returns where its page is wrong. */
  nomadResult?: Value;
  error?: true;
  documented?: string;
  given?: Record<string, ValueObject>;
  compare?: 'set';
  note?: string;
}

interface FunctionFixture {
  doc: string;
  examples: Example[];
  omitted?: string;
}

const fixtures = (JSON.parse(readFileSync(join(process.cwd(), 'test/hcl/fixtures/functions.json'), 'utf8')) as { functions: Record<string, FunctionFixture> }).functions;

/** The page's console values; a name it never declared is a reference error, as in HashiCorp's tools. */
function roots(given: Example['given']): Map<string, RootValue> {
  return new Map(
    Object.entries(given ?? {}).map(([root, values]) => [
      root,
      new LazyRoot((name, span) => {
        if (Object.prototype.hasOwnProperty.call(values, name)) return values[name]!;
        throw new EvalError(`there is no ${root} "${name}"`, span);
      }),
    ]),
  );
}

function evaluate(example: Example): Value {
  return new Evaluator(example.expr, roots(example.given)).evaluateConcrete(parseHclExpression(example.expr));
}

/** A set's elements in a fixed order, to compare sets whose order the page leaves open. */
function sorted(value: Value): Value {
  return Array.isArray(value) ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : value;
}

const implemented = Object.entries(fixtures).filter(([, f]) => !f.omitted);
const omitted = Object.entries(fixtures).filter(([, f]) => f.omitted);

describe.each(implemented)('%s', (name, fixture) => {
  test.each(fixture.examples.filter((e) => !e.error))(`$expr (${fixture.doc})`, (example) => {
    const value = evaluate(example);
    const expected = example.nomadResult !== undefined ? example.nomadResult : example.result!;
    if (example.compare === 'set') expect(sorted(value)).toEqual(sorted(expected));
    else expect(value).toEqual(expected);
  });
  const failures = fixture.examples.filter((e) => e.error);
  if (failures.length) {
    test.each(failures)('$expr fails as documented: $documented', (example) => {
      expect(() => evaluate(example)).toThrow(EvalError);
    });
  }
  test('is a function deckhand knows', () => expect(functionNames.has(name)).toBe(true));
});

describe.each(omitted)('%s (omitted on purpose)', (name, fixture) => {
  test.each(fixture.examples)(`$expr is refused: ${fixture.omitted}`, (example) => {
    expect(functionNames.has(name)).toBe(false);
    expect(() => evaluate(example)).toThrow(`unknown function "${name}"`);
  });
});

test("every function deckhand knows has HashiCorp's examples", () => {
  expect([...functionNames].filter((name) => !fixtures[name])).toEqual([]);
});
