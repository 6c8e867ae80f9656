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
    ['regex_replace("v1.2.3", "[0-9]+", "N")', 'vN.N.N'],
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
    ['coalesce(null, "", "x")', ''],
    ['coalescelist([], ["a"])', ['a']],
    ['compact(["a", "", null, "b"])', ['a', 'b']],
    ['concat([1], [2, 3])', [1, 2, 3]],
    ['contains(["a", "b"], "b")', true],
    ['distinct([1, 2, 1])', [1, 2]],
    ['element(["a", "b"], 3)', 'b'],
    ['flatten([[1, [2]], 3])', [1, 2, 3]],
    ['index(["a", "b"], 1)', 'b'],
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
    ['urlencode("a b&c")', 'a+b%26c'],
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

// Where Nomad (cty) and Terraform differ, Nomad's way: job files are Nomad's.
describe("Nomad's semantics", () => {
  it.each<[string, Value]>([
    // replace() is a plain substring: Terraform's "/regex/" form would turn a path into a pattern.
    ['replace("/opt/app/bin", "/opt/", "/srv/")', '/srv/app/bin'],
    ['replace("abc", "", "-")', '-a-b-c-'],
    ['split("", "a🕹b")', ['a', '🕹', 'b']],
    ['sort(["b", "\uFF21", "\u{1F600}", "a"])', ['a', 'b', '\uFF21', '\u{1F600}']],
    // index() is the index operator, not a search.
    ['index({a = 1}, "a")', 1],
    // urlencode() is Go's url.QueryEscape.
    ["urlencode(\"it's (a) *test*!\")", 'it%27s+%28a%29+%2Atest%2A%21'],
    // Sets are ordered as cty orders them.
    ['toset([3, 1, 2, 1])', [1, 2, 3]],
    ['toset([true, false])', [false, true]],
    ['setunion(["b"], ["a", "b"])', ['a', 'b']],
    ['setintersection(["c", "a", "b"], ["b", "c"])', ['b', 'c']],
    // Lengths count what a reader sees as one character.
    ['length("e\u0301")', 1],
    ['substr("e\u0301x", 0, 1)', 'e\u0301'],
    ['strrev("e\u0301x")', 'xe\u0301'],
    // Go's strings.Title: a letter after a letter is not a word's start, whatever its script.
    ['title("héllo wörld-ok")', 'Héllo Wörld-Ok'],
    ['chomp("x\\r\\r\\n")', 'x'],
    // jsonencode() is Go's: keys in order, HTML characters escaped.
    ['jsonencode({b = "<&>", a = [1, 2.5, true, null]})', '{"a":[1,2.5,true,null],"b":"\\u003c\\u0026\\u003e"}'],
    ['regex_replace("-ab-axxb-", "a(x*)b", "$${1}W")', '-W-xxW-'],
    ['regex_replace("a-b", "(?P<first>[a-z])-(?P<second>[a-z])", "$second-$first $$")', 'b-a $'],
    ['regex("(a)|(b)", "b")', [null, 'b']],
    ['convert(["b", "a", "b"], set(string))', ['a', 'b']],
    ['convert({a = 1}, map(string))', { a: '1' }],
    ['parseint("-zz", 36)', -1295],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toEqual(expected);
  });
});

describe('RE2 patterns on JavaScript', () => {
  it.each<[string, Value]>([
    ['regex("(?i)^ab", "ABc")', 'AB'],
    ['regex("(?s)a.b", "a\\nb")', 'a\nb'],
    ['regex("[[:digit:]]+[[:alpha:]]", "x12y")', '12y'],
    ['regex("\\\\Aab\\\\z", "ab")', 'ab'],
    ['regex("\\\\Qa.b\\\\E", "xa.b")', 'a.b'],
    ['regex("[]a]+", "]a]")', ']a]'],
    ['regex("(a+)?b", "aab")', ['aa']],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['regex("\\\\pL", "a")', 'a Unicode class'],
    ['regex("a(?i)b", "ab")', 'a flag group'],
    ['regex("(?U)a+", "aa")', 'the flag "U"'],
    ['regex("[[:^alpha:]]", "1")', 'the class [:^alpha:]'],
    ['regex("(a)(?P<n>b)", "ab")', 'cannot mix named and unnamed'],
    ['regex("(a|aa)*c", "aaac")', 'a repeated group'],
  ])('%s is refused: %s', (text, message) => {
    expect(() => evaluate(text)).toThrow(message);
  });
});

