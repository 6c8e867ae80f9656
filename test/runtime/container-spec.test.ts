import { containerName, containerSpec, cpuShares, followTargetPorts, healthcheck, restartPolicy } from '../../src/runtime/docker/container-spec.js';
import type { ExecCheck } from '../../src/model/job.js';
import { group, request, task, webTask } from './support.js';

const options = { hostname: 'node-1', stopTimeoutSeconds: 3, extraLabels: { 'deckhand-test.run': 'x' } };

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

  it('runs with host networking, init, labels and the NOMAD_* environment', () => {
    const spec = containerSpec(req, webTask(), { http: 23049 }, options);
    expect(spec.HostConfig).toMatchObject({ NetworkMode: 'host', Init: true, RestartPolicy: { Name: 'no' } });
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

  it('points env values naming a target port at its host port', () => {
    const env = new Map([
      ['PORT', '8000'],
      ['OTHER', '80'],
      ['NOMAD_PORT_8000', '8000'],
    ]);
    followTargetPorts(env, [{ label: '8000', static: null, to: 8000 }], { '8000': 21007 });
    expect(Object.fromEntries(env)).toEqual({ PORT: '21007', OTHER: '80', NOMAD_PORT_8000: '8000' });
    const same = new Map([['PORT', '8000']]);
    followTargetPorts(same, [{ label: 'http', static: 8000, to: 8000 }], { http: 8000 });
    expect(same.get('PORT')).toBe('8000');
  });
});
