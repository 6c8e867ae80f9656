// Unit: an allocation as a Swarm service (src/runtime/swarm/service-spec.ts), pure.
import type { Group, Job } from '../../../src/model/job.js';
import type { PlacementRequest } from '../../../src/runtime/driver.js';
import { serviceName, serviceSpec, swarmRefusals, swarmResources, swarmRestartPolicy, SwarmSpecError } from '../../../src/runtime/swarm/index.js';
import { group, task } from '../support.js';

const options = { stopTimeoutSeconds: 3, extraLabels: { 'deckhand-test.run': 'x' }, networkSuffix: '' };

const jobOf = (groups: Group[], more: Partial<Job> = {}): Job => ({ id: 'shop', type: 'service', source: { format: 'compose', file: 'jobs/shop.yaml' }, meta: {}, historyLimit: null, networks: [], endpoints: [], groups, ...more });

function target(groupSpec: Group, overrides: Partial<PlacementRequest> = {}): PlacementRequest {
  return { allocId: '0123456789abcdef0123456789abcdef', index: 2, jobId: 'shop', jobVersion: 4, deploymentId: 'dep12345', group: groupSpec, specHash: 'hash-4', job: jobOf([groupSpec]), ...overrides };
}

const web = () => task({ name: 'web', image: 'deckhand-demo:v1', env: { PORT: '8080' }, ports: [{ label: 'http', static: null, to: 8080 }] });

