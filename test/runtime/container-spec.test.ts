import { containerName, containerSpec, cpuShares, healthcheck, restartPolicy } from '../../src/runtime/docker/container-spec.js';
import type { ExecCheck } from '../../src/model/job.js';
import { group, request, task, webTask } from './support.js';

const options = { hostname: 'node-1', stopTimeoutSeconds: 3, extraLabels: { 'deckhand-test.run': 'x' }, publishAddress: '127.0.0.1', networkSuffix: '' };

const execCheck = (overrides: Partial<ExecCheck> = {}): ExecCheck => ({
  type: 'exec',
  name: null,
  role: 'readiness',
  intervalMs: 1000,
  timeoutMs: 500,
  retries: 2,
  startPeriodMs: 250,
  command: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:${NOMAD_PORT_http}/'],
  ...overrides,
});

describe('container spec', () => {
  const req = request('web-job', group([webTask()]), { allocId: '0123456789abcdef', index: 2 });

  it('names containers after job, group, index and allocation, adding the task when there are several', () => {
    expect(containerName(req, 'web')).toBe('web-job-g-2-01234567');
    const two = request('web job', group([webTask(), webTask('deckhand-demo:v2', 'side')]), { allocId: 'abcdef0123' });
    expect(containerName(two, 'side')).toBe('web_job-g-0-abcdef01-side');
  });

  it("joins the job's network under its group and task names, publishes its ports, and sets init, labels and the NOMAD_* environment", () => {
    const spec = containerSpec(req, webTask(), { http: 23049 }, options);
    expect(spec.HostConfig).toMatchObject({
      NetworkMode: 'deckhand-web-job',
      PortBindings: { '23049/tcp': [{ HostIp: '127.0.0.1', HostPort: '23049' }] },
      Init: true,
      RestartPolicy: { Name: 'no' },
    });
    expect(spec.NetworkingConfig).toEqual({ EndpointsConfig: { 'deckhand-web-job': { Aliases: ['g', 'web'] } } });
    expect(spec.ExposedPorts).toEqual({ '23049/tcp': {} });
    expect(spec.Env).toEqual(expect.arrayContaining(['PORT=23049', 'NOMAD_PORT_http=23049', 'NOMAD_ADDR_http=127.0.0.1:23049', 'NOMAD_ALLOC_INDEX=2']));
    expect(spec.Labels).toMatchObject({
      'deckhand.job': 'web-job',
      'deckhand.group': 'g',
      'deckhand.task': 'web',
      'deckhand.alloc': '0123456789abcdef',
      'deckhand.index': '2',
      'deckhand.version': '1',
      'deckhand.spec-hash': 'hash-1',
      'deckhand.deployment': 'dep12345',
      'deckhand.ports': '{"http":23049}',
      'deckhand-test.run': 'x',
    });
    expect(spec.StopTimeout).toBe(3);
    expect(spec).not.toHaveProperty('Cmd');
    expect(spec).not.toHaveProperty('Entrypoint');
    expect(spec).not.toHaveProperty('Healthcheck');
  });

  it("carries the task's container settings, the file's labels under deckhand's own", () => {
    const withSettings = task({
      name: 't',
      container: {
        labels: { 'traefik.enable': 'true', 'deckhand.job': 'forged' },
        user: '1000:1000',
        workingDir: '/srv',
        hostname: 'web-1',
        stopSignal: 'SIGQUIT',
        extraHosts: ['db.local:198.18.0.5'],
        dns: ['198.18.0.53'],
        groupAdd: ['2000'],
        capAdd: ['NET_ADMIN'],
        capDrop: ['ALL'],
        readOnlyRootfs: true,
        sysctls: { 'net.core.somaxconn': '1024' },
        ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
        shmSizeBytes: 67108864,
        init: false,
        logging: { driver: 'json-file', options: { 'max-size': '1m' } },
      },
    });
    const spec = containerSpec(req, withSettings, {}, options);
    expect(spec).toMatchObject({ User: '1000:1000', WorkingDir: '/srv', Hostname: 'web-1', StopSignal: 'SIGQUIT' });
    expect(spec.Labels).toMatchObject({ 'traefik.enable': 'true', 'deckhand.job': 'web-job' });
    expect(spec.HostConfig).toMatchObject({
      ExtraHosts: ['db.local:198.18.0.5'],
      Dns: ['198.18.0.53'],
      GroupAdd: ['2000'],
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      ReadonlyRootfs: true,
      Sysctls: { 'net.core.somaxconn': '1024' },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ShmSize: 67108864,
      Init: false,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
    const plain = containerSpec(req, task({ name: 't' }), {}, options);
    expect(plain).not.toHaveProperty('User');
    expect(plain.HostConfig).not.toHaveProperty('CapAdd');
    expect(plain.HostConfig).not.toHaveProperty('GroupAdd');
  });

  it('builds Cmd from command and args', () => {
    const withCommand = containerSpec(req, task({ name: 't', command: '/bin/sh', args: ['-c', 'echo ${NOMAD_ALLOC_INDEX}'] }), {}, options);
    expect(withCommand.Cmd).toEqual(['/bin/sh', '-c', 'echo 2']);
    expect(containerSpec(req, task({ name: 't', args: ['a'] }), {}, options).Cmd).toEqual(['a']);
    expect(containerSpec(req, task({ name: 't', entrypoint: ['/x'] }), {}, options).Entrypoint).toEqual(['/x']);
  });

  it('maps resources: MHz to shares, cores to NanoCpus, MB to bytes', () => {
    expect(cpuShares(1000)).toBe(1024);
    expect(cpuShares(100)).toBe(102);
    expect(cpuShares(1)).toBe(2);
    const spec = containerSpec(req, task({ name: 't', resources: { cpu: 500, cpuLimit: 0.5, memoryMB: 32 } }), {}, options);
    expect(spec.HostConfig).toMatchObject({ CpuShares: 512, NanoCpus: 500_000_000, Memory: 32 * 1024 * 1024 });
  });

  it('maps restart policies', () => {
    const policy = (condition: 'any' | 'on-failure' | 'none', maxAttempts: number) => restartPolicy({ condition, maxAttempts, delayMs: 0, windowMs: 0 });
    expect(policy('none', 3)).toEqual({ Name: 'no' });
    expect(policy('on-failure', 3)).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(policy('on-failure', 0)).toEqual({ Name: 'on-failure', MaximumRetryCount: 0 });
    expect(policy('any', 0)).toEqual({ Name: 'unless-stopped' });
    expect(policy('any', 2)).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
  });

  it('turns an exec check into the HEALTHCHECK, readiness first, or disables the image one', () => {
    const variables = new Map([['NOMAD_PORT_http', '23049']]);
    const liveness = execCheck({ role: 'liveness', command: ['CMD', 'true'] });
    expect(healthcheck(task({ name: 't', checks: [liveness, execCheck()] }), variables)).toEqual({
      Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:23049/'],
      Interval: 1_000_000_000,
      Timeout: 500_000_000,
      StartPeriod: 250_000_000,
      Retries: 2,
    });
    expect(healthcheck(task({ name: 't', checks: [liveness] }), variables)?.Test).toEqual(['CMD', 'true']);
    expect(healthcheck(task({ name: 't', imageHealthcheck: 'disable' }), variables)).toEqual({ Test: ['NONE'] });
    expect(healthcheck(task({ name: 't' }), variables)).toBeUndefined();
  });

  it('maps a fixed container port to the host port: NOMAD_PORT_ is the inside, NOMAD_HOST_PORT_ and the address the outside', () => {
    const fixed = task({ name: 'web', ports: [{ label: 'http', static: null, to: 80 }] });
    const spec = containerSpec(req, fixed, { http: 23050 }, { ...options, publishAddress: '127.0.0.2' });
    expect(spec.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.2', HostPort: '23050' }] });
    expect(spec.Env).toEqual(expect.arrayContaining(['NOMAD_PORT_http=80', 'NOMAD_HOST_PORT_http=23050', 'NOMAD_ADDR_http=127.0.0.2:23050']));
  });

  it('publishes one container port on two host ports when two labels map it', () => {
    const two = task({ name: 'web', ports: [{ label: 'a', static: null, to: 80 }, { label: 'b', static: null, to: 80 }] });
    const spec = containerSpec(req, two, { a: 21000, b: 21001 }, options);
    expect(spec.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '21000' }, { HostIp: '127.0.0.1', HostPort: '21001' }] });
  });

  it('runs on the host network when the group asks, binding the host ports itself', () => {
    const hostGroup = group([webTask()], { network: { mode: 'host', attachments: [] } });
    const spec = containerSpec(request('web-job', hostGroup), webTask(), { http: 23051 }, options);
    expect(spec.HostConfig).toMatchObject({ NetworkMode: 'host' });
    expect(spec.HostConfig).not.toHaveProperty('PortBindings');
    expect(spec).not.toHaveProperty('NetworkingConfig');
    expect(spec.Env).toEqual(expect.arrayContaining(['PORT=23051', 'NOMAD_PORT_http=23051']));
  });

  it("joins the file's networks with their aliases, external ones by their own name", () => {
    const job = { networks: [{ name: 'default', dockerName: null, external: false }, { name: 'front', dockerName: 'proxy', external: true }] };
    const twoNetworks = group([webTask()], { name: 'api', network: { mode: 'bridge', attachments: [{ network: 'front', aliases: ['api.local'] }, { network: 'default', aliases: [] }] } });
    const req2 = { ...request('shop', twoNetworks), job: job as never };
    const spec = containerSpec(req2, webTask(), { http: 23052 }, options);
    expect(spec.HostConfig?.NetworkMode).toBe('proxy');
    expect(spec.NetworkingConfig).toEqual({ EndpointsConfig: { proxy: { Aliases: ['api', 'web', 'api.local'] } } });
  });

  it("uses the task's kill timeout as the container's stop timeout", () => {
    expect(containerSpec(req, task({ name: 't', killTimeoutMs: 12_500 }), {}, options).StopTimeout).toBe(13);
  });
});
