import { containerSpec } from '../../src/runtime/docker/container-spec.js';
import { group, request, task } from './support.js';

const options = { hostname: 'node-1', stopTimeoutSeconds: 3, extraLabels: {}, publishAddress: '127.0.0.1', networkSuffix: '' };

describe('container settings in the create body', () => {
  const req = request('shop', group([task({ name: 't' })]), { allocId: '0123456789abcdef', index: 2 });

  it('no privilege escalation is Docker\'s no-new-privileges', () => {
    const spec = containerSpec(req, task({ name: 't', container: { noNewPrivileges: true } }), {}, options);
    expect(spec.HostConfig!.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(containerSpec(req, task({ name: 't' }), {}, options).HostConfig).not.toHaveProperty('SecurityOpt');
  });

  it('Nomad runtime variables in the settings name the allocation; the model keeps them as written', () => {
    const withVariables = task({
      name: 't',
      container: {
        hostname: 'web-${NOMAD_ALLOC_INDEX}',
        labels: { alloc: '${NOMAD_ALLOC_ID}', plain: 'x' },
        logging: { driver: 'json-file', options: { tag: '${NOMAD_JOB_NAME}' } },
        extraHosts: ['self:127.0.0.1'],
      },
    });
    const spec = containerSpec(req, withVariables, {}, options);
    expect(spec.Hostname).toBe('web-2');
    expect(spec.Labels).toMatchObject({ alloc: '0123456789abcdef', plain: 'x' });
    expect(spec.HostConfig!.LogConfig).toEqual({ Type: 'json-file', Config: { tag: 'shop' } });
    expect(spec.HostConfig!.ExtraHosts).toEqual(['self:127.0.0.1']);
    expect(withVariables.container!.hostname).toBe('web-${NOMAD_ALLOC_INDEX}');
  });

  it('the task\'s own environment fills the settings too, and the task directories are Nomad\'s; unknown names stay', () => {
    const withEnv = task({
      name: 't',
      env: { SITE: 'shop-eu' },
      args: ['--conf', '${NOMAD_TASK_DIR}/app.conf'],
      container: { hostname: '${SITE}-${NOMAD_ALLOC_INDEX}', labels: { upstream: '${NOMAD_UPSTREAM_ADDR_db}' } },
    });
    const spec = containerSpec(req, withEnv, {}, options);
    expect(spec.Hostname).toBe('shop-eu-2');
    expect(spec.Labels).toMatchObject({ upstream: '${NOMAD_UPSTREAM_ADDR_db}' });
    expect(spec.Cmd).toEqual(['--conf', '/local/app.conf']);
    expect(spec.Env).toEqual(expect.arrayContaining(['NOMAD_TASK_DIR=/local', 'NOMAD_ALLOC_DIR=/alloc', 'NOMAD_SECRETS_DIR=/secrets', 'SITE=shop-eu']));
  });

  it('a Nomad job\'s meta reaches the task as NOMAD_META_*, the task\'s winning over the group\'s and the job\'s; other formats get none', () => {
    const metaTask = task({ name: 't', meta: { tier: 'task' }, args: ['${NOMAD_META_release}'] });
    const groupSpec = group([metaTask], { meta: { tier: 'group', release: 'r9' } });
    const job = (format: 'nomad' | 'compose') => ({
      id: 'shop', type: 'service' as const, source: { format, file: 'shop.nomad' }, meta: { owner: 'ops', tier: 'job' }, historyLimit: null, networks: [], endpoints: [], groups: [groupSpec],
    });
    const nomad = containerSpec(request('shop', groupSpec, { job: job('nomad') }), metaTask, {}, options);
    expect(nomad.Env).toEqual(expect.arrayContaining(['NOMAD_META_owner=ops', 'NOMAD_META_tier=task', 'NOMAD_META_TIER=task', 'NOMAD_META_release=r9']));
    expect(nomad.Cmd).toEqual(['r9']);
    const compose = containerSpec(request('shop', groupSpec, { job: job('compose') }), metaTask, {}, options);
    expect(compose.Env!.filter((e) => e.startsWith('NOMAD_META_'))).toEqual([]);
  });
});
