// A Docker Swarm of several nodes on this one machine, for tests: N dockerd
// instances (SwarmNode), each in a network namespace of its own, on one bridge
// of the host's, joined into one swarm (by default every node a manager: three
// managers keep their quorum when one dies). The images named are copied from
// the machine's engine into every node (`docker save | docker load`), as the
// nodes have no registry to pull from. Swarm's routing mesh needs IPVS, which
// these kernels lack: services use `endpoint_mode: dnsrr`. Overlay networks use
// VXLAN between the nodes' addresses on the bridge.
//
// `destroy()` leaves the swarm, stops the daemons (SIGTERM, then SIGKILL) and
// removes every trace (ClusterTraces); a watchdog process does the same if the
// test process dies first. `leftovers()` lists what is left, for a test to check.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { freeClusterSubnet, overlayPool } from './addresses.js';
import type { ClusterSubnet } from './addresses.js';
import { SwarmNode } from './node.js';
import { ClusterTraces } from './traces.js';
import type { ClusterNames } from './traces.js';

export interface SwarmClusterOptions {
  /** How many nodes (3). */
  nodes?: number;
  /** How many of them are managers, the first ones (all). */
  managers?: number;
  /** Images of the machine's engine to load into every node. */
  images?: string[];
  /** Swarm's dispatcher heartbeat: a node that misses a few is down (1 s, scaled down from Swarm's 5 s). */
  heartbeatMs?: number;
}

const swarmPort = 2377;
const readyTimeoutMs = 60_000;
const leaveTimeoutMs = 10_000;
const hostBridge = '/sys/class/net/docker0';
const run = promisify(execFile);
// Beside this file, with its extension: the source under jest, the build's JavaScript under dist/ (the benchmarks).
const ownExtension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const watchdogScript = fileURLToPath(new URL(`./watchdog.${ownExtension}`, import.meta.url));

export class SwarmCluster {
  /** Names everything the cluster makes; also the value of the tests' run label for what they create on it. */
  readonly runId = randomBytes(3).toString('hex');
  /** Short: unix socket paths under it must stay under 108 bytes. */
  readonly dir = `/tmp/dh-swarm-${this.runId}`;
  readonly bridge = `dhsw${this.runId}`;
  readonly nodes: SwarmNode[] = [];
  private readonly traces: ClusterTraces;
  private readonly hadHostBridge = existsSync(hostBridge);
  private watchdog: ChildProcess | null = null;
  private destroyed = false;

  private constructor(
    count: number,
    private readonly subnet: ClusterSubnet,
  ) {
    for (let index = 1; index <= count; index++) {
      const names = {
        namespace: `dh-swarm-${this.runId}-n${index}`,
        hostLink: `${this.bridge}v${index}`,
        cgroupParent: `/dh-swarm-${this.runId}-n${index}`,
        dir: join(this.dir, `n${index}`),
      };
      this.nodes.push(new SwarmNode(index, names, subnet.nodeAddress(index)));
    }
    this.traces = new ClusterTraces(this.names);
  }

