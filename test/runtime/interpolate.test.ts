import { interpolate, interpolateTask, interpolationVariables, nomadEnvironment } from '../../src/runtime/interpolate.js';
import type { TaskContext } from '../../src/runtime/interpolate.js';
import { task } from './support.js';

const context: TaskContext = {
  allocId: '14d288e8-aaaa',
  index: 3,
  jobId: 'geo-api-server',
  group: 'api-server',
  task: 'server',
  ports: { http: 23049, admin: 23050 },
  hostname: 'node-1',
};

describe('interpolate', () => {
  const variables = interpolationVariables(context);

  it('replaces port, address and allocation variables', () => {
    expect(interpolate('${NOMAD_PORT_http}', variables)).toBe('23049');
    expect(interpolate('${NOMAD_HOST_PORT_admin}', variables)).toBe('23050');
    expect(interpolate('${NOMAD_IP_http}', variables)).toBe('127.0.0.1');
    expect(interpolate('http://${NOMAD_ADDR_http}/x', variables)).toBe('http://127.0.0.1:23049/x');
    expect(interpolate('${NOMAD_ALLOC_ID}/${NOMAD_ALLOC_INDEX}', variables)).toBe('14d288e8-aaaa/3');
    expect(interpolate('${NOMAD_ALLOC_NAME}', variables)).toBe('geo-api-server.api-server[3]');
    expect(interpolate('${NOMAD_JOB_NAME} ${NOMAD_JOB_ID} ${NOMAD_GROUP_NAME} ${NOMAD_TASK_NAME}', variables)).toBe(
      'geo-api-server geo-api-server api-server server',
    );
    expect(interpolate('${node.unique.name} ${attr.kernel.name}', variables)).toBe('node-1 linux');
  });

  it('leaves unknown and unterminated variables as written', () => {
    expect(interpolate('${NOMAD_PORT_nope} ${meta.x} $NOMAD_PORT_http ${NOMAD_PORT_http', variables)).toBe(
      '${NOMAD_PORT_nope} ${meta.x} $NOMAD_PORT_http ${NOMAD_PORT_http',
    );
    expect(interpolate('${constructor} ${__proto__}', variables)).toBe('${constructor} ${__proto__}');
  });

  it('interpolates env, command, args and entrypoint, and adds the NOMAD_* environment', () => {
    const resolved = interpolateTask(
      task({
        name: 'server',
        env: { PORT: '${NOMAD_PORT_http}', NOMAD_JOB_NAME: 'mine', OTHER: '${HOME}' },
        command: '/bin/run-${NOMAD_TASK_NAME}',
        args: ['--listen', '${NOMAD_ADDR_http}'],
        entrypoint: ['/init', '${NOMAD_ALLOC_INDEX}'],
      }),
      context,
    );
    expect(resolved.env.get('PORT')).toBe('23049');
    expect(resolved.env.get('OTHER')).toBe('${HOME}');
    expect(resolved.env.get('NOMAD_JOB_NAME')).toBe('mine');
    expect(resolved.env.get('NOMAD_ADDR_admin')).toBe('127.0.0.1:23050');
    expect(resolved.command).toBe('/bin/run-server');
    expect(resolved.args).toEqual(['--listen', '127.0.0.1:23049']);
    expect(resolved.entrypoint).toEqual(['/init', '3']);
  });

  it('keeps absent command, args and entrypoint absent', () => {
    const resolved = interpolateTask(task({ name: 'server' }), context);
    expect(resolved).toMatchObject({ command: null, args: null, entrypoint: null });
  });

  it('sets the variables Nomad gives every task', () => {
    expect([...nomadEnvironment({ ...context, ports: {} }).keys()].sort()).toEqual(
      [
        'NOMAD_ALLOC_ID', 'NOMAD_ALLOC_INDEX', 'NOMAD_ALLOC_NAME', 'NOMAD_GROUP_NAME', 'NOMAD_JOB_ID', 'NOMAD_JOB_NAME', 'NOMAD_TASK_NAME',
        'NOMAD_SHORT_ALLOC_ID', 'NOMAD_TASK_DIR', 'NOMAD_ALLOC_DIR', 'NOMAD_SECRETS_DIR', 'NOMAD_NAMESPACE', 'NOMAD_REGION', 'NOMAD_DC',
      ].sort(),
    );
  });

  it('points the task directories where Nomad\'s docker driver mounts them', () => {
    expect(interpolate('${NOMAD_TASK_DIR}/app.conf ${NOMAD_ALLOC_DIR}/data ${NOMAD_SECRETS_DIR}/token', variables)).toBe('/local/app.conf /alloc/data /secrets/token');
    const env = nomadEnvironment(context);
    expect(env.get('NOMAD_TASK_DIR')).toBe('/local');
    expect(env.get('NOMAD_SHORT_ALLOC_ID')).toBe('14d288e8');
    expect(env.get('NOMAD_ALLOC_PORT_http')).toBe('23049');
  });

  it('gives the task\'s CPU and memory reservations as NOMAD_CPU_LIMIT and NOMAD_MEMORY_LIMIT', () => {
    const resolved = interpolateTask(task({ name: 'server', resources: { cpu: 250, cpuLimit: null, memoryMB: 128 }, args: ['-Xmx${NOMAD_MEMORY_LIMIT}m'] }), context);
    expect(resolved.env.get('NOMAD_CPU_LIMIT')).toBe('250');
    expect(resolved.env.get('NOMAD_MEMORY_LIMIT')).toBe('128');
    expect(resolved.args).toEqual(['-Xmx128m']);
  });

  it('gives a Nomad job\'s meta as NOMAD_META_<key>, as written and upper-cased', () => {
    const env = nomadEnvironment({ ...context, meta: { version: '1.2', 'build-id': 'b7' } });
    expect(env.get('NOMAD_META_version')).toBe('1.2');
    expect(env.get('NOMAD_META_VERSION')).toBe('1.2');
    expect(env.get('NOMAD_META_build_id')).toBe('b7');
    expect(env.get('NOMAD_META_BUILD_ID')).toBe('b7');
  });

  it('fills command, args and entrypoint from the task\'s environment too, as Nomad\'s runtime does; unknown names stay', () => {
    const resolved = interpolateTask(
      task({ name: 'server', env: { RTSERVER: 'rt.internal:${NOMAD_PORT_http}' }, args: ['--server', '${RTSERVER}', '${UPSTREAM}', '${NOMAD_UPSTREAM_ADDR_db}'] }),
      context,
    );
    expect(resolved.args).toEqual(['--server', 'rt.internal:23049', '${UPSTREAM}', '${NOMAD_UPSTREAM_ADDR_db}']);
    expect(resolved.variables.get('RTSERVER')).toBe('rt.internal:23049');
  });
});