describe('functions beyond the examples', () => {
  it.each<[string, Value]>([
    ['formatdate("YYYY-MM-DD\'T\'hh:mm:ssZ", "2024-02-29T23:59:59.5+05:30")', '2024-02-29T23:59:59+05:30'],
    ['formatdate("H AA, EEEE D MMMM YY", "2021-07-04T00:05:00Z")', '12 AM, Sunday 4 July 21'],
    ['timeadd("2024-02-28T23:30:00-08:00", "1h")', '2024-02-29T00:30:00-08:00'],
    ['timeadd("2024-01-01T00:00:00Z", "-1.5h")', '2023-12-31T22:30:00Z'],
    ['cidrhost("10.0.0.0/24", -1)', '10.0.0.255'],
    ['cidrnetmask("fd00::/56")', 'ffff:ffff:ffff:ff00::'],
    ['cidrsubnet("10.0.0.0/8", 8, 255)', '10.255.0.0/16'],
    ['cidrhost("::ffff:10.0.0.0/120", 5)', '::ffff:a00:5'],
    ['csvdecode("name,cmd\\n\\"a, b\\",\\"say \\"\\"hi\\"\\"\\"\\r\\n\\n")', [{ name: 'a, b', cmd: 'say "hi"' }]],
    ['yamldecode("a: yes\\nb: 0x10\\nc: ~\\nd:\\n  <<: {e: 1}")', { a: true, b: 16, c: null, d: { e: 1 } }],
    ['yamlencode({b = "two\\nlines", a = [], c = {}, d = null, e = 1.5})', '"a": []\n"b": |-\n  two\n  lines\n"c": {}\n"d": null\n"e": 1.5\n'],
    // format's %v of a number is Go's big.Float %g: the shortest digits, %e from an exponent of 6.
    ['format("%v|%v|%g|%.3g|%e|%G", 1234567, 100000, 0.00001, 3.14159, 123.456, 1e-7)', '1.234567e+06|100000|1e-05|3.14|1.234560e+02|1E-07'],
    ['format("%#v %v %v %v", "s", true, [1, "a"], null)', '"s" true [1,"a"] null'],
    ['format("%[2]s %[1]s %s|%05d|%+d|% d|%-4s|%.2s|%x", "a", "b", -42, 5, 5, "ab", "héllo", 255)', 'b a b|-0042|+5| 5|ab  |hé|ff'],
    ['basename("/")', '/'],
    ['dirname("a")', '.'],
    ['log(8, 2)', 3],
    ['try(var.missing, var.name)', 'web'],
    ['try(1 / 0, "fallback")', 'fallback'],
    ['can(regex("^v", "1.0"))', false],
    ['can(var.tags[5])', false],
    ['can(local.anything.missing)', false],
    ['try(NOMAD_PORT_http, 8080)', '${try(NOMAD_PORT_http, 8080)}'],
    ['uuidv5("url", "https://example.com/")', 'dd2c1780-811a-5296-81c5-178a0ef488bc'], // Python's uuid.uuid5(NAMESPACE_URL, ...),
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['try(nope, "fallback")', 'unknown variable "nope"'],
    ['coalescelist([], [])', 'found no list that is not empty'],
    ['coalesce(null)', 'found no argument that is not null'],
    ['try(nosuch(1), "x")', 'unknown function "nosuch"'],
    ['try(1 / 0)', 'try() found no argument without an error; the last: division by zero'],
    ['file("x")', 'unknown function "file"'],
    ['timestamp()', 'unknown function "timestamp"'],
    ['parseint("12", 2)', 'cannot parse "12" as a base 2 integer'],
    ['base64decode("/w==")', 'not UTF-8'],
    ['base64decode("abc")', 'not base64'],
    ['formatdate("YYY", "2020-01-01T00:00:00Z")', 'does not know the field "YYY"'],
    ['formatdate("D", "2021-02-29T00:00:00Z")', 'the day is not in that month'],
    ['cidrsubnet("10.0.0.0/30", 4, 0)', 'not enough address space'],
    ['cidrsubnets("10.0.0.0/30", 1, 1, 1)', 'not enough address space left'],
    ['yamldecode("a: !custom x")', 'yamldecode()'],
    ['yamldecode("1: x")', 'only strings are allowed as mapping keys'],
    ['csvdecode("a,b\\n1")', 'record 2 has 1 fields'],
    ['setproduct(range(40), range(40))', 'more than 1024 combinations'],
    ['convert(1, nosuch)', 'unknown type "nosuch"'],
    ['format("%d", 1.5)', 'needs a whole number'],
    ['format("%s", [1])', 'cannot use a list'],
    ['format("%s %s", 1)', 'has no argument 2'],
    ['format("%z", 1)', 'does not know the verb "%z"'],
    ['format("%d", null)', 'cannot format null'],
  ])('%s fails: %s', (text, message) => {
    expect(() => evaluate(text)).toThrow(EvalError);
    expect(() => evaluate(text)).toThrow(message);
  });

  it("says why a function is left out", () => {
    expect(() => evaluate('uuidv4()')).toThrow(expect.objectContaining({ hint: expect.stringContaining('every sync would replace every allocation') }));
    expect(() => evaluate('file(nope)')).toThrow(expect.objectContaining({ hint: expect.stringContaining('without reading other files') }));
  });

  it('points at the call that failed', () => {
    const text = '[1, upper(["x"])]';
    try {
      evaluate(text);
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(EvalError);
      expect(text.slice((error as EvalError).span.start, (error as EvalError).span.end)).toBe('upper(["x"])');
    }
  });
});
