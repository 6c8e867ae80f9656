// Property: any mutation of any fixture renders to either jobs (and no errors) or
// positioned errors (and no jobs), never an exception, whatever the format.
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { renderPath } from '../../src/render/tree.js';
import { treeOf } from '../helpers/render.js';

const root = join(process.cwd(), 'fixtures');

function jobFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jobFiles(path);
    return /\.(nomad|ya?ml)$/.test(name) ? [relative(root, path)] : [];
  });
}

const samples = jobFiles(root).map((path) => ({ path: path.split('/').pop()!, text: readFileSync(join(root, path), 'utf8') }));

/** Pieces that break files in interesting ways: brackets, quotes, template markers, YAML syntax. */
const noise = fc.constantFrom('{', '}', '[', ']', '"', "'", '${', '$${', '%{', '\n', ':', '- ', '&a ', '*a', '<<: ', '=', '#', '\\', '\t', '0', '-1', 'null', '\u0000', 'é', '<<EOT\n');

type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(40)).map(([at, length]): Mutation => (t) => {
    const start = at % (t.length + 1);
    return t.slice(0, start) + t.slice(start + length);
  }),
  fc.tuple(fc.nat(), fc.array(noise, { minLength: 1, maxLength: 4 })).map(([at, bits]): Mutation => (t) => {
    const start = at % (t.length + 1);
    return t.slice(0, start) + bits.join('') + t.slice(start);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (t) => {
    const lines = t.split('\n');
    const i = a % lines.length;
    const j = b % lines.length;
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  }),
  fc.nat().map((at): Mutation => (t) => {
    const lines = t.split('\n');
    const i = at % lines.length;
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  }),
  fc.nat().map((at): Mutation => (t) => t.slice(0, at % (t.length + 1))),
);

describe('rendering mutated job files', () => {
  it('always gives jobs or positioned errors, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 3 }), (sample, mutations) => {
        const text = mutations.reduce((t, m) => m(t), sample.text);
        const tree = treeOf({ [sample.path]: text });
        const result = renderPath(tree, sample.path, { env: {}, vars: {}, varFiles: [] }, true);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        for (const d of result.diagnostics) {
          expect(d.file).toBe(sample.path);
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.col).toBeGreaterThanOrEqual(1);
          expect(d.code).not.toBe('internal');
          expect(d.message.length).toBeGreaterThan(0);
        }
        if (errors.length > 0) expect(result.jobs).toEqual([]);
        else expect(result.jobs.every((j) => j.job.groups.length > 0)).toBe(true);
      }),
      { numRuns: 1500, seed: Number(process.env.FC_SEED ?? 20261121) },
    );
  });
});
