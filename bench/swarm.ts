// A single-node Docker swarm on the same engine, for comparing rollouts with
// `docker service update`: joined only when the engine is not in a swarm yet (and
// left again at the end only then), services on host networking or on the default
// bridge, nothing published, no registry (the API never resolves images;
// `--no-resolve-image` is the CLI's way of saying the same).
//
// The network decides a sleep: before Swarm's task controller stops a task, it
// sleeps `defaultGossipConvergeDelay` (2 s) whenever the task has a service binding,
// which `hasServiceBinding()` says of every attached network but the predefined
// `bridge` network (driver `bridge`, name `bridge`): host, overlay and swarm-scoped
// bridge networks all pay it (moby daemon/cluster/executor/container/controller.go,
// `Shutdown` and `hasServiceBinding`). A task given no network runs on the default
// bridge and is stopped at once: the only Swarm network without the sleep.
import { createServer } from 'node:net';
import type Docker from 'dockerode';

export interface SwarmSession {
  /** True when this run initialised the swarm; `close` leaves it again only then. */
  initialised: boolean;
  close(): Promise<void>;
}

const gatewayBridge = 'docker_gwbridge';

async function networkExists(docker: Docker, name: string): Promise<boolean> {
  const networks = await docker.listNetworks({ filters: { name: [name] } });
  return networks.some((n) => n.Name === name);
}

/**
 * Makes sure this engine is a swarm manager. An inactive engine becomes a one-node
 * swarm listening on 127.0.0.1 only; an engine already in a swarm is used as it is.
 */
export async function joinSwarm(docker: Docker): Promise<SwarmSession> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  if (state === 'active') {
    if (!info.Swarm?.ControlAvailable) throw new Error('this engine is a swarm worker, not a manager: services cannot be created here');
    return { initialised: false, close: async () => undefined };
  }
  if (state !== 'inactive') throw new Error(`the engine's swarm is ${state}; the benchmark leaves it alone`);
  const hadGatewayBridge = await networkExists(docker, gatewayBridge);
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  return {
    initialised: true,
    close: async () => {
      await docker.swarmLeave({ force: true });
      // Joining created the gateway bridge; leaving keeps it. It goes too, unless something uses it.
      if (!hadGatewayBridge && (await networkExists(docker, gatewayBridge))) {
        await docker.getNetwork(gatewayBridge).remove().catch(() => undefined);
      }
    },
  };
}

/**
 * `host`: the host's network; `bridge`: no network named, so the default bridge;
 * `overlay`: the overlay network `BenchServiceSpec.overlay`, `endpoint_mode: dnsrr`
 * (the routing mesh's virtual IPs need IPVS, which the test swarm's kernels lack).
 */
export type ServiceNetworking = 'host' | 'bridge' | 'overlay';

export interface BenchServiceSpec {
  name: string;
  labels: Record<string, string>;
  image: string;
  networking: ServiceNetworking;
  /** The overlay network's name, for `overlay`. */
  overlay?: string;
  /** On the host's network, task slot n listens on `portBase * 10 + n`. */
  portBase: number;
  replicas: number;
  parallelism: number;
  monitorMs: number;
  order: 'stop-first' | 'start-first';
  /** The image's HEALTHCHECK with its timing said explicitly (the test itself comes from the image). */
  health: { intervalMs: number; timeoutMs: number; retries: number };
  stopGraceSeconds: number;
  /** How long Swarm waits before it starts a task in place of one that ended or was lost (Swarm's default: 5 s). */
  restartDelayMs?: number;
}

export type HealthTiming = BenchServiceSpec['health'];

/** The image's HEALTHCHECK timing, to say again to Swarm explicitly. */
export async function imageHealth(docker: Docker, image: string): Promise<HealthTiming> {
  const inspected = (await docker.getImage(image).inspect()) as { Config?: { Healthcheck?: { Interval?: number; Timeout?: number; Retries?: number } } };
  const check = inspected.Config?.Healthcheck;
  if (!check?.Interval || !check.Timeout) throw new Error(`${image} has no HEALTHCHECK timing to compare with`);
  return { intervalMs: check.Interval / 1e6, timeoutMs: check.Timeout / 1e6, retries: check.Retries ?? 3 };
}

const ms = (value: number) => Math.round(value * 1e6);

