// Volumes on the real engine, through a real agent and the CLI: Nomad and
// Kubernetes volumes whose data survives an image update, bind mounts judged
// against the agent's allow-host-path at submit time, and `stop --purge [--volumes]`.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demoImageV1, demoImageV2 } from '../../src/demo/images.js';
import { networkSuffixOf } from '../../src/runtime/docker/networks.js';
import { cli as runCli } from '../helpers/cli.js';
import { startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { docker, ensureDemoImages, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';
import { containersOf } from './support.js';

const runId = newRunId();
const suffix = networkSuffixOf({ [testLabel]: runId });
const root = realpathSync(mkdtempSync(join(tmpdir(), 'deckhand-volumes-')));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');
const jobs = join(root, 'jobs');
let agent: AgentProcess;
const cli = (...args: string[]) => runCli(args, { env: { DECKHAND_ADDR: agent.url } });

beforeAll(async () => {
  for (const dir of [allowed, outside, jobs]) mkdirSync(dir);
  await ensureDemoImages();
  agent = await startAgentProcess({ runId, extraArgs: ['--allow-host-path', allowed] });
});

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await removeRunContainers(runId);
  rmSync(root, { recursive: true, force: true });
});

/** The file of the one running container of a job, read inside it. */
async function readInside(jobId: string, path: string): Promise<{ container: string; text: string }> {
  const running = await containersOf(runId, jobId);
  expect(running).toHaveLength(1);
  const { stdout } = await promisify(execFile)('docker', ['exec', running[0]!.id, 'cat', path]);
  return { container: running[0]!.id, text: stdout.trim() };
}

async function volumeExists(name: string): Promise<boolean> {
  return docker.getVolume(name).inspect().then(() => true, () => false);
}

const writeJob = (name: string, text: string) => {
  const path = join(jobs, name);
  writeFileSync(path, text);
  return path;
};

// The first container writes its host name once; every later one serves on as the image does.
const remember = '[ -f /data/born ] || hostname > /data/born; exec /serve.sh';

const nomadJob = (image: string) => `job "vol-nomad" {
  update {
    min_healthy_time = "1s"
    healthy_deadline = "30s"
  }
  group "db" {
    volume "data" {
      type   = "host"
      source = "db-data"
    }
    task "db" {
      driver       = "docker"
      kill_timeout = "1s"
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
      config {
        image   = "${image}"
        command = "/bin/sh"
        args    = ["-c", "${remember}"]
        mount {
          type   = "tmpfs"
          target = "/scratch"
        }
      }
    }
  }
}
`;

const deployment = (image: string, name = 'vol-k8s') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      volumes:
        - {name: data, persistentVolumeClaim: {claimName: k8s-data}}
        - {name: cache, emptyDir: {}}
      containers:
        - name: db
          image: ${image}
          command: ["/bin/sh", "-c"]
          args: ["${remember}"]
          volumeMounts:
            - {name: data, mountPath: /data}
            - {name: cache, mountPath: /cache}
