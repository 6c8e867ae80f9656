// Compose's depends_on in deployments (src/rollout/start-order.ts), in the simulated world.
import type { Group, Job } from '../../src/model/job.js';
import { swarmUpdateDefaults } from '../../src/render/defaults.js';
import { World } from './sim.js';

const images = { 'db:1': { startMs: 2000, kind: 'good' as const }, 'db:2': { startMs: 2000, kind: 'good' as const }, 'web:1': { startMs: 300, kind: 'good' as const } };

function group(name: string, image: string, count: number, dependsOn?: Group['dependsOn']): Group {
  return {
    name,
    count,
    update: { ...swarmUpdateDefaults, minHealthyTimeMs: 500 },
    rollback: null,
    restart: { condition: 'any', maxAttempts: 0, delayMs: 500, windowMs: 0 },
    network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
    ...(dependsOn ? { dependsOn } : {}),
    meta: {},
    tasks: [{ name, driver: 'docker', image, command: null, args: null, entrypoint: null, env: {}, ports: [], resources: { cpu: null, cpuLimit: null, memoryMB: null }, checks: [], imageHealthcheck: 'use', shutdownDelayMs: 0, killTimeoutMs: null, meta: {} }],
  };
}

function stack(dbImage: string, condition: 'started' | 'healthy'): Job {
  return {
    id: 'shop', type: 'service', source: { format: 'compose', file: 'compose.yaml' }, meta: {}, historyLimit: null,
    networks: [{ name: 'default', dockerName: null, external: false }], endpoints: [],
    // web comes first in the file: the order is the dependency's, not the file's.
    groups: [group('web', 'web:1', 2, { db: condition }), group('db', dbImage, 2)],
  };
}

const firstPlacement = (world: World, name: string) => world.log.find(({ decision }) => decision.kind === 'place' && decision.group === name)!.time;

describe('depends_on in a deployment', () => {
  it('service_healthy: the dependant is placed only once every allocation of the dependency is healthy', () => {
    const world = new World(images);
    world.submit(stack('db:1', 'healthy'));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful', description: 'Deployment completed successfully' });
    expect(firstPlacement(world, 'db')).toBe(0);
    // db starts in 2 s and must then be ready for 500 ms.
    expect(firstPlacement(world, 'web')).toBeGreaterThanOrEqual(2500);
    expect(world.log.some(({ decision }) => decision.kind === 'describe' && decision.description === 'Deployment is waiting for group "db" to be healthy')).toBe(true);
  });

  it('service_started: the dependant is placed once the dependency runs, before it is healthy', () => {
    const world = new World(images);
    world.submit(stack('db:1', 'started'));
    world.run();
    expect(world.deployment!.status).toBe('successful');
    // Placed in a later round than db (whose containers then run), long before db is ready.
    const placed = (name: string) => world.log.findIndex(({ decision }) => decision.kind === 'place' && decision.group === name);
    expect(placed('web')).toBeGreaterThan(placed('db') + 1);
    expect(firstPlacement(world, 'web')).toBeLessThan(2000);
  });

  it('an update of the dependency does not replace its dependants', () => {
    const world = new World(images);
    world.submit(stack('db:1', 'healthy'));
    world.run();
    const web = world.running().filter((a) => a.image === 'web:1');
    world.log = [];
    world.submit(stack('db:2', 'healthy'));
    world.run();
    expect(world.deployment!.status).toBe('successful');
    expect(world.log.some(({ decision }) => decision.kind === 'place' && decision.group === 'web')).toBe(false);
    expect(world.running().filter((a) => a.image === 'web:1')).toHaveLength(web.length);
    expect(world.running().filter((a) => a.image === 'db:2')).toHaveLength(2);
  });
});
