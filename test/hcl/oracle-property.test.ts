// Property: for generated HCL documents, and for mutations of them, our parser and
// HashiCorp's (WebAssembly, @cdktn/hcl2json) accept the same inputs and agree on
// the structure.
import { parse as referenceParse } from '@cdktn/hcl2json';
import fc from 'fast-check';
import { parseHcl } from '../../src/hcl/index.js';
import { projectBody, withTemplatesMasked } from './projection.js';

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/).filter((s) => !['true', 'false', 'null', 'for', 'in', 'if'].includes(s));
const text = fc.stringMatching(/^[a-zA-Z0-9 ._:/-]{0,8}$/);

const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string; term: string }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: 0, max: 100000 }).map(String),
    fc.double({ min: 0, max: 1000, noNaN: true }).map((n) => n.toFixed(2)),
    fc.constantFrom('true', 'false', 'null'),
    text.map((s) => `"${s}"`),
    fc.tuple(text, tie('expr'), text).map(([a, e, b]) => `"${a}\${${e}}${b}"`),
    fc.tuple(text, text).map(([a, b]) => `"${a}$\${${b}}"`),
    fc.constantFrom('"tab\\there"', '"quote\\"q"', '"\\u00e9"'),
    fc.tuple(identifier, identifier).map(([a, b]) => `${a}.${b}`),
    fc.tuple(identifier, fc.nat(5)).map(([a, i]) => `${a}[${i}]`),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(identifier, tie('expr')), { maxLength: 3 }).map((items) => `{ ${items.map(([k, v]) => `${k} = ${v}`).join(', ')} }`),
    fc.tuple(fc.constantFrom('upper', 'lower', 'max', 'concat', 'format'), fc.array(tie('expr'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(identifier, tie('expr')).map(([v, e]) => `[for ${v} in ${e} : ${v}]`),
    tie('expr').map((e) => `(${e})`),
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('term'),
    tie('term'),
    fc.tuple(tie('term'), fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||'), tie('term')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(tie('term'), tie('term'), tie('term')).map(([c, a, b]) => `${c} ? ${a} : ${b}`),
    identifier.map((t) => `!${t}`),
    fc.integer({ min: 1, max: 9 }).map((n) => `-${n}`),
  ),
})).expr;

const body: fc.Arbitrary<string> = fc.letrec<{ body: string }>((tie) => ({
  body: fc
    .uniqueArray(
      fc.oneof(
        { depthSize: 'small' },
        fc.tuple(identifier, expression).map(([name, value]) => ({ key: `a:${name}`, text: `${name} = ${value}\n` })),
        fc
          .tuple(identifier, fc.array(fc.oneof(text.map((t) => `"${t}"`), identifier), { maxLength: 2 }), tie('body'))
          // One shape per block type: the reference cannot write a type both with and without labels as JSON.
          .map(([type, labels, inner]) => ({ key: `b:${type}`, text: `${[type, ...labels].join(' ')} {\n${inner}}\n` })),
      ),
      { maxLength: 4, selector: (item) => item.key },
    )
    .map((items) => items.map((i) => i.text).join('')),
})).body;

/**
 * The reference also folds constants and converts to JSON, failing on things that
 * are valid syntax (`!0`, a block type used with and without labels): not our concern.
 */
const conversionQuirk = /Unable to convert Block|Unsuitable value|Invalid operand|Invalid template interpolation value|Invalid index|Unsupported attribute|Invalid function argument|Error in function call|Operation failed|Call to unknown function|Inconsistent conditional result types|Incorrect condition type|Not enough function arguments|Too many function arguments|Unknown variable|Variables not allowed|Iteration over non-iterable value|Missing map element|Invalid value for/;

/** Fixed, so CI is repeatable; FC_SEED=random (or a number) explores further. */
const seed = process.env.FC_SEED === 'random' ? Date.now() : Number(process.env.FC_SEED ?? 20261121);

async function reference(source: string): Promise<{ ok: true; value: unknown } | { ok: false } | { quirk: string }> {
  try {
    return { ok: true, value: withTemplatesMasked(await referenceParse('generated.hcl', source)) };
  } catch (error) {
    const message = (error as Error).message;
    return conversionQuirk.test(message) ? { quirk: message } : { ok: false };
  }
}

function ours(source: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: withTemplatesMasked(projectBody(parseHcl(source), source)) };
  } catch {
    return { ok: false };
  }
}

describe('HCL parser against the reference, on generated documents', () => {
  it('gives the same structure for every generated document', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (source) => {
        const expected = await reference(source);
        fc.pre(!('quirk' in expected));
        expect(ours(source)).toEqual(expected);
      }),
      { numRuns: 300, seed },
    );
  });

  it('accepts and rejects the same mutated documents', async () => {
    const mutated = fc.tuple(body, fc.nat(), fc.constantFrom('', '{', '}', '"', '=', '\n', '${', ']', ',', '#', '.', '...', '?', '<<EOT\n')).map(([source, at, insert]) => {
      const i = at % (source.length + 1);
      return source.slice(0, i) + insert + source.slice(i + (insert === '' ? 1 : 0));
    });
    await fc.assert(
      fc.asyncProperty(mutated, async (source) => {
        const expected = await reference(source);
        fc.pre(!('quirk' in expected));
        const actual = ours(source);
        expect(actual.ok).toBe('ok' in expected && expected.ok);
        if (actual.ok && 'ok' in expected && expected.ok) expect(actual.value).toEqual(expected.value);
      }),
      { numRuns: 400, seed },
    );
  });
});
