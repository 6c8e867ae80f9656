import { diagnosticsOf, jobOf, lines, renderInTree } from './helpers.js';

const stack = (webBody: string, more = '') => `services:
  db:
    image: postgres
  cache:
    image: redis
  web:
    image: nginx
${webBody}
${more}`;

describe('depends_on', () => {
  test('a list: each service started first', () => {
    const job = jobOf(stack('    depends_on: [db, cache]'));
    expect(job.groups.find((g) => g.name === 'web')!.dependsOn).toEqual({ db: 'started', cache: 'started' });
    expect(job.groups.find((g) => g.name === 'db')).not.toHaveProperty('dependsOn');
  });

  test('a map with conditions; required: false skips a service not in the file', () => {
    const job = jobOf(stack('    depends_on:\n      db: {condition: service_healthy, restart: false}\n      cache:\n      search: {condition: service_started, required: false}'));
    expect(job.groups.find((g) => g.name === 'web')!.dependsOn).toEqual({ db: 'healthy', cache: 'started' });
  });

  test('refused at their line: a missing service, restart: true, service_completed_successfully, itself', () => {
    expect(diagnosticsOf(stack('    depends_on: [dbx]'))).toEqual([expect.stringMatching(/:8:18: services\.web\.depends_on\[0\]: service "dbx" is not in the file/)]);
    expect(diagnosticsOf(stack('    depends_on:\n      db: {condition: service_healthy, restart: true}'))).toEqual([
      expect.stringMatching(/:9:\d+: services\.web\.depends_on\.db\.restart: restart: true is not supported/),
    ]);
    expect(diagnosticsOf(stack('    depends_on:\n      db: {condition: service_completed_successfully}'))).toEqual([
      expect.stringMatching(/:9:\d+: services\.web\.depends_on\.db\.condition: service_completed_successfully is not supported/),
    ]);
    expect(diagnosticsOf(stack('    depends_on: [web]'))).toEqual([expect.stringMatching(/depends_on\[0\]: a service cannot depend on itself/)]);
  });

  test('a circle is an error at the dependency that closes it', () => {
    const text = `services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n`;
    expect(lines(renderInTree(text).diagnostics)).toEqual([expect.stringMatching(/:7:\d+: services\.b\.depends_on\[0\]: the groups depend on each other in a circle: a → b → a/)]);
  });

  test('a service without depends_on has the same job as before (no field)', () => {
    expect(jobOf(stack('')).groups.every((g) => !('dependsOn' in g))).toBe(true);
  });
});
