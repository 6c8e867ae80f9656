// A Docker engine of a test's own: a second dockerd with its own socket, data
// root and exec root under /tmp, which a fault test may stop, restart and make
// unreachable without touching the machine's engine that others use. It runs in
// a network namespace of its own (`ip netns add`, entered with `nsenter --net=`:
// `ip netns exec` would remount /sys and hide the cgroups dockerd needs), so its
// bridges, its docker0 and its containers' networks never meet the host's: a
// dockerd in the host's namespace deleted the host's docker0 once (moby's
// removeDefaultBridgeInterface under `--bridge=none`). A veth pair joins the two
// namespaces: containers publish their ports on the namespace's end (`address`),
// which the host reaches, so checks and requests from the test process work as
// with the machine's engine. Its API socket is a file, reachable from anywhere.
// `destroy()` removes its containers, stops it, unmounts what it left, deletes
// the namespace, the veth pair and its folder, even after a failure, and fails
// if the host's docker0 went missing meanwhile.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const startTimeoutMs = 30_000;
const stopTimeoutMs = 20_000;

// 198.18.0.0/15 is for tests (RFC 2544); this /24 is the private engines'. The host
// sees only the veth pairs, a /30 each from its first quarter; the rest is used
// inside the namespaces only (each has its own), so every engine may reuse it.
const vethBlock = { prefix: '198.19.77.', slots: 16 };
const innerBridge = '198.19.77.65/26';
const innerNetworks = 'base=198.19.77.128/25,size=28';

const hostBridge = '/sys/class/net/docker0';

export class PrivateDockerd {
  readonly dir: string;
  readonly socketPath: string;
  readonly docker: Docker;
  /** Its network namespace, under /run/netns. */
  readonly namespace: string;
  /** The veth pair's two ends (at most 15 characters, as Linux allows): the host's, and the namespace's. */
  private readonly hostLink: string;
  private readonly innerLink: string;
  /** The namespace's end of the veth pair, once start() made it. */
  private innerAddress: string | null = null;
  /** Whether the host had a docker0 before: it must still have it after. */
  private readonly hadHostBridge = existsSync(hostBridge);
  private process: ChildProcess | null = null;
  /** The last lines dockerd logged, to explain a start that failed. */
  private log: string[] = [];

  constructor() {
    // Short: a unix socket path must stay under 108 bytes.
    this.dir = mkdtempSync('/tmp/dh-dockerd-');
    this.socketPath = join(this.dir, 'docker.sock');
    this.docker = new Docker({ socketPath: this.socketPath });
    const id = this.dir.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
    this.namespace = `netns-${id}`;
    this.hostLink = `netns-${id}h`;
    this.innerLink = `netns-${id}n`;
  }

  get running(): boolean {
    return this.process !== null;
  }

  /**
   * Where its containers publish their ports (a driver's `publishAddress`): the
   * namespace's end of the veth pair, which the host routes to.
   */
  get address(): string {
    if (this.innerAddress === null) throw new Error('the private dockerd has no address before start()');
    return this.innerAddress;
  }

