import { readFileSync, readdirSync } from 'node:fs';
import { swarmUpdateDefaults } from '../../../src/render/defaults.js';
import { validateJob } from '../../../src/render/validate.js';
import { lines, render, renderJob } from './helpers.js';
import { checkHostPaths } from '../../../src/render/host-paths.js';

const fixtures = new URL('../../../fixtures/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, fixtures), 'utf8');
/** Renders a fixture with its path relative to the fixtures folder, as the CLI would from there. */
const renderFixture = (path: string) => {
  const mapped = renderJob(read(path), { path, rootName: 'fixtures' });
  expect(validateJob(mapped.job, mapped.fields)).toEqual([]);
  return mapped.job;
};

describe('S6: Swarm automatic rollback', () => {
  test.each([
    ['v1', 'deckhand-demo:v1'],
    ['v2', 'deckhand-demo:unhealthy'],
  ])('%s renders the whoami service with failure_action rollback', (version, image) => {
    const job = renderFixture(`s6-swarm-rollback/${version}/docker-compose.yml`);
    expect(job.id).toBe('whoami');
    expect(job.groups).toHaveLength(1);
    const group = job.groups[0]!;
    expect([group.name, group.count]).toEqual(['whoami', 2]);
    // No rollback_config: Swarm rolls back with its own defaults, not update_config's.
    expect(group.rollback).toEqual({ ...swarmUpdateDefaults, autoRevert: false });
    expect(group.update).toEqual({ ...swarmUpdateDefaults, failureAction: 'rollback', autoRevert: true, delayMs: 10_000, monitorMs: 10_000 });
    expect(group.tasks[0]).toMatchObject({ name: 'whoami', image, env: { PORT: '8000' }, ports: [{ label: '8000', static: null, to: 8000 }], checks: [], imageHealthcheck: 'use' });
  });

  test('v1 and v2 differ only in the image', () => {
    const [v1, v2] = ['v1', 'v2'].map((v) => renderFixture(`s6-swarm-rollback/${v}/docker-compose.yml`));
    v2!.groups[0]!.tasks[0]!.image = v1!.groups[0]!.tasks[0]!.image;
    expect({ ...v2, source: null }).toEqual({ ...v1, source: null });
  });
});

describe('S7: Swarm parallelism and delay', () => {
  test.each([
    ['v1', 'deckhand-demo:v1', 'stop-first'],
    ['v2', 'deckhand-demo:v2', 'stop-first'],
    ['v3', 'deckhand-demo:v1', 'start-first'],
  ])('%s: four replicas, two at a time, ten seconds apart', (version, image, order) => {
    const job = renderFixture(`s7-swarm-parallel/${version}/docker-compose.yml`);
    expect(job.id).toBe('vote');
    const group = job.groups[0]!;
    expect([group.name, group.count, group.tasks[0]!.image]).toEqual(['vote', 4, image]);
    expect(group.update).toEqual({ ...swarmUpdateDefaults, maxParallel: 2, delayMs: 10_000, order });
  });
});

describe('bad compose fixtures', () => {
  const names = readdirSync(new URL('bad/', fixtures)).filter((name) => name.startsWith('compose-') && name.endsWith('.yml'));

  test('there are some', () => {
    expect(names.length).toBeGreaterThanOrEqual(5);
  });

  test.each(names)('%s gives exactly the diagnostics in its .expected file', (name) => {
    const expected = read(`bad/${name}.expected`).split('\n').filter((line) => line !== '');
    const result = render(read(`bad/${name}`), { path: name, rootName: 'bad' });
    // Host paths are judged once a job is mapped, as the tree does (render/host-paths.ts).
    expect(lines([...result.diagnostics, ...result.jobs.flatMap((j) => checkHostPaths(j.job, j.fields))])).toEqual(expected);
  });
});

describe('with the shared validation', () => {
  test('a build-only service is refused at build: deckhand builds nothing', () => {
    const result = render('services:\n  web:\n    build: .\n');
    expect(lines(result.diagnostics)).toEqual([
      'app/docker-compose.yml:3:5: services.web.build: service "web" has only build: deckhand runs images and never builds them (build the image in CI, push it to a registry, and set image: to its tag (build: may stay beside it))',
    ]);
  });

  test('a service with neither image nor build is reported at the service by validation', () => {
    const mapped = renderJob('services:\n  web:\n    command: ["true"]\n');
    expect(lines(validateJob(mapped.job, mapped.fields))).toEqual(['app/docker-compose.yml:2:3: services.web: task "web" has no image (set the image to run)']);
  });

  test('a port name given twice is reported at the second entry', () => {
    const mapped = renderJob('services:\n  web:\n    image: nginx\n    ports:\n      - {target: 80, name: web}\n      - {target: 81, name: web}\n');
    expect(lines(validateJob(mapped.job, mapped.fields))).toEqual(['app/docker-compose.yml:6:9: services.web.ports[1]: port "web" is defined more than once']);
  });

  test('an invalid service name is reported at the service key', () => {
    const mapped = renderJob('services:\n  "web app":\n    image: nginx\n');
    expect(validateJob(mapped.job, mapped.fields)[0]).toMatchObject({ line: 2, col: 3, field: 'services.web app' });
  });
});
