// The fast YAML path (src/render/yaml/fast) must read every file it takes on
// exactly as the yaml library does — the same values, key order included, the same
// positions for every path — and must leave every file with an error to the library.
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { YamlDocument, YamlPath } from '../../../src/render/yaml/document.js';
import { loadWithLibrary, loadYaml } from '../../../src/render/yaml/document.js';
import { readFastYaml } from '../../../src/render/yaml/fast/read.js';
import { generateYaml, seededRandom } from './generate-yaml.js';

const limit = 1_000_000;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const samples = [...yamlFiles(join(process.cwd(), 'fixtures')), ...yamlFiles(join(process.cwd(), 'test'))].map((path) => readFileSync(path, 'utf8'));

/**
 * The first difference between two values, or null: the same prototypes, maps'
 * keys in the same order (groups follow it), numbers equal as Object.is (-0, NaN).
 * Jest's equality reads an own `constructor` key as the object's constructor.
 */
function difference(a: unknown, b: unknown, at = '$'): string | null {
  if (Object.is(a, b)) return null;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return `${at}: ${String(a)} != ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: another prototype`;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.join('\u0000') !== keysB.join('\u0000')) return `${at}: keys ${JSON.stringify(keysA)} != ${JSON.stringify(keysB)}`;
  for (const key of keysA) {
    const found = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (found) return found;
  }
  return null;
}

/** Every path of a value, with paths that are not there: locate falls back to the nearest parent. */
function pathsOf(value: unknown, path: YamlPath = [], out: YamlPath[] = []): YamlPath[] {
  out.push(path, [...path, 'missing'], [...path, 99]);
  if (out.length > 3000) return out;
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  return out;
}

/** The first path whose key or value the two documents place differently, or null. */
function misplaced(fast: YamlDocument, library: YamlDocument): string | null {
  for (const path of pathsOf(library.value)) {
    for (const part of ['key', 'value'] as const) {
      const a = fast.locate(path, part);
      const b = library.locate(path, part);
      if (a.line !== b.line || a.col !== b.col) return `${JSON.stringify(path)} ${part}: ${a.line}:${a.col} != ${b.line}:${b.col}`;
    }
  }
  return null;
}

/** The fast path either declines (null) or reads exactly what the library reads. */
function expectAgreement(text: string): 'fast' | 'library' {
  const fast = readFastYaml(text, limit);
  const library = loadWithLibrary({ path: 'f.yaml', text });
  if (fast === null) return 'library';
  if (library.diagnostics.length > 0) expect({ text, accepted: 'by the fast path', diagnostics: library.diagnostics }).toBeNull();
  const loaded = loadYaml({ path: 'f.yaml', text });
  if (loaded.documents.length !== library.documents.length) expect({ text, documents: loaded.documents.length }).toEqual({ text, documents: library.documents.length });
  loaded.documents.forEach((doc, i) => {
    const problem = difference(doc.value, library.documents[i]!.value) ?? misplaced(doc, library.documents[i]!);
    if (problem) expect({ text, document: i, problem }).toBeNull();
  });
  return 'fast';
}

const noise = fc.constantFrom(' ', '  ', '\n', '\n  ', ':', ': ', '- ', '-', '#', ' #', '"', "'", '&a ', '*a', '<<: *a\n', '[', ']', '{', '}', ',', '\\', '|', '>', '!', '? ', '%', '@', '`', '~', '0x1F', '0o17', '1e3', '-0', '.inf', '---\n', '...\n', '"a\\tb"', "'it''s'", '\t', '\r\n', '__proto__', '&b\n', '- - a', '[a, b]', '{a: 1}', '"\\u00e9"', 'a:b', '1: x', '"<<": 1', 'x: &a {b: 1}\ny:\n  <<: *a\n');

describe('the fast YAML path', () => {
  test('reads the fixtures exactly as the library does', () => {
    expect(samples.length).toBeGreaterThan(10);
    for (const text of samples) expectAgreement(text);
  });

  test('takes on the files deckhand is usually given', () => {
    const compose = 'name: shop\nx-common: &common\n  restart: always\n  deploy:\n    replicas: 2\nservices:\n  web:\n    <<: *common\n    image: "registry.local/web:${TAG:-v1}"\n    command: ["httpd", "-f"]\n    environment:\n      - MODE=production\n    ports:\n      - "8080:80" # public\n';
    const kubernetes = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          args: ["--port", "8080"]\n          resources: {limits: {cpu: 500m}}\n---\napiVersion: v1\nkind: Service\n';
    expect(expectAgreement(compose)).toBe('fast');
    expect(expectAgreement(kubernetes)).toBe('fast');
  });

  test('finds keys and duplicates in large maps too', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key${i}: ${i}`);
    const large = `big:\n${keys.map((k) => `  ${k}`).join('\n')}\nflow: {${keys.join(', ')}}\nmerged:\n  <<: {a: 1}\n  key3: x\n`;
    expect(expectAgreement(large)).toBe('fast');
    expect(readFastYaml(`${large}  key3: again\n`, limit)).toBeNull();
    expect(readFastYaml(`big:\n${[...keys, 'key35: again'].map((k) => `  ${k}`).join('\n')}\n`, limit)).toBeNull();
  });

  test('leaves what it does not take on to the library', () => {
    for (const text of ['a: |\n  text\n', 'a: !!str 1\n', 'a: b\n  c\n', 'a:\tb\n', 'a: 1\r\n', '? a\n: b\n', 'a: 1\na: 2\n', 'x: &a [*a]\n', '%YAML 1.2\n---\na: 1\n', 'a: "b\n  c"\n', 'null: 1\n']) {
      expect([text, readFastYaml(text, limit)]).toEqual([text, null]);
      expectAgreement(text);
    }
  });

  test('agrees with the library on generated files of every style', () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const text = generateYaml(seededRandom(seed));
        if (expectAgreement(text) === 'fast') fast++;
      }),
      { numRuns: 700 },
    );
    // Most generated files are within the subset: the property must not pass by declining them all.
    expect(fast).toBeGreaterThan(300);
  });

  test('never accepts a broken file, and agrees on every mutation it accepts', () => {
    const mutated = fc.tuple(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(3), noise), { minLength: 1, maxLength: 3 })).map(([index, edits]) =>
      edits.reduce((text, [at, cut, insert]) => {
        const start = at % (text.length + 1);
        return text.slice(0, start) + insert + text.slice(start + cut);
      }, samples[index]!),
    );
    fc.assert(fc.property(mutated, (text) => void expectAgreement(text)), { numRuns: 700 });
  });

  test('leaves a document that aliases expand too far to the library, which reports it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    // Aliases inside anchors are outside the fast subset anyway; a flat expansion is counted here.
    const flat = `big: &big [${Array(200).fill('1').join(', ')}]\nuses:\n${Array(999).fill('  - *big').join('\n')}\n`;
    expect(readFastYaml(levels.join('\n'), limit)).toBeNull();
    expect(readFastYaml(flat, 100_000)).toBeNull();
    expect(readFastYaml(flat, limit)).not.toBeNull();
  });
});
