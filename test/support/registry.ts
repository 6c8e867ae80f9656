// A private registry for tests: Debian's `docker-registry` (the CNCF distribution
// registry) on 127.0.0.1 at a free port, with its own storage and htpasswd (bcrypt)
// auth, in a folder of the test's. The engine treats 127.0.0.0/8 as insecure, so
// plain HTTP works. Images pushed there are built per run (FROM the demo images,
// which are FROM scratch with busybox, plus the run's label) and removed by it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import bcrypt from 'bcryptjs';
import type Docker from 'dockerode';
import { tar } from '../../src/demo/tar.js';
import { testLabel } from '../runtime/support.js';

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the registry part of image names. */
  host: string;
  username: string;
  password: string;
  /** Its folder (storage, config, htpasswd); removed by stop(). */
  dir: string;
  /** A Docker client configuration folder (for `DOCKER_CONFIG`) holding `auths` for this registry, or the credentials given. */
  dockerConfig(auth?: { username: string; password: string } | null): string;
  /** Builds `FROM base` labelled with the run, tags it `<host>/<repository>:<tag>`, pushes it with the credentials; resolves with the registry's digest. */
  push(docker: Docker, base: string, repository: string, tag: string, runId: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function followProgress(docker: Docker, stream: NodeJS.ReadableStream, what: string): Promise<Array<{ aux?: { Digest?: string } }>> {
  const lines = await new Promise<Array<{ error?: string; aux?: { Digest?: string } }>>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => (error ? reject(error) : resolve(output as never)));
  });
  const failure = lines.find((line) => line.error);
  if (failure) throw new Error(`${what}: ${failure.error}`);
  return lines;
}

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v2/`);
    return response.status === 401;
  } catch {
    return false;
  }
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-registry-'));
  const port = await freePort();
  const username = 'deckhand';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 6)}\n`);
  mkdirSync(join(dir, 'data'));
  const config = [
    'version: 0.1',
    'log: { level: warn }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
    `http: { addr: "127.0.0.1:${port}" }`,
    `auth: { htpasswd: { realm: deckhand-test, path: ${join(dir, 'htpasswd')} } }`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start on 127.0.0.1:${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const host = `127.0.0.1:${port}`;
  const auth = { username, password, serveraddress: host };
  return {
    host,
    username,
    password,
    dir,
    dockerConfig(given = { username, password }) {
      const folder = mkdtempSync(join(dir, 'docker-config-'));
      const auths = given ? { [host]: { auth: Buffer.from(`${given.username}:${given.password}`).toString('base64') } } : {};
      writeFileSync(join(folder, 'config.json'), JSON.stringify({ auths }));
      return folder;
    },
    async push(docker, base, repository, tag, runId) {
      const name = `${host}/${repository}:${tag}`;
      const dockerfile = `FROM ${base}\nLABEL ${testLabel}="${runId}" deckhand-test.image="${name}"\n`;
      const build = await docker.buildImage(Readable.from([tar([{ name: 'Dockerfile', data: dockerfile }])]), { t: name, rm: true, forcerm: true });
      await followProgress(docker, build, `building ${name}`);
      const pushed = await docker.getImage(name).push({ authconfig: auth });
      const lines = await followProgress(docker, pushed, `pushing ${name}`);
      const digest = lines.find((line) => line.aux?.Digest)?.aux?.Digest;
      if (!digest) throw new Error(`pushing ${name}: the engine gave no digest`);
      return digest;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Removes every image of the run: built by push (labelled), pulled from the registry,
 * and names of the run's repository given to other images (only the name goes).
 */
export async function removeRunImages(docker: Docker, runId: string, registryHost: string, repository: string): Promise<void> {
  const named = await docker.listImages({ filters: { reference: [`${registryHost}/${repository}`] } });
  for (const image of named) {
    for (const name of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])].filter((n) => n.startsWith(`${registryHost}/${repository}`))) {
      await docker.getImage(name).remove().catch(() => {});
    }
  }
  const built = await docker.listImages({ filters: { label: [`${testLabel}=${runId}`] } });
  for (const image of built) {
    // Untag every name first: an image with several names is removed only once none is left.
    for (const name of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])].filter((n) => n.startsWith(`${registryHost}/`))) {
      await docker.getImage(name).remove().catch(() => {});
    }
    await docker.getImage(image.Id).remove({ force: true }).catch(() => {});
  }
}
