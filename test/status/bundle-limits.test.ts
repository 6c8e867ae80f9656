// What one job bundle may hold, checked before its files are decoded; and the
// member count that refuses a body of countless tiny members before it is parsed.
import { bundleLimits, bundleProblem, exceedsJsonMembers } from '../../src/api/job-bundle.js';

const bundle = (files: Record<string, string>, extra: object = {}) => ({ path: 'web.nomad', rootName: 'jobs', files, ...extra });
const encode = (text: string) => new TextEncoder().encode(text);

describe('bundle limits', () => {
  it('take a job file with its companions, up to the limits', () => {
    const files = Object.fromEntries(Array.from({ length: bundleLimits.maxFiles }, (_, i) => [`f${i}.env`, 'A=1\n']));
    expect(bundleProblem(bundle(files))).toBeNull();
    expect(bundleProblem(bundle({ 'web.nomad': 'x'.repeat(1024 * 1024) }, { env: { A: '1' }, variables: { b: '2' } }))).toBeNull();
  });

  it('count var files with files, and variables with environment values', () => {
    const files = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, '']));
    const varFiles = Array.from({ length: 51 }, (_, i) => ({ path: `v${i}.hcl`, text: '' }));
    expect(bundleProblem(bundle(files, { varFiles }))).toMatchObject({ code: 'bundle-too-many-files', message: expect.stringMatching(/^the bundle holds 201 files; a bundle may hold at most 200/) });
    const env = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`E${i}`, '']));
    const variables = Object.fromEntries(Array.from({ length: 401 }, (_, i) => [`v${i}`, '']));
    expect(bundleProblem(bundle({ 'web.nomad': '' }, { env, variables }))).toEqual({ code: 'bundle-too-many-values', message: 'the bundle holds 1001 variables and environment values; a bundle may hold at most 1000' });
  });

  it('count bytes as UTF-8, var files included', () => {
    const half = 'é'.repeat(1024 * 1024);
    expect(bundleProblem(bundle({ 'web.nomad': half }, { varFiles: [{ path: 'v.hcl', text: half }] }))).toEqual({
      code: 'bundle-too-large',
      message: "the bundle's files hold 4,097 KiB; a bundle may hold at most 4,096 KiB (a job file is at most 1 MiB)",
    });
  });

  it('count JSON members outside strings, without parsing', () => {
    expect(exceedsJsonMembers(encode('{"a": 1, "b": {"c": 2}}'), 3)).toBe(false);
    expect(exceedsJsonMembers(encode('{"a": 1, "b": {"c": 2, "d": 3}}'), 3)).toBe(true);
    // Colons, quotes and backslashes inside strings are text.
    expect(exceedsJsonMembers(encode(JSON.stringify({ 'a:b': 'x: "y": \\: z' })), 1)).toBe(false);
    const tiny = JSON.stringify({ files: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, ''])) });
    expect(exceedsJsonMembers(encode(tiny))).toBe(true);
  });
});