  /** Brings the whole cluster up; on any failure removes what it made and rejects with the cause. */
  static async start(options: SwarmClusterOptions = {}): Promise<SwarmCluster> {
    const count = options.nodes ?? 3;
    const cluster = new SwarmCluster(count, freeClusterSubnet());
    cluster.startWatchdog();
    try {
      await cluster.bringUp(options.managers ?? count, options.heartbeatMs ?? 1000, options.images ?? []);
    } catch (error) {
      await cluster.destroy().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  /** A manager whose dockerd runs: where services are created and inspected. */
  get manager(): SwarmNode {
    const node = this.nodes.find((candidate) => candidate.running && candidate.isManager);
    if (!node) throw new Error('no manager of the test swarm is running');
    return node;
  }

  /** The node a Swarm node ID belongs to. */
  async nodeById(): Promise<Map<string, SwarmNode>> {
    const listed = await this.manager.docker.listNodes();
    return new Map(listed.map((item) => [item.ID, this.nodes.find((node) => node.address === item.Status?.Addr)!]));
  }

  /** Leaves the swarm, stops every node and removes every trace; then fails if the host's docker0 went missing. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      const running = this.nodes.filter((node) => node.running);
      await Promise.allSettled(running.map((node) => withTimeout(node.docker.swarmLeave({ force: true }), leaveTimeoutMs)));
      await Promise.allSettled(running.map((node) => node.stop()));
    } finally {
      this.traces.sweep();
      await this.stopWatchdog();
    }
    if (this.hadHostBridge && !existsSync(hostBridge)) {
      throw new Error(`the host's docker0 bridge existed before the test swarm ${this.runId} started and is gone after it`);
    }
  }

  /** What the cluster left on the machine, one line each: empty after destroy(). */
  leftovers(): string[] {
    return this.traces.leftovers();
  }

  private get names(): ClusterNames {
    return { dir: this.dir, bridge: this.bridge, nodes: this.nodes.map((node) => node.names) };
  }

  /**
   * Its own process group, so Ctrl-C in a terminal reaches the tests and not it; the
   * names go through its stdin, not its command line, where the sweep would find the
   * cluster's folder and take it for one of the cluster's processes.
   */
  private startWatchdog(): void {
    const child = spawn(process.execPath, [watchdogScript], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.stdin!.write(JSON.stringify(this.names));
    // Neither may keep the test process alive: only its end matters.
    child.unref();
    (child.stdin as unknown as { unref(): void }).unref();
    this.watchdog = child;
  }

  private async stopWatchdog(): Promise<void> {
    const child = this.watchdog;
    if (!child) return;
    this.watchdog = null;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    // Unreferenced since it started: the wait for its exit must keep a process with nothing else to do (a benchmark's) alive.
    child.ref();
    child.stdin!.end();
    await exited;
  }

  private async bringUp(managers: number, heartbeatMs: number, images: string[]): Promise<void> {
    mkdirSync(this.dir);
    writeFileSync(join(this.dir, 'daemon.json'), '{}\n');
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${this.subnet.bridgeAddress}/24`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
    await run('iptables', ['-w', '-I', ...this.traces.forwardRule]);
    for (const node of this.nodes) await node.createNetwork(this.bridge, 24);
    await Promise.all(this.nodes.map((node) => node.start()));
    const [first, ...others] = this.nodes as [SwarmNode, ...SwarmNode[]];
    await first.docker.swarmInit({
      ListenAddr: `${first.address}:${swarmPort}`,
      AdvertiseAddr: `${first.address}:${swarmPort}`,
      DataPathAddr: first.address,
      DefaultAddrPool: [overlayPool.base],
      SubnetSize: overlayPool.maskLength,
      Spec: { Dispatcher: { HeartbeatPeriod: heartbeatMs * 1e6 } },
    });
    first.isManager = true;
    const { JoinTokens: tokens } = (await first.docker.swarmInspect()) as { JoinTokens: { Manager: string; Worker: string } };
    // One at a time: Raft adds one member per configuration change.
    for (const node of others) {
      const manager = node.index <= managers;
      await node.docker.swarmJoin({
        ListenAddr: `${node.address}:${swarmPort}`,
        AdvertiseAddr: `${node.address}:${swarmPort}`,
        DataPathAddr: node.address,
        RemoteAddrs: [`${first.address}:${swarmPort}`],
        JoinToken: manager ? tokens.Manager : tokens.Worker,
      });
      node.isManager = manager;
    }
    await this.untilAllReady();
    await Promise.all(images.map((image) => this.loadImage(image)));
  }

  /** Polls the first manager until it lists every node ready (and every manager reachable). */
  private async untilAllReady(): Promise<void> {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const listed = await this.nodes[0]!.docker.listNodes();
      const ready = listed.filter((item) => item.Status?.State === 'ready' && (!item.ManagerStatus || item.ManagerStatus.Reachability === 'reachable'));
      if (ready.length === this.nodes.length) return;
      const seen = JSON.stringify(listed.map((item) => [item.Status?.Addr, item.Status?.State, item.ManagerStatus?.Reachability]));
      if (Date.now() > deadline) throw new Error(`the test swarm's nodes were not all ready within ${readyTimeoutMs} ms: ${seen}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async loadImage(image: string): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of await new Docker().getImage(image).get()) chunks.push(chunk as Buffer);
    } catch (error) {
      throw new Error(`saving ${image} from the machine's engine for the test swarm: ${(error as Error).message}`, { cause: error });
    }
    const archive = Buffer.concat(chunks);
    await Promise.all(
      this.nodes.map(async (node) => {
        const response = await node.docker.loadImage(Readable.from([archive]));
        const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
          node.docker.modem.followProgress(response, (error: Error | null, lines: unknown[]) => (error ? reject(error) : resolve(lines as never)));
        });
        const failure = output.find((line) => line.error);
        if (failure) throw new Error(`loading ${image} into node ${node.index}: ${failure.error}`);
      }),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
