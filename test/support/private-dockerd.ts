// A Docker engine of a test's own: a second dockerd with its own socket, data
// root and exec root under /tmp, which a fault test may stop, restart and make
// unreachable without touching the machine's engine that others use. Host
// networking for containers, no iptables. It gets a bridge of its own: a dockerd
// started with `--bridge=none` deletes the host's `docker0` on start (moby's
// removeDefaultBridgeInterface), which breaks every bridge container and every
// `docker build` with a RUN step on the machine. `destroy()` removes its
// containers, stops it, unmounts what it left, deletes its bridge and its folder,
// even after a failure.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const startTimeoutMs = 30_000;
const stopTimeoutMs = 20_000;

export class PrivateDockerd {
  readonly dir: string;
  readonly socketPath: string;
  readonly docker: Docker;
  /** Its own bridge (at most 15 characters, as Linux allows), on an address of 198.18.0.0/15. */
  readonly bridge: string;
  private process: ChildProcess | null = null;
  /** The last lines dockerd logged, to explain a start that failed. */
  private log: string[] = [];

  constructor() {
    // Short: a unix socket path must stay under 108 bytes.
    this.dir = mkdtempSync('/tmp/dh-dockerd-');
    this.socketPath = join(this.dir, 'docker.sock');
    this.docker = new Docker({ socketPath: this.socketPath });
    this.bridge = `dh-br-${this.dir.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  }

  get running(): boolean {
    return this.process !== null;
  }

  /** Starts dockerd and resolves once its API listens (its own log line says so). */
  async start(): Promise<void> {
    if (this.process) return;
    await this.createBridge();
    const args = [
      `--host=unix://${this.socketPath}`,
      `--data-root=${join(this.dir, 'root')}`,
      `--exec-root=${join(this.dir, 'exec')}`,
      `--pidfile=${join(this.dir, 'docker.pid')}`,
      `--bridge=${this.bridge}`,
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
    ];
    const child = spawn('dockerd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    this.log = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`dockerd did not listen within ${startTimeoutMs} ms`)), startTimeoutMs);
      let buffered = '';
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          this.log = [...this.log.slice(-30), line];
          if (line.includes('API listen on')) done();
        }
      };
      const onExit = (code: number | null, signal: string | null) => fail(new Error(`dockerd exited (${code ?? signal}) before it listened:\n${this.log.join('\n')}`));
      const onError = (error: Error) => fail(error);
      const cleanup = () => {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
        // Keep reading its log, or dockerd blocks once the pipe is full.
        child.stderr!.resume();
      };
      const done = () => {
        cleanup();
        resolve();
      };
      const fail = (error: Error) => {
        cleanup();
        if (this.process === child) {
          this.process = null;
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
        reject(error);
      };
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
    child.once('exit', () => {
      if (this.process === child) this.process = null;
    });
  }

  /** Stops dockerd as `systemctl stop docker` would (SIGTERM: it stops its containers first); resolves once it exited. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
    this.process = null;
  }

  /** Removes every container, stops dockerd and its containerd, unmounts and deletes the folder. */
  async destroy(): Promise<void> {
    if (this.process) {
      try {
        const containers = await this.docker.listContainers({ all: true });
        await Promise.allSettled(containers.map((c) => this.docker.getContainer(c.Id).remove({ force: true })));
      } finally {
        await this.stop();
      }
    }
    // A dockerd stopped while it restarted containers can leave its containerd or a shim behind: ours too, found by our folder.
    for (const pid of processesUsing(`${this.dir}/exec/`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // Deepest first: dockerd leaves the host network namespace mounted under its exec root.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((path) => path.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const path of mounts) await run('umount', ['-l', path]).catch(() => undefined);
    await run('ip', ['link', 'delete', this.bridge]).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async createBridge(): Promise<void> {
    const exists = await run('ip', ['link', 'show', this.bridge]).then(
      () => true,
      () => false,
    );
    if (exists) return;
    // 198.18.0.0/15 is for tests (RFC 2544); a /24 picked from the folder's name keeps two runs apart.
    const octet = parseInt(this.dir.slice(-2).replace(/[^0-9a-z]/gi, '0'), 36) % 250;
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `198.19.${octet}.1/24`, 'dev', this.bridge]);
  }
}

const run = (command: string, args: string[]) => promisify(execFile)(command, args);

/** Processes whose command line names `text` (containerd and its shims name our exec root). */
function processesUsing(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}
