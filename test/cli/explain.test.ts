// `deckhand validate --explain` (and -o json) on a small repository of the three
// formats: per file, what is carried out, accepted without effect (with the decision
// table's reason) and refused (why, and what to do instead). Spawns bin/deckhand.js,
// which runs dist/: build first.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const files: Record<string, string> = {
  'web.nomad': `job "web" {
  datacenters = ["dc1"]
  group "web" {
    count = 2
    ephemeral_disk {
      size   = 300
      sticky = true
    }
    task "server" {
      driver = "docker"
      config {
        image = "nginx:1.27"
      }
    }
  }
}
`,
  'compose.yaml': `name: shop
services:
  api:
    image: shop/api:1
    expose: ["8080"]
    container_name: api
`,
  'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: { app: worker }
  template:
    metadata:
      labels: { app: worker }
    spec:
      serviceAccountName: worker
      containers:
        - name: worker
          image: shop/worker:1
`,
};

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-explain-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function deckhand(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [join(process.cwd(), 'bin/deckhand.js'), ...args], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('deckhand validate --explain', () => {
  it('lists per file the settings carried out, accepted without effect with why, and refused with why and what to do', async () => {
    const run = await deckhand(['validate', '--explain', '.'], repository());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        'compose.yaml:6:5: services.api.container_name: container_name is not supported: deckhand names each container itself (several per service while it rolls out) (remove it; other services reach this one by its service name or a network alias)',
        'web.nomad:7:7: ephemeral_disk.sticky: sticky is not supported: deckhand removes an allocation\'s directory with it: nothing in /alloc/data is kept for, or moved to, the allocation that replaces it (keep the data in a host volume (group volume { type = "host" } and the task\'s volume_mount), or set it to false)',
        '',
        'app.yaml: 4 carried out, 2 accepted without effect, 0 refused',
        '  accepted without effect:',
        '    6:3 spec.selector: deckhand knows a Deployment\'s containers by the Deployment itself',
        '    12:7 spec.template.spec.serviceAccountName: deckhand has no API server for the pod to call',
        '  carried out:',
        '    8:3 spec.template',
        '    13:7 spec.template.spec.containers',
        '    14:11 spec.template.spec.containers[0].name',
        '    15:11 spec.template.spec.containers[0].image',
        '',
        'compose.yaml: 2 carried out, 1 accepted without effect, 1 refused',
        '  refused:',
        '    6:5 services.api.container_name: container_name is not supported: deckhand names each container itself (several per service while it rolls out) (remove it; other services reach this one by its service name or a network alias)',
        '  accepted without effect:',
        '    5:5 services.api.expose: it only documents ports: containers of a network reach each other on any port',
        '  carried out:',
        '    1:1 name',
        '    4:5 services.api.image',
        '',
        'web.nomad: 7 carried out, 2 accepted without effect, 1 refused',
        '  refused:',
        '    7:7 ephemeral_disk.sticky: sticky is not supported: deckhand removes an allocation\'s directory with it: nothing in /alloc/data is kept for, or moved to, the allocation that replaces it (keep the data in a host volume (group volume { type = "host" } and the task\'s volume_mount), or set it to false)',
        '  accepted without effect:',
        '    2:3 datacenters: it chooses among Nomad clients; deckhand runs on one engine (or one swarm), the only datacenter and node pool, whatever their names',
        '    6:7 ephemeral_disk.size: Nomad uses it to place allocations and does not enforce it; deckhand has one engine',
        '  carried out:',
        '    1:1 job',
        '    3:3 group',
        '    4:5 count',
        '    9:5 task',
        '    10:7 driver',
        '    11:7 config',
        '    12:9 config.image',
        '',
        '2 of 3 job files invalid',
        '',
      ].join('\n'),
    );
  });

  it('without --explain prints the diagnostics only, as before', async () => {
    const run = await deckhand(['validate', 'app.yaml'], repository());
    expect(run).toMatchObject({ code: 0, stdout: '1 job file valid (1 job)\n' });
  });

  it('-o json holds the same lists under each file\'s settings', async () => {
    const run = await deckhand(['validate', '-o', 'json', '.'], repository());
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { files: Array<{ path: string; valid: boolean; settings: Record<string, unknown[]> }> };
    const web = out.files.find((f) => f.path === 'web.nomad')!;
    expect(web.valid).toBe(false);
    expect(web.settings.refused).toEqual([
      {
        line: 7,
        col: 7,
        field: 'ephemeral_disk.sticky',
        message: 'sticky is not supported: deckhand removes an allocation\'s directory with it: nothing in /alloc/data is kept for, or moved to, the allocation that replaces it',
        hint: 'keep the data in a host volume (group volume { type = "host" } and the task\'s volume_mount), or set it to false',
      },
    ]);
    expect(web.settings.noEffect).toEqual([
      { line: 2, col: 3, field: 'datacenters', reason: 'it chooses among Nomad clients; deckhand runs on one engine (or one swarm), the only datacenter and node pool, whatever their names' },
      { line: 6, col: 7, field: 'ephemeral_disk.size', reason: 'Nomad uses it to place allocations and does not enforce it; deckhand has one engine' },
    ]);
    expect(web.settings.carriedOut).toContainEqual({ line: 12, col: 9, field: 'config.image' });
    const app = out.files.find((f) => f.path === 'app.yaml')!;
    expect(app).toMatchObject({ valid: true, settings: { refused: [] } });
    expect(app.settings.noEffect).toHaveLength(2);
  });
});