`;

describe('volumes', () => {
  it('a Nomad host volume keeps what the first container wrote across an image update; stop --purge --volumes removes it', async () => {
    const file = writeJob('db.nomad', nomadJob(demoImageV1));
    expect(await cli('run', file)).toMatchObject({ code: 0 });
    const first = await readInside('vol-nomad', '/data/born');
    expect(first.text).toBe(first.container.slice(0, 12));

    writeJob('db.nomad', nomadJob(demoImageV2));
    expect(await cli('run', file)).toMatchObject({ code: 0 });
    const second = await readInside('vol-nomad', '/data/born');
    expect(second.container).not.toBe(first.container);
    expect(second.text).toBe(first.text);
    const volume = `deckhand-vol-nomad-db-data${suffix}`;
    expect((await docker.getVolume(volume).inspect()).Labels).toMatchObject({ 'deckhand.volume': 'db-data', 'deckhand.job': 'vol-nomad', [testLabel]: runId });

    const stopped = await cli('stop', '--purge', '--volumes', 'vol-nomad');
    expect(stopped).toMatchObject({ code: 0, stdout: `==> Job "vol-nomad" stopped and purged\n    Volume "${volume}" removed\n` });
    expect(await volumeExists(volume)).toBe(false);
  }, 120_000);

  it('a Kubernetes claim keeps its data across an image update and is shared by the namespace\'s Deployments; an emptyDir goes with its container; a purge keeps the claim\'s volume and says why', async () => {
    const file = writeJob('db.yaml', deployment(demoImageV1));
    expect(await cli('run', file)).toMatchObject({ code: 0 });
    const first = await readInside('vol-k8s', '/data/born');
    const scratch = (await docker.getContainer(first.container).inspect()).Mounts.find((m) => m.Destination === '/cache')!;
    expect(scratch).toMatchObject({ Type: 'volume' });

    writeJob('db.yaml', deployment(demoImageV2));
    expect(await cli('run', file)).toMatchObject({ code: 0 });
    const second = await readInside('vol-k8s', '/data/born');
    expect(second.container).not.toBe(first.container);
    expect(second.text).toBe(first.text);
    // The replaced container's emptyDir went with it.
    expect(await volumeExists(scratch.Name!)).toBe(false);

    // Another Deployment naming the claim sees what the first wrote.
    expect(await cli('run', writeJob('reader.yaml', deployment(demoImageV1, 'vol-k8s-reader')))).toMatchObject({ code: 0 });
    expect((await readInside('vol-k8s-reader', '/data/born')).text).toBe(first.text);

    const volume = `deckhand-k8s-default-k8s-data${suffix}`;
    const shared = await cli('stop', '--purge', '--volumes', 'vol-k8s');
    expect(shared).toMatchObject({ code: 0, stdout: `==> Job "vol-k8s" stopped and purged\n    Volume "${volume}" kept: job "vol-k8s-reader" mounts it too\n` });
    const stopped = await cli('stop', '--purge', 'vol-k8s-reader');
    expect(stopped).toMatchObject({ code: 0, stdout: `==> Job "vol-k8s-reader" stopped and purged\n    Volume "${volume}" kept, with its data (deckhand stop --purge --volumes removes a job's volumes; now: docker volume rm ${volume})\n` });
    expect(await volumeExists(volume)).toBe(true);
    expect(await cli('stop', '--volumes', 'vol-k8s')).toMatchObject({ code: 1, stderr: '--volumes removes the volumes of a purged job: add --purge\n' });
  }, 120_000);

  it('a bind mount outside the allow-list, or through a link leading out of it, is refused at its line and nothing starts; one inside it is mounted', async () => {
    writeFileSync(join(outside, 'secret'), 'not for containers');
    symlinkSync(outside, join(allowed, 'escape'));
    mkdirSync(join(allowed, 'site'));
    writeFileSync(join(allowed, 'site', 'hello'), 'from the host');
    const compose = (source: string) => `services:
  web:
    image: ${demoImageV1}
    volumes:
      - ${source}:/host:ro
`;
    for (const [source, message] of [
      [outside, `host path ${outside} is not under a directory the agent allows (allow-host-path: ${allowed})`],
      [join(allowed, 'escape'), `host path ${allowed}/escape (a link to ${outside}) is not under a directory the agent allows`],
      ['/var/run/docker.sock', 'mounting the Docker socket (/var/run/docker.sock'],
    ]) {
      const file = writeJob('compose.yaml', compose(source!));
      const refused = await cli('run', file);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${file}:5:9: services.web.volumes[0]: ${message}`);
      const planned = await cli('plan', file);
      expect(planned.code).toBe(255);
      expect(planned.stderr).toContain(`${file}:5:9: services.web.volumes[0]: ${message}`);
    }
    expect(await containersOf(runId, 'jobs')).toEqual([]);
    expect((await cli('status', 'jobs')).code).toBe(1);

    const file = writeJob('compose.yaml', compose(join(allowed, 'site')));
    expect(await cli('run', file)).toMatchObject({ code: 0 });
    expect((await readInside('jobs', '/host/hello')).text).toBe('from the host');
    expect(readFileSync(join(allowed, 'site', 'hello'), 'utf8')).toBe('from the host');
  }, 120_000);
});
