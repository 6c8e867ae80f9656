// One node of a test swarm: a dockerd of its own in a network namespace of its
// own, joined to the cluster's bridge by a veth pair. dockerd is started with
// `nsenter --net=` (`ip netns exec` remounts /sys and hides the cgroup mounts:
// "Devices cgroup isn't mounted") and runs its own managed containerd under its
// exec root. Only the network is the node's own: mounts, cgroups and processes are
// the host's, which is why ClusterTraces finds and removes them by name.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { localPool, nodeBridgeAddress } from './addresses.js';
import type { NodeNames } from './traces.js';

const startTimeoutMs = 30_000;
const run = promisify(execFile);

export class SwarmNode {
  readonly socketPath: string;
  readonly docker: Docker;
  /** Whether it joined the swarm as a manager. */
  isManager = false;
  private process: ChildProcess | null = null;
  /** The last lines dockerd logged, to explain a start that failed. */
  private log: string[] = [];

  constructor(
    /** 1-based, as in the namespace's name. */
    readonly index: number,
    readonly names: NodeNames,
    /** Its address on the cluster's bridge: Swarm's listen, advertise and data path address. */
    readonly address: string,
  ) {
    this.socketPath = join(names.dir, 'docker.sock');
    this.docker = new Docker({ socketPath: this.socketPath });
  }

  get running(): boolean {
    return this.process !== null;
  }

  /** The namespace and its veth pair, the host's end on `bridge`. */
  async createNetwork(bridge: string, prefixLength: number): Promise<void> {
    const { namespace, hostLink } = this.names;
    // Renamed eth0 once inside; until then it needs a name no other link of the host's has.
    const innerLink = `${bridge}p${this.index}`;
    await run('ip', ['netns', 'add', namespace]);
    await run('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', innerLink, 'netns', namespace]);
    await run('ip', ['link', 'set', hostLink, 'master', bridge, 'up']);
    await run('ip', ['-n', namespace, 'link', 'set', innerLink, 'name', 'eth0']);
    await run('ip', ['-n', namespace, 'addr', 'add', `${this.address}/${prefixLength}`, 'dev', 'eth0']);
    await run('ip', ['-n', namespace, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
  }

  /** Starts dockerd and resolves once its API listens (its own log line says so). */
  async start(): Promise<void> {
    if (this.process) return;
    const { dir, namespace, cgroupParent } = this.names;
    mkdirSync(dir, { recursive: true });
    const args = [
      `--net=/run/netns/${namespace}`,
      'dockerd',
      `--host=unix://${this.socketPath}`,
      `--data-root=${join(dir, 'root')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      // Not the machine's /etc/docker/daemon.json.
      `--config-file=${join(dir, '..', 'daemon.json')}`,
      `--cgroup-parent=${cgroupParent}`,
      `--bip=${nodeBridgeAddress}`,
      `--default-address-pool=${localPool}`,
    ];
    // The images are loaded into every node, never pulled: the namespaces have no route out.
    const env = { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' };
    // nsenter execs dockerd: the child is dockerd itself, and gets our signals.
    const child = spawn('nsenter', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    this.process = child;
    this.log = [];
    child.once('exit', () => {
      if (this.process === child) this.process = null;
    });
    let buffered = '';
    // Read its log to the end, or dockerd blocks once the pipe is full.
    child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      this.log = [...this.log, ...lines].slice(-30);
      if (lines.some((line) => line.includes('API listen on'))) child.emit('listening');
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not listen within ${startTimeoutMs} ms`), startTimeoutMs);
      const onExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal}) before it listened`);
      const fail = (why: string) => {
        child.off('listening', onListening);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(new Error(`node ${this.index}'s dockerd ${why}:\n${this.log.join('\n')}`));
      };
      const onListening = () => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      };
      child.once('listening', onListening);
      child.once('exit', onExit);
    });
  }

  /** Stops dockerd as `systemctl stop docker` would: SIGTERM, SIGKILL after `timeoutMs`; resolves once it exited. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const child = this.process;
    if (!child) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.signal(child, 'SIGTERM');
    clearTimeout(timer);
  }

  /** Kills dockerd outright, as a machine that dies would: its containers' processes stay behind. */
  async kill(): Promise<void> {
    if (this.process) await this.signal(this.process, 'SIGKILL');
  }

  private signal(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.kill(signal);
    return exited;
  }
}
