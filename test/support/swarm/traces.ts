// Everything a test swarm leaves on the machine, found by its names, and its
// removal. Synchronous and idempotent: the same sweep ends every teardown, and runs
// again from the cluster's watchdog (watchdog.ts) when the test process dies first.
// A node's traces: its dockerd and managed containerd (their command lines name
// the node's folder), the shims and container processes, which outlive a dockerd
// that was killed (found in the node's cgroup parent and by the folder), mounts
// under the folder (overlay2 layers, network namespaces of the containers), the
// cgroups, the node's network namespace and veth pair, and the shims' sockets in
// /run/containerd/s. The cluster's: its bridge, its FORWARD rule and its folder.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeNames {
  namespace: string;
  /** The host's end of the node's veth pair. */
  hostLink: string;
  /** The cgroup its engine puts containers under (`dockerd --cgroup-parent`), relative to each controller's root. */
  cgroupParent: string;
  /** The node's folder: data root, exec root, socket and pid file. */
  dir: string;
}

const cgroupRoot = '/sys/fs/cgroup';
// containerd 1.6 puts a shim's socket here, named by a hash of its own address, the namespace and the container.
const shimSocketDir = '/run/containerd/s';
const engineNamespace = 'moby';

/** Everything a cluster's traces are found by: what test/support/swarm/watchdog.ts reads on its stdin, as JSON. */
export interface ClusterNames {
  /** The cluster's folder, the nodes' folders under it. */
  dir: string;
  /** The host's bridge; the nodes' veth ends start with its name. */
  bridge: string;
  nodes: NodeNames[];
}

// No parameter properties here: the watchdog runs this file with Node's type stripping, which has none.
export class ClusterTraces {
  readonly dir: string;
  readonly bridge: string;
  readonly nodes: NodeNames[];
  /** Shim sockets the nodes' containers had, seen by a sweep while their folders still existed. */
  private readonly shimSockets = new Set<string>();

  constructor(names: ClusterNames) {
    this.dir = names.dir;
    this.bridge = names.bridge;
    this.nodes = names.nodes;
  }

  /** The FORWARD rule that lets the host's bridge pass the nodes' traffic: the host engine's policy is DROP. */
  get forwardRule(): string[] {
    return ['FORWARD', '-i', this.bridge, '-o', this.bridge, '-j', 'ACCEPT'];
  }

  /** Removes every trace, in an order where each step can succeed: processes, mounts, cgroups, links, rule, folder. */
  sweep(): void {
    for (const node of this.nodes) for (const socket of this.nodeShimSockets(node)) this.shimSockets.add(socket);
    for (let round = 0; round < 50; round++) {
      const pids = this.processes();
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Exited meanwhile.
        }
      }
      pause(100);
    }
    for (const path of this.mounts()) quiet('umount', ['-l', path]);
    for (const path of this.cgroups()) {
      try {
        rmdirSync(path);
      } catch {
        // Still has a task: reported by leftovers().
      }
    }
    for (const node of this.nodes) {
      quiet('ip', ['netns', 'delete', node.namespace]);
      // Deleting the namespace takes the pair with it; an unfinished start may have left the host's end alone.
      if (existsSync(`/sys/class/net/${node.hostLink}`)) quiet('ip', ['link', 'delete', node.hostLink]);
    }
    if (existsSync(`/sys/class/net/${this.bridge}`)) quiet('ip', ['link', 'delete', this.bridge]);
    while (this.hasForwardRule()) execFileSync('iptables', ['-w', '-D', ...this.forwardRule]);
    for (const socket of this.shimSockets) rmSync(socket, { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** What is left, one line each; empty after a clean teardown. */
  leftovers(): string[] {
    const found: string[] = [];
    const namespaces = new Set(existsSync('/run/netns') ? readdirSync('/run/netns') : []);
    for (const node of this.nodes) if (namespaces.has(node.namespace)) found.push(`network namespace ${node.namespace}`);
    for (const link of readdirSync('/sys/class/net')) if (link.startsWith(this.bridge)) found.push(`link ${link}`);
    for (const pid of this.processes()) found.push(`process ${pid} (${commandLine(pid)})`);
    for (const path of this.mounts()) found.push(`mount ${path}`);
    for (const path of this.cgroups()) found.push(`cgroup ${path}`);
    if (this.hasForwardRule()) found.push(`iptables rule ${this.forwardRule.join(' ')}`);
    for (const socket of this.shimSockets) if (existsSync(socket)) found.push(`shim socket ${socket}`);
    if (existsSync(this.dir)) found.push(`folder ${this.dir}`);
    return found;
  }

  /** Live processes of the cluster's: by folder, by cgroup, by network namespace. */
  private processes(): number[] {
    const pids = new Set<number>();
    for (const entry of readdirSync('/proc')) {
      if (/^\d+$/.test(entry) && commandLine(Number(entry)).includes(`${this.dir}/`)) pids.add(Number(entry));
    }
    for (const path of this.cgroups()) {
      for (const pid of readLines(join(path, 'cgroup.procs'))) pids.add(Number(pid));
    }
    for (const node of this.nodes) {
      try {
        for (const pid of execFileSync('ip', ['netns', 'pids', node.namespace], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')) {
          if (pid) pids.add(Number(pid));
        }
      } catch {
        // No such namespace (any more).
      }
    }
    pids.delete(process.pid);
    return [...pids].filter((pid) => existsSync(`/proc/${pid}/ns/net`));
  }

  /** Mount points under the cluster's folder, deepest first. */
  private mounts(): string[] {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((path) => path.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
  }

  /** The nodes' cgroup folders in every hierarchy, deepest first. */
  private cgroups(): string[] {
    const found: string[] = [];
    const walk = (path: string) => {
      found.push(path);
      for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) walk(join(path, entry.name));
    };
    for (const hierarchy of readdirSync(cgroupRoot)) {
      for (const node of this.nodes) {
        const path = join(cgroupRoot, hierarchy, node.cgroupParent);
        if (existsSync(path)) walk(path);
      }
    }
    return found.sort((a, b) => b.length - a.length);
  }

  private nodeShimSockets(node: NodeNames): string[] {
    const address = join(node.dir, 'exec', 'containerd', 'containerd.sock');
    let containers: string[];
    try {
      containers = readdirSync(join(node.dir, 'root', 'containers'));
    } catch {
      return [];
    }
    return containers.map((id) => join(shimSocketDir, createHash('sha256').update(join(address, engineNamespace, id)).digest('hex')));
  }

  private hasForwardRule(): boolean {
    try {
      execFileSync('iptables', ['-w', '-C', ...this.forwardRule], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Runs a clean-up command whose failure means there was nothing to clean. */
function quiet(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    // Gone already.
  }
}

/** Blocks the thread: the exit hook has no event loop to wait on for killed processes to go. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
