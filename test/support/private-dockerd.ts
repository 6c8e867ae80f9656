// A Docker engine of a test's own: a second dockerd with its own socket, data
// root and exec root under /tmp, which a fault test may stop, restart and make
// unreachable without touching the machine's engine that others use. Host
// networking only (no bridge, no iptables). `destroy()` removes its containers,
// stops it, unmounts what it left and deletes its folder, even after a failure.
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
  private process: ChildProcess | null = null;
  /** The last lines dockerd logged, to explain a start that failed. */
  private log: string[] = [];

  constructor() {
    // Short: a unix socket path must stay under 108 bytes.
    this.dir = mkdtempSync('/tmp/dh-dockerd-');
    this.socketPath = join(this.dir, 'docker.sock');
    this.docker = new Docker({ socketPath: this.socketPath });
  }

  get running(): boolean {
    return this.process !== null;
  }

  /** Starts dockerd and resolves once its API listens (its own log line says so). */
  async start(): Promise<void> {
    if (this.process) return;
    const args = [
      `--host=unix://${this.socketPath}`,
      `--data-root=${join(this.dir, 'root')}`,
      `--exec-root=${join(this.dir, 'exec')}`,
      `--pidfile=${join(this.dir, 'docker.pid')}`,
      '--bridge=none',
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
    for (const path of mounts) await promisify(execFile)('umount', ['-l', path]).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

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
