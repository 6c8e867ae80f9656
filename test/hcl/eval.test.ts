import { EvalError, Evaluator, LazyRoot, parseHclExpression } from '../../src/hcl/index.js';
import type { Value } from '../../src/hcl/index.js';

const roots = new Map<string, Value | LazyRoot>([
  ['var', { name: 'web', count: 3, tags: ['a', 'b'], env: { A: '1', B: '2' }, items: [{ n: 1 }, { n: 2 }] }],
  ['local', new LazyRoot((name) => `local-${name}`)],
]);

/** Deferred as Nomad defers its placement-time names (src/render/nomad/evaluator.ts). */
const isDeferred = (name: string): boolean => name.startsWith('NOMAD_') || name === 'attr' || name === 'node';

function evaluate(text: string): Value {
  return new Evaluator(text, roots, { isDeferred }).evaluateConcrete(parseHclExpression(text));
}

describe('HCL expressions', () => {
  it.each<[string, Value]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 / 4', 2.5],
    ['10 % 4', 2],
    ['-var.count', -3],
    ['var.count > 2 && !false', true],
    ['var.count == 3 ? "three" : "other"', 'three'],
    ['"${var.name}-${var.count}"', 'web-3'],
    ['"$${literal} %%{literal}"', '${literal} %{literal}'],
    ['var.tags[1]', 'b'],
    ['var.env["B"]', '2'],
    ['var.items[*].n', [1, 2]],
    ['var.items.*.n', [1, 2]],
    ['[for t in var.tags : upper(t)]', ['A', 'B']],
    ['[for i, t in var.tags : "${i}=${t}" if t != "a"]', ['1=b']],
    ['{for k, v in var.env : v => k}', { '1': 'A', '2': 'B' }],
    ['{for t in ["x", "y", "x"] : t => t...}', { x: ['x', 'x'], y: ['y'] }],
    ['local.anything', 'local-anything'],
    ['"%{ if var.count > 1 }many%{ else }one%{ endif }"', 'many'],
    ['"%{ for t in var.tags }${t};%{ endfor }"', 'a;b;'],
    ['"a ${~ "b" ~} c"', 'abc'],
    ['"3" + 1', 4],
    ['"${NOMAD_PORT_http}"', '${NOMAD_PORT_http}'],
    ['NOMAD_ALLOC_INDEX + 1', '${NOMAD_ALLOC_INDEX + 1}'],
    ['"x-${attr.kernel.name}-y"', 'x-${attr.kernel.name}-y'],
    ['["${node.unique.name}", 1]', ['${node.unique.name}', 1]],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['var.missing', 'there is no attribute "missing"'],
    ['nope', 'unknown variable "nope"'],
    ['1 / 0', 'division by zero'],
    ['var.tags[5]', 'index 5 is out of range: the list has 2 elements'],
    ['"a" + 1', 'expected a number, got a string "a"'],
    ['"${var.tags}"', 'cannot use a list where a string is expected'],
    ['"${null}"', 'a null value cannot be turned into a string'],
    ['nosuch(1)', 'unknown function "nosuch"'],
    ['upper("a", "b")', 'upper() takes 1 argument, got 2'],
    ['file("x")', 'unknown function "file"'],
  ])('%s fails: %s', (text, message) => {
    expect(() => evaluate(text)).toThrow(EvalError);
    expect(() => evaluate(text)).toThrow(message);
  });
});

describe('HCL functions', () => {
  it.each<[string, Value]>([
    ['upper("abc")', 'ABC'],
    ['lower("ABC")', 'abc'],
    ['title("hello world")', 'Hello World'],
    ['format("%s-%03d-%.2f-%q-%t-%x", "a", 7, 1.5, "q", true, 255)', 'a-007-1.50-"q"-true-ff'],
    ['format("%-4s|%4s|%%", "ab", "cd")', 'ab  |  cd|%'],
    ['formatlist("%s=%s", ["a", "b"], ["1", "2"])', ['a=1', 'b=2']],
    ['join(",", ["a", "b"], ["c"])', 'a,b,c'],
    ['split(",", "a,b,c")', ['a', 'b', 'c']],
    ['replace("a-b-c", "-", "_")', 'a_b_c'],
    ['replace("v1.2.3", "/[0-9]+/", "N")', 'vN.N.N'],
    ['trimspace("  x \\n")', 'x'],
    ['trim("--x--", "-")', 'x'],
    ['trimprefix("prefix-x", "prefix-")', 'x'],
    ['trimsuffix("x.nomad", ".nomad")', 'x'],
    ['substr("hello", 1, 3)', 'ell'],
    ['chomp("x\\n\\n")', 'x'],
    ['indent(2, "a\\nb")', 'a\n  b'],
    ['strrev("abc")', 'cba'],
    ['startswith("abc", "ab")', true],
    ['endswith("abc", "bc")', true],
    ['strcontains("abc", "b")', true],
    ['coalesce("", null, "x")', 'x'],
    ['coalescelist([], ["a"])', ['a']],
    ['compact(["a", "", null, "b"])', ['a', 'b']],
    ['concat([1], [2, 3])', [1, 2, 3]],
    ['contains(["a", "b"], "b")', true],
    ['distinct([1, 2, 1])', [1, 2]],
    ['element(["a", "b"], 3)', 'b'],
    ['flatten([[1, [2]], 3])', [1, 2, 3]],
    ['index(["a", "b"], "b")', 1],
    ['keys({b = 1, a = 2})', ['a', 'b']],
    ['values({b = 1, a = 2})', [2, 1]],
    ['length("héllo")', 5],
    ['length([1, 2])', 2],
    ['length({a = 1})', 1],
    ['lookup({a = 1}, "a")', 1],
    ['lookup({a = 1}, "b", "default")', 'default'],
    ['merge({a = 1}, {b = 2}, {a = 3})', { a: 3, b: 2 }],
    ['one(["x"])', 'x'],
    ['range(3)', [0, 1, 2]],
    ['range(1, 7, 2)', [1, 3, 5]],
    ['reverse([1, 2])', [2, 1]],
    ['slice(["a", "b", "c"], 1, 3)', ['b', 'c']],
    ['sort(["b", "a"])', ['a', 'b']],
    ['sum([1, 2, 3])', 6],
    ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
    ['alltrue([true, true])', true],
    ['anytrue([false, true])', true],
    ['chunklist([1, 2, 3], 2)', [[1, 2], [3]]],
    ['setunion(["a"], ["a", "b"])', ['a', 'b']],
    ['min(3, 1, 2)', 1],
    ['max(3, 1, 2)', 3],
    ['abs(-2)', 2],
    ['ceil(1.2)', 2],
    ['floor(1.8)', 1],
    ['pow(2, 10)', 1024],
    ['signum(-5)', -1],
    ['parseint("ff", 16)', 255],
    ['jsonencode({a = [1, "b"]})', '{"a":[1,"b"]}'],
    ['jsondecode("{\\"a\\": 1}")', { a: 1 }],
    ['base64decode(base64encode("hi"))', 'hi'],
    ['urlencode("a b&c")', 'a%20b%26c'],
    ['tostring(3)', '3'],
    ['tonumber("3.5")', 3.5],
    ['tobool("true")', true],
    ['tolist(["a"])', ['a']],
    ['toset(["a", "a"])', ['a']],
    ['tomap({a = "b"})', { a: 'b' }],
    ['regex("v([0-9]+)", "v12")', ['12']],
    ['max([1, 5, 2]...)', 5],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toEqual(expected);
  });
});