describe('an allocation as a Swarm service', () => {
  it('is named <job>_<group>_<index>_<allocation>, shortened with a hash past 63 characters, allocations kept apart', () => {
    expect(serviceName('shop', 'web', 4, 'a1b2c3d4e5f6')).toBe('shop_web_4_a1b2c3d4');
    expect(serviceName('my shop', '.web', 1, 'a1b2c3d4')).toBe('my-shop_-web_1_a1b2c3d4');
    const long = (allocId: string) => serviceName('a'.repeat(40), 'b'.repeat(30), 1, allocId);
    expect(long('11111111')).toHaveLength(63);
    expect(long('11111111')).toMatch(/^a{40}_b{11}-[0-9a-f]{10}$/);
    expect(long('22222222')).not.toBe(long('11111111'));
  });

  it("runs one replica with dnsrr endpoints on the job's overlay, under the group's and task's names", () => {
    const spec = serviceSpec(target(group([web()], { name: 'web', network: { mode: 'bridge', attachments: [{ network: 'default', aliases: ['shop-web'] }] } })), { ...options, ports: { http: 20001 } });
    expect(spec.Name).toBe('shop_web_2_01234567');
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    // Its port published on its node only, where the agent's checks and the edge reach it.
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishedPort: 20001, PublishMode: 'host' }] });
    expect(spec.TaskTemplate).toMatchObject({ Networks: [{ Target: 'deckhand-shop', Aliases: ['web', 'shop-web'] }] });
  });

  it("fills in Nomad's per-allocation variables with the driver's ports, and runs a host-network group on its node's network", () => {
    const nomadTask = task({ name: 'server', image: 'demo:v1', env: { PORT: '${NOMAD_PORT_http}', WHO: '${NOMAD_ALLOC_INDEX}', BIND: '${NOMAD_IP_http}' }, ports: [{ label: 'http', static: null, to: null }] });
    const groupSpec = group([nomadTask], { name: 'api', network: { mode: 'host', attachments: [] } });
    const request = target(groupSpec, { job: jobOf([groupSpec], { source: { format: 'nomad', file: 'api.nomad' } }) });
    const spec = serviceSpec(request, { ...options, ports: { http: 20007 } });
    const container = (spec.TaskTemplate as { ContainerSpec: { Env: string[]; Mounts: unknown[] } }).ContainerSpec;
    expect(container.Env).toEqual(expect.arrayContaining(['PORT=20007', 'WHO=2', 'BIND=0.0.0.0', 'NOMAD_ALLOC_ID=0123456789abcdef0123456789abcdef']));
    expect(spec.Labels).toMatchObject({ 'deckhand.ports': '{"http":20007}' });
    expect(spec.TaskTemplate).toMatchObject({ Networks: [{ Target: 'host' }] });
    expect(spec.EndpointSpec).toBeUndefined();
    // Nomad's task folders, in memory.
    expect(container.Mounts).toEqual(['/alloc', '/local', '/secrets'].map((target) => ({ Type: 'tmpfs', Source: '', Target: target })));
  });

  it('carries deckhand labels and the stack namespace on the service and its containers, the file labels under them', () => {
    const labelled = task({ name: 'web', image: 'deckhand-demo:v1', container: { labels: { 'traefik.enable': 'true', 'com.docker.stack.namespace': 'other' } } });
    const spec = serviceSpec(target(group([labelled])), options);
    const expected = {
      'com.docker.stack.namespace': 'shop',
      'deckhand.job': 'shop',
      'deckhand.group': 'g',
      'deckhand.alloc': '0123456789abcdef0123456789abcdef',
      'deckhand.index': '2',
      'deckhand.version': '4',
      'deckhand.spec-hash': 'hash-4',
      'deckhand.deployment': 'dep12345',
      'deckhand.scope': '{"deckhand-test.run":"x"}',
      'deckhand-test.run': 'x',
    };
    expect(spec.Labels).toMatchObject(expected);
    const container = (spec.TaskTemplate as { ContainerSpec: { Labels: Record<string, string> } }).ContainerSpec;
    expect(container.Labels).toMatchObject({ ...expected, 'traefik.enable': 'true' });
    expect(JSON.parse(container.Labels['deckhand.job-spec']!)).toMatchObject({ id: 'shop' });
  });

  it("maps the task's command, image digest, exec check, stop timeout and container settings", () => {
    const full = task({
      name: 'web',
      image: 'registry.example/shop:v4',
      imageDigest: 'sha256:' + 'a'.repeat(64),
      command: 'httpd',
      args: ['-f'],
      entrypoint: ['/bin/sh', '-c'],
      killTimeoutMs: 1500,
      checks: [{ type: 'exec', name: null, role: 'readiness', intervalMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 0, command: ['CMD', 'true'] }],
      container: { user: '1000', groupAdd: ['2000'], workingDir: '/srv', extraHosts: ['db.local:198.18.0.5'], dns: ['198.18.0.53'], capDrop: ['ALL'], readOnlyRootfs: true, init: false, logging: { driver: 'json-file', options: { 'max-size': '1m' } } },
    });
    const spec = serviceSpec(target(group([full])), options);
    expect(spec.TaskTemplate).toMatchObject({
      ContainerSpec: {
        Image: 'registry.example/shop@sha256:' + 'a'.repeat(64),
        Command: ['/bin/sh', '-c'],
        Args: ['httpd', '-f'],
        HealthCheck: { Test: ['CMD', 'true'], Interval: 1e9, Timeout: 5e8, Retries: 2 },
        StopGracePeriod: 1.5e9,
        User: '1000',
        Groups: ['2000'],
        Dir: '/srv',
        Hosts: ['198.18.0.5 db.local'],
        DNSConfig: { Nameservers: ['198.18.0.53'], Search: [], Options: [] },
        CapabilityDrop: ['ALL'],
        ReadOnly: true,
        Init: false,
      },
      LogDriver: { Name: 'json-file', Options: { 'max-size': '1m' } },
    });
  });

  it("hands the group's placement to Swarm: constraints as written, spreads in order, the per-node limit (0: none)", () => {
    const placed = serviceSpec(target(group([web()], { name: 'web', placement: { constraints: ['node.labels.zone==east', 'node.role!=manager'], spread: ['node.labels.rack', 'node.labels.zone'], maxReplicasPerNode: 1 } })), options);
    expect(placed.TaskTemplate!.Placement).toEqual({
      Constraints: ['node.labels.zone==east', 'node.role!=manager'],
      Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.rack' } }, { Spread: { SpreadDescriptor: 'node.labels.zone' } }],
      MaxReplicas: 1,
    });
    const unlimited = serviceSpec(target(group([web()], { name: 'web', placement: { constraints: [], spread: [], maxReplicasPerNode: null } })), options);
    expect(unlimited.TaskTemplate!.Placement).toEqual({ Constraints: [], Preferences: [], MaxReplicas: 0 });
    expect(serviceSpec(target(group([web()], { name: 'web' })), options).TaskTemplate!.Placement).toBeUndefined();
  });

  it('maps restart policies one to one, and Nomad CPU MHz as a reservation beside the limits', () => {
    expect(swarmRestartPolicy({ condition: 'on-failure', maxAttempts: 3, delayMs: 1500, windowMs: 60_000 })).toEqual({ Condition: 'on-failure', Delay: 1.5e9, MaxAttempts: 3, Window: 6e10 });
    expect(swarmRestartPolicy({ condition: 'none', maxAttempts: 0, delayMs: 0, windowMs: 0 }).Condition).toBe('none');
    expect(swarmResources({ cpu: 500, cpuLimit: 2, memoryMB: 256 })).toEqual({ Reservations: { NanoCPUs: 5e8 }, Limits: { NanoCPUs: 2e9, MemoryBytes: 268435456 } });
    expect(swarmResources({ cpu: null, cpuLimit: null, memoryMB: null })).toEqual({});
  });

  it('refuses, setting by setting, what a service cannot carry, at its path in the job', () => {
    const sidecar = task({ name: 'log', lifecycle: { hook: 'prestart', sidecar: true } });
    const busy = task({
      name: 'web',
      env: { ADDR: '${node.unique.name}' },
      ports: [{ label: 'http', static: 8080, to: null }],
      mounts: [{ type: 'bind', source: '/srv/data', target: '/data', readOnly: false }],
      checks: [{ type: 'http', name: null, role: 'readiness', port: 'http', path: '/', method: 'GET', intervalMs: 1000, timeoutMs: 1000, retries: 1, startPeriodMs: 0 }],
      pull: 'always',
      container: { shmSizeBytes: 1024, noNewPrivileges: true },
    });
    const groupSpec = group([busy, sidecar]);
    expect(swarmRefusals(jobOf([groupSpec]))).toEqual([
      { path: 'groups.0.tasks', message: '2 tasks in group "g"; a Swarm service runs one container, and tasks of a group would share nothing across services' },
      { path: 'groups.0.tasks.0.mounts.0', message: 'task "web": a bind mount of /srv/data (a host path is on one node; Swarm chooses the node: use a volume, with a placement constraint to keep its data)' },
      { path: 'groups.0.tasks.0.pull', message: 'task "web": pull policy "always" (each node pulls as Swarm does)' },
      { path: 'groups.0.tasks.0.ports.0', message: 'task "web": port "http": a static host port (deckhand gives each allocation a port of its own)' },
      { path: 'groups.0.tasks.0.env.ADDR', message: 'task "web": ${node.unique.name}: names the node, which Swarm chooses after deckhand writes the service' },
      { path: 'groups.0.tasks.0.container.noNewPrivileges', message: 'task "web": noNewPrivileges: a service has no no-new-privileges option on Engine API 1.41' },
      { path: 'groups.0.tasks.0.container.shmSizeBytes', message: 'task "web": shmSizeBytes: a service has no /dev/shm size on Engine API 1.41' },
      { path: 'groups.0.tasks.1.lifecycle', message: 'task "log": prestart, poststart and sidecar tasks' },
    ]);
    expect(() => serviceSpec(target(groupSpec), options)).toThrow(SwarmSpecError);
    expect(() => serviceSpec(target(groupSpec), options)).toThrow(/^jobs\/shop\.yaml: not supported by --runtime swarm:\n {2}group "g": 2 tasks/);
    expect(swarmRefusals(jobOf([group([web()])]))).toEqual([]);
  });
});
