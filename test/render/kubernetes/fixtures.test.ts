// The Kubernetes fixtures of scenario S5 and the bad files with their expected diagnostics.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allLines, lines, render } from './helpers.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const read = (path: string) => readFileSync(`${fixtures}${path}`, 'utf8');

describe('S5: kubernetes-bootcamp', () => {
  const renderVersion = (version: string) => render(read(`s5-kubernetes/${version}/deployment.yaml`), 'deployment.yaml');

  test.each([
    ['v1', 'deckhand-demo:v1', 600_000],
    ['v2', 'deckhand-demo:v2', 600_000],
    ['v3', 'deckhand-demo:v10', 10_000],
  ])('%s renders one job of 4 replicas with the default rolling update, image %s', (version, image, progressDeadlineMs) => {
    const result = renderVersion(version);
    expect(result.jobs).toHaveLength(1);
    expect(allLines(result)).toEqual([]);
    // The Service beside it is read, and put in front of the Deployment when the tree is rendered.
    expect(result.services).toEqual([expect.objectContaining({ name: 'kubernetes-bootcamp', namespace: 'default', selector: { app: 'kubernetes-bootcamp' }, headless: false, broken: false })]);
    expect(result.services![0]!.ports).toEqual([expect.objectContaining({ port: 8080, target: 'http' })]);
    const job = result.jobs[0]!.job;
    expect(job.id).toBe('kubernetes-bootcamp');
    expect(job.source).toEqual({ format: 'kubernetes', file: 'deployment.yaml' });
    expect(job.meta).toEqual({ app: 'kubernetes-bootcamp' });
    expect(job.historyLimit).toBe(10);
    const group = job.groups[0]!;
    expect(group.name).toBe('kubernetes-bootcamp');
    expect(group.count).toBe(4);
    // maxSurge 25% of 4 rounds up to 1, maxUnavailable 25% of 4 rounds down to 1.
    expect(group.update).toMatchObject({
      maxSurge: 1,
      maxUnavailable: 1,
      maxParallel: 2,
      order: 'stop-first',
      canary: 0,
      autoRevert: false,
      failureAction: 'pause',
      healthCheck: 'checks',
      minHealthyTimeMs: 0,
      healthyDeadlineMs: 0,
      progressDeadlineMs,
    });
    expect(group.tasks).toEqual([
      {
        name: 'kubernetes-bootcamp',
        driver: 'docker',
        image,
        command: null,
        args: null,
        entrypoint: null,
        env: { PORT: '8080' },
        ports: [{ label: 'http', static: null, to: 8080 }],
        resources: { cpu: null, cpuLimit: null, memoryMB: null },
        checks: [{ type: 'http', name: 'readiness', role: 'readiness', port: 'http', path: '/', method: 'GET', intervalMs: 1_000, timeoutMs: 1_000, retries: 3, startPeriodMs: 0 }],
        imageHealthcheck: 'use',
        shutdownDelayMs: 0,
        killTimeoutMs: 30_000,
        meta: {},
      },
    ]);
  });

  test('v1 → v2 changes only the image; v2 → v3 the image and the progress deadline', () => {
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => renderVersion(v).jobs[0]!.job);
    const withImage = (job: typeof v1, image: string) => JSON.parse(JSON.stringify(job).replace(/deckhand-demo:v\d+/, image)) as unknown;
    expect(withImage(v2, 'X')).toEqual(withImage(v1, 'X'));
    expect(v3!.groups[0]!.update.progressDeadlineMs).toBe(10_000);
    const v3Back = withImage(v3, 'X') as typeof v1;
    v3Back!.groups[0]!.update.progressDeadlineMs = 600_000;
    expect(v3Back).toEqual(withImage(v2, 'X'));
  });
});

describe('bad Kubernetes files print exactly their .expected lines', () => {
  const badFiles = readdirSync(`${fixtures}bad`).filter((name) => /^k8s-.*\.yaml$/.test(name)).sort();

  test('there are some', () => {
    expect(badFiles.length).toBeGreaterThanOrEqual(5);
  });

  test.each(badFiles)('%s', (name) => {
    const result = render(read(`bad/${name}`), name);
    const expected = read(`bad/${name}.expected`).split('\n').filter((line) => line !== '');
    expect(allLines(result)).toEqual(expected);
  });

  test('the missing image is found by the shared validation, not by the renderer', () => {
    const result = render(read('bad/k8s-missing-image.yaml'), 'k8s-missing-image.yaml');
    expect(lines(result.diagnostics)).toEqual([]);
    expect(allLines(result)).toHaveLength(1);
  });
});
