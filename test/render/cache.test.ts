// The render cache reuses a file's render only while nothing the render depends on
// changed: the file's bytes, the files it read, the root name and the options.
import { RenderCache } from '../../src/render/cache.js';
import { renderTree } from '../../src/render/tree.js';
import { treeOf } from '../helpers/render.js';

const compose = 'services:\n  web:\n    image: "nginx:${TAG}"\n    env_file: web.env\n';
const nomad = 'job "api" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config {\n        image = "api:1"\n      }\n    }\n  }\n}\n';
const files = { 'shop/compose.yaml': compose, 'shop/.env': 'TAG=1.0\n', 'shop/web.env': 'A=1\n', 'api.nomad': nomad, 'README.md': 'not a job' };
const options = { env: {}, vars: {}, varFiles: [] };

describe('RenderCache', () => {
  test('a second render of the same files reuses every result, and gives what rendering anew gives', () => {
    const cache = new RenderCache();
    const first = renderTree(treeOf(files), options, cache);
    const again = renderTree(treeOf(files), options, cache);
    expect(cache).toMatchObject({ misses: 2, hits: 2 });
    expect(again).toEqual(renderTree(treeOf(files), options));
    expect(again.jobs[0]!.job).toBe(first.jobs[0]!.job);
  });

  test('a changed file, a changed file it read, another root or other options render anew', () => {
    const cache = new RenderCache();
    renderTree(treeOf(files), options, cache);
    const changes: Array<[string, Parameters<typeof renderTree>]> = [
      ['the file', [treeOf({ ...files, 'api.nomad': nomad.replace('api:1', 'api:2') }), options, cache]],
      ['its .env', [treeOf({ ...files, 'shop/.env': 'TAG=2.0\n' }), options, cache]],
      ['its env_file', [treeOf({ ...files, 'shop/web.env': 'A=2\n' }), options, cache]],
      ['the root', [treeOf(files, 'other'), options, cache]],
      ['the options', [treeOf(files), { ...options, env: { TAG: '3.0' } }, cache]],
    ];
    for (const [what, args] of changes) {
      const misses = cache.misses;
      const result = renderTree(...args);
      expect([what, result]).toEqual([what, renderTree(args[0], args[1])]);
      expect([what, cache.misses > misses]).toEqual([what, true]);
    }
  });

  test('a file it looked for and did not find counts too', () => {
    const cache = new RenderCache();
    const { 'shop/.env': _dotenv, ...withoutDotenv } = files;
    renderTree(treeOf(withoutDotenv), options, cache);
    const misses = cache.misses;
    expect(renderTree(treeOf(files), options, cache)).toEqual(renderTree(treeOf(files), options));
    expect(cache.misses).toBe(misses + 1);
  });

  test('remembers at most its limit of files, the least recently used going first', () => {
    const cache = new RenderCache(1);
    renderTree(treeOf(files), options, cache);
    expect(cache.size).toBe(1);
    renderTree(treeOf(files), options, cache);
    expect(cache.hits).toBe(0);
  });
});
