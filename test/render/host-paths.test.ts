// Bind mounts against the agent's allow-list (allow-host-path), as render checks them.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPathPolicy } from '../../src/agent/host-paths.js';
import type { HostPathPolicy } from '../../src/render/index.js';
import { RenderCache, renderTree } from '../../src/render/index.js';
import { render, treeOf } from '../helpers/render.js';

const compose = (...volumes: string[]) => ['services:', '  web:', '    image: nginx', '    volumes:', ...volumes.map((v) => `      - ${v}`)].join('\n') + '\n';
const renderWith = (text: string, hostPaths?: HostPathPolicy) =>
  render(text, { format: 'compose', path: 'compose.yaml', options: hostPaths ? { limits: { maxCount: 1000, maxGroups: 200, maxTasks: 50, hostPaths } } : {} });

describe('host paths', () => {
  test('without an allow-list every bind mount is refused at its line, naming the setting', () => {
    const result = renderWith(compose('/srv/data:/data'));
    expect(result.jobs).toEqual([]);
    expect(result.lines).toEqual([
      'compose.yaml:5:9: services.web.volumes[0]: host path /srv/data is not under a directory the agent allows (allow-host-path: none) (use a named volume for data, or start the agent with --allow-host-path DIR to let jobs mount what is under DIR)',
    ]);
  });

  test('/ and the Docker socket are refused even under a broad allow-list; .. is resolved first', () => {
    const result = renderWith(compose('/var/run/docker.sock:/var/run/docker.sock', '/srv/../:/host', '/srv/data/../../etc:/etc2'), { allowed: ['/var', '/srv'] });
    expect(result.jobs).toEqual([]);
    expect(result.lines).toEqual([
      expect.stringContaining('compose.yaml:5:9: services.web.volumes[0]: mounting the Docker socket (/var/run/docker.sock) is refused'),
      expect.stringContaining('compose.yaml:6:9: services.web.volumes[1]: mounting the host\'s root directory (/) is refused'),
      expect.stringContaining('compose.yaml:7:9: services.web.volumes[2]: host path /etc is not under a directory the agent allows (allow-host-path: /var, /srv)'),
    ]);
  });

  test('a path under an allowed directory is mounted; the socket only when it is named itself', () => {
    const result = renderWith(compose('/srv/data/site:/site:ro', '/var/run/docker.sock:/var/run/docker.sock:ro'), { allowed: ['/srv/data', '/var/run/docker.sock'] });
    expect(result.lines).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.mounts).toEqual([
      { type: 'bind', source: '/srv/data/site', target: '/site', readOnly: true },
      { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: true },
    ]);
  });

  test('on the agent\'s host, links are followed: a link under an allowed directory leading out is refused, a missing path is named', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'deckhand-host-paths-')));
    mkdirSync(join(root, 'allowed', 'site'), { recursive: true });
    mkdirSync(join(root, 'private'));
    writeFileSync(join(root, 'private', 'key'), 'secret');
    symlinkSync(join(root, 'private'), join(root, 'allowed', 'escape'));
    symlinkSync('/', join(root, 'allowed', 'root'));
    const policy = hostPathPolicy([join(root, 'allowed')]);
    const result = renderWith(compose(`${root}/allowed/escape:/x`, `${root}/allowed/root:/y`, `${root}/allowed/missing:/z`, `${root}/allowed/site:/site`), policy);
    expect(result.lines).toEqual([
      `compose.yaml:5:9: services.web.volumes[0]: host path ${root}/allowed/escape (a link to ${root}/private) is not under a directory the agent allows (allow-host-path: ${root}/allowed) (mount a path under ${root}/allowed, or use a named volume)`,
      expect.stringContaining(`compose.yaml:6:9: services.web.volumes[1]: mounting the host's root directory (/) is refused: ${root}/allowed/root (a link to /)`),
      `compose.yaml:7:9: services.web.volumes[2]: host path ${root}/allowed/missing does not exist on the agent's host (create it first: deckhand does not make host directories)`,
    ]);
    expect(renderWith(compose(`${root}/allowed/site:/site`), policy).jobs).toHaveLength(1);
    expect(() => hostPathPolicy([join(root, 'nowhere')])).toThrow(`allow-host-path ${root}/nowhere: no such file or directory`);
    expect(() => hostPathPolicy([join(root, 'allowed', 'root')])).toThrow('it leads to "/"');
    rmSync(root, { recursive: true });
  });

  test('a render that looked at the host is not cached: the next sync judges the paths again', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'deckhand-host-cache-')));
    const tree = treeOf({ 'compose.yaml': compose(`${root}/data:/data`), 'other/compose.yaml': 'services:\n  web: {image: nginx}\n' });
    const options = { env: {}, vars: {}, varFiles: [], limits: { maxCount: 1000, maxGroups: 200, maxTasks: 50, hostPaths: hostPathPolicy([root]) } };
    const cache = new RenderCache();
    expect(renderTree(tree, options, cache).diagnostics.map((d) => d.message)).toEqual([`host path ${root}/data does not exist on the agent's host`]);
    mkdirSync(join(root, 'data'));
    const again = renderTree(tree, options, cache);
    expect(again.diagnostics).toEqual([]);
    expect(again.jobs.map((j) => j.job.id).sort()).toEqual(['other', 'repo']);
    // The file without host paths came from the cache the second time.
    expect(cache.hits).toBe(1);
    rmSync(root, { recursive: true });
  });
});