  /** Starts dockerd in its namespace (made on the first start) and resolves once its API listens (its own log line says so). */
  async start(): Promise<void> {
    if (this.process) return;
    await this.createNamespace();
    const args = [
      `--net=/run/netns/${this.namespace}`,
      'dockerd',
      `--host=unix://${this.socketPath}`,
      `--data-root=${join(this.dir, 'root')}`,
      `--exec-root=${join(this.dir, 'exec')}`,
      `--pidfile=${join(this.dir, 'docker.pid')}`,
      `--bip=${innerBridge}`,
      `--default-address-pool=${innerNetworks}`,
      // Published ports go through docker-proxy, which needs no rules: the host's tables stay the host's.
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
    ];
    // nsenter execs dockerd: the child is dockerd itself, and gets our signals.
    const child = spawn('nsenter', args, { stdio: ['ignore', 'ignore', 'pipe'] });
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

  /**
   * Removes every container, stops dockerd and its containerd, unmounts, deletes the
   * namespace, the veth pair and the folder; then fails if the host lost its docker0.
   */
  async destroy(): Promise<void> {
    try {
      if (this.process) {
        try {
          const containers = await this.docker.listContainers({ all: true });
          await Promise.allSettled(containers.map((c) => this.docker.getContainer(c.Id).remove({ force: true })));
        } finally {
          await this.stop();
        }
      }
    } finally {
      await this.removeTraces();
    }
    if (this.hadHostBridge && !existsSync(hostBridge)) {
      throw new Error(`the host's docker0 bridge existed before the private dockerd in ${this.namespace} started and is gone after it`);
    }
  }

  private async removeTraces(): Promise<void> {
    // A dockerd stopped while it restarted containers can leave its containerd, a shim or a container's
    // processes behind: ours, found by our folder and by our namespace.
    const inNamespace = await run('ip', ['netns', 'pids', this.namespace]).then(
      ({ stdout }) => stdout.split('\n').filter(Boolean).map(Number),
      () => [],
    );
    for (const pid of [...processesUsing(`${this.dir}/exec/`), ...inNamespace]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // Deepest first: dockerd leaves network namespaces mounted under its exec root.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((path) => path.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const path of mounts) await run('umount', ['-l', path]).catch(() => undefined);
    // Deleting the namespace takes its end of the pair, and with it the host's; an unfinished start may have left the host's alone.
    await run('ip', ['netns', 'delete', this.namespace]).catch(() => undefined);
    await run('ip', ['link', 'delete', this.hostLink]).catch(() => undefined);
    this.innerAddress = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The namespace and its veth pair, on a /30 no other route of the host's covers. */
  private async createNamespace(): Promise<void> {
    if (this.innerAddress !== null) return;
    const slot = await freeSlot();
    const [hostAddress, innerAddress] = [`${vethBlock.prefix}${slot * 4 + 1}`, `${vethBlock.prefix}${slot * 4 + 2}`];
    await run('ip', ['netns', 'add', this.namespace]);
    await run('ip', ['link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', this.innerLink, 'netns', this.namespace]);
    await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', this.hostLink]);
    await run('ip', ['link', 'set', this.hostLink, 'up']);
    await run('ip', ['-n', this.namespace, 'addr', 'add', `${innerAddress}/30`, 'dev', this.innerLink]);
    await run('ip', ['-n', this.namespace, 'link', 'set', this.innerLink, 'up']);
    await run('ip', ['-n', this.namespace, 'link', 'set', 'lo', 'up']);
    this.innerAddress = innerAddress;
  }
}

const run = (command: string, args: string[]) => promisify(execFile)(command, args);

/** A /30 of the veth block that no route of the host's overlaps (another run's engine holds those), from a random start. */
async function freeSlot(): Promise<number> {
  const { stdout } = await run('ip', ['-j', '-4', 'route', 'show']);
  const routes = (JSON.parse(stdout) as { dst: string }[]).flatMap(({ dst }) => {
    const [address, bits = '32'] = dst.split('/');
    return address === 'default' ? [] : [{ first: toNumber(address!), size: 2 ** (32 - Number(bits)) }];
  });
  const start = Math.floor(Math.random() * vethBlock.slots);
  for (let i = 0; i < vethBlock.slots; i++) {
    const slot = (start + i) % vethBlock.slots;
    const first = toNumber(`${vethBlock.prefix}${slot * 4}`);
    if (!routes.some((r) => first < r.first + r.size && r.first < first + 4)) return slot;
  }
  throw new Error(`no free /30 left in ${vethBlock.prefix}0/26 for a private dockerd's veth pair: ${vethBlock.slots} in use (leftovers? see \`ip netns list\`)`);
}

function toNumber(address: string): number {
  return address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
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