/** The service as the engine's API takes it (what `docker service create` sends). */
export function serviceSpec(spec: BenchServiceSpec): Record<string, unknown> {
  return {
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Labels: spec.labels,
        Env: [portVariable(spec.networking, spec.portBase)],
        // As deckhand runs containers: an init as PID 1, so a stop is quick.
        Init: true,
        StopGracePeriod: spec.stopGraceSeconds * 1e9,
        Healthcheck: { Interval: ms(spec.health.intervalMs), Timeout: ms(spec.health.timeoutMs), Retries: spec.health.retries },
      },
      ...networks(spec),
      RestartPolicy: { Condition: 'any', Delay: ms(spec.restartDelayMs ?? 5000) },
    },
    Mode: { Replicated: { Replicas: spec.replicas } },
    ...(spec.networking === 'overlay' ? { EndpointSpec: { Mode: 'dnsrr' } } : {}),
    UpdateConfig: { Parallelism: spec.parallelism, Delay: 0, FailureAction: 'pause', Monitor: ms(spec.monitorMs), MaxFailureRatio: 0, Order: spec.order },
  };
}

function networks(spec: BenchServiceSpec): { Networks?: Array<{ Target: string }> } {
  if (spec.networking === 'host') return { Networks: [{ Target: 'host' }] };
  if (spec.networking === 'bridge') return {};
  if (!spec.overlay) throw new Error(`service ${spec.name}: an overlay networking needs the overlay network's name`);
  return { Networks: [{ Target: spec.overlay }] };
}

/** On the host's network a template gives every slot its own port; on a bridge or an overlay each task has its own address. */
function portVariable(networking: ServiceNetworking, portBase: number): string {
  return networking === 'host' ? `PORT=${portBase}{{.Task.Slot}}` : 'PORT=8000';
}

export async function createService(docker: Docker, spec: BenchServiceSpec): Promise<void> {
  await docker.createService(serviceSpec(spec) as unknown as Docker.CreateServiceOptions);
}

/** Changes the service's image and port base: one `docker service update`. Resolves when the engine has taken it. */
export async function updateService(docker: Docker, name: string, image: string, networking: ServiceNetworking, portBase: number): Promise<void> {
  const service = docker.getService(name);
  const info = (await service.inspect()) as { Version: { Index: number }; Spec: { TaskTemplate: { ContainerSpec: { Image: string; Env: string[] } } } };
  const spec = structuredClone(info.Spec);
  spec.TaskTemplate.ContainerSpec.Image = image;
  spec.TaskTemplate.ContainerSpec.Env = [portVariable(networking, portBase)];
  await service.update({ _query: { version: info.Version.Index }, _body: spec } as never);
}

/** Waits until `replicas` tasks of the image run (with a HEALTHCHECK, "running" means healthy). */
export async function waitForRunningTasks(docker: Docker, name: string, image: string, replicas: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = (await docker.listTasks({ filters: { service: [name], 'desired-state': ['running'] } })) as Array<{
      Status?: { State?: string };
      Spec?: { ContainerSpec?: { Image?: string } };
    }>;
    const running = tasks.filter((t) => t.Status?.State === 'running' && t.Spec?.ContainerSpec?.Image === image).length;
    if (running === replicas) return;
    if (Date.now() > deadline) throw new Error(`service ${name}: ${running} of ${replicas} tasks of ${image} running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The service's update state: updating, paused, completed, rollback_*. */
export async function updateState(docker: Docker, name: string): Promise<{ state: string | null; message: string | null }> {
  const info = (await docker.getService(name).inspect()) as { UpdateStatus?: { State?: string; Message?: string } };
  return { state: info.UpdateStatus?.State ?? null, message: info.UpdateStatus?.Message ?? null };
}

/** Removes every service carrying the label (their containers go with them). */
export async function removeServices(docker: Docker, labelFilter: string): Promise<void> {
  const services = await docker.listServices({ filters: { label: [labelFilter] } });
  await Promise.allSettled(services.map((s) => docker.getService(s.ID).remove()));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port base whose ports base*10+1..base*10+count are free on 127.0.0.1, below
 * deckhand's dynamic range (20000–32000), never one given out before in this run:
 * the tasks an update replaced may still hold theirs while they shut down.
 */
export async function freePortBase(count: number, used: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 1500 + Math.floor(Math.random() * 490);
    if (used.has(base)) continue;
    const ports = Array.from({ length: count }, (_, i) => base * 10 + i + 1);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) {
      used.add(base);
      return base;
    }
  }
  throw new Error('no free port range for the swarm service');
}
