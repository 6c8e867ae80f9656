// Rendering must never throw: every problem comes back as a diagnostic with a place.
// Files go through the tree's renderFile, whose last-resort catch would report an
// exception as code `internal`.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { Document, stringify } from 'yaml';
import type { FormatResult } from '../../../src/render/types.js';
import { deployment, renderInTree as render } from './helpers.js';

function expectWellFormed(result: FormatResult): void {
  for (const d of result.diagnostics) {
    expect(d.code).not.toBe('internal');
    expect(d.file).toBe('app.yaml');
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(typeof d.message).toBe('string');
  }
}

describe('hostile input', () => {
  test('an alias bomb is a diagnostic, not a hang or an exception', () => {
    const bomb = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
x1: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
x2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
x3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
x4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
x5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
x6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
x7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`;
    const result = render(bomb);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'syntax', line: 1, col: 1 });
    expect(result.diagnostics[0]!.message).toMatch(/alias/);
  });

  test.each([
    ['flow sequences', `spec: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['flow mappings', `spec: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`],
    ['block mappings', Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
  ])('10,000-deep %s are a diagnostic, not an exception', (_, nesting) => {
    const result = render(`apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n${nesting}`);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expectWellFormed(result);
  });

  test('deep nesting that YAML can read, in every place the renderer looks, is handled', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 500; i++) deep = i % 2 ? [deep] : { k: deep };
    const result = render(stringify(deployment({ metadata: { labels: deep as never }, spec: { replicas: deep, strategy: deep }, container: { env: deep, ports: deep, readinessProbe: deep, resources: deep, command: deep } })));
    expect(result.jobs).toEqual([]);
    expectWellFormed(result);
  });

  const places: ((value: unknown) => unknown)[] = [
    (v) => v,
    (v) => ({ ...deployment(), kind: v }),
    (v) => ({ ...deployment(), apiVersion: v }),
    (v) => deployment({ metadata: { name: v } }),
    (v) => deployment({ metadata: { labels: v } }),
    (v) => ({ ...deployment(), spec: v }),
    (v) => deployment({ spec: { replicas: v } }),
    (v) => deployment({ spec: { template: v } }),
    (v) => deployment({ spec: { strategy: v } }),
    (v) => deployment({ spec: { strategy: { rollingUpdate: v } } }),
    (v) => deployment({ spec: { strategy: { rollingUpdate: { maxSurge: v, maxUnavailable: v } } } }),
    (v) => deployment({ spec: { minReadySeconds: v, progressDeadlineSeconds: v, revisionHistoryLimit: v, paused: v } }),
    (v) => deployment({ pod: { containers: v } }),
    (v) => deployment({ pod: { containers: [v] } }),
    (v) => deployment({ pod: { restartPolicy: v, initContainers: v } }),
    (v) => deployment({ container: { name: v, image: v, command: v, args: v } }),
    (v) => deployment({ container: { env: v, envFrom: v } }),
    (v) => deployment({ container: { env: [v, { name: 'A', value: v }] } }),
    (v) => deployment({ container: { ports: v } }),
    (v) => deployment({ container: { ports: [v, { containerPort: v, name: v, hostPort: v, protocol: v }] } }),
    (v) => deployment({ container: { resources: v } }),
    (v) => deployment({ container: { resources: { limits: v, requests: v } } }),
    (v) => deployment({ container: { resources: { limits: { cpu: v, memory: v } } } }),
    (v) => deployment({ container: { readinessProbe: v, livenessProbe: v } }),
    (v) => deployment({ container: { readinessProbe: { httpGet: v, periodSeconds: v } } }),
    (v) => deployment({ container: { readinessProbe: { httpGet: { port: v, path: v } } } }),
    (v) => deployment({ container: { livenessProbe: { tcpSocket: { port: v }, exec: v } } }),
    (v) => deployment({ container: { livenessProbe: { exec: { command: v } }, successThreshold: v } }),
  ];

  test('any value in any place renders without throwing', () => {
    fc.assert(
      fc.property(fc.nat(places.length - 1), fc.jsonValue({ maxDepth: 4 }), (place, value) => {
        const result = render(stringify(places[place]!(value)));
        expectWellFormed(result);
        // A job only comes back from a file without errors, the shared validation's included.
        if (result.diagnostics.some((d) => d.severity === 'error')) expect(result.jobs).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  test('any text renders without throwing', () => {
    const yamlish = fc.stringMatching(/^[a-z:\-[\]{}&*!|>'"%@` \n0-9.#]{0,200}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), yamlish), (text) => {
        expectWellFormed(render(`apiVersion: apps/v1\nkind: Deployment\n${text}`));
        expectWellFormed(render(text));
      }),
      { numRuns: 500 },
    );
  });

  // These two replace the yaml library's toJS, which reads every YAML file. (The
  // `!!str` tag once kept the file off a fast YAML path, removed since: issue 12.)
  test('an exception from reading the YAML is reported with its own message', () => {
    // Only a stack overflow means the nesting is too deep; any other RangeError says what it is.
    const toJS = jest.spyOn(Document.prototype, 'toJS').mockImplementation(() => {
      throw new RangeError('Invalid array length');
    });
    try {
      const result = render('apiVersion: apps/v1\nkind: !!str Deployment\n');
      expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'syntax', line: 1, col: 1, message: 'Invalid array length' })]);
    } finally {
      toJS.mockRestore();
    }
  });

  test('a stack overflow while reading the YAML says the nesting is too deep', () => {
    const toJS = jest.spyOn(Document.prototype, 'toJS').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      expect(render('apiVersion: apps/v1\nkind: !!str Deployment\n').diagnostics.map((d) => d.message)).toEqual(['nesting is too deep']);
    } finally {
      toJS.mockRestore();
    }
  });
});
