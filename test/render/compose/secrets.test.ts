// Compose secrets and configs as the task's files.
import { renderFile } from '../../../src/render/tree.js';
import { firstTask, lines, render } from './helpers.js';

const compose = (service: string, top: string) => `services:
  web:
    image: busybox
${service}
${top}`;

const files = { 'app/db_password.txt': 'hunter2\n', 'app/conf/site.conf': 'listen 80\n', 'shared.txt': 'from the root\n' };

describe('Compose secrets and configs', () => {
  test('short syntax: a secret at /run/secrets/<name>, a config at /<name>, both 0444; only the secret is sensitive', () => {
    const task = firstTask(compose('    secrets: [db_password]\n    configs: [site]', 'secrets:\n  db_password:\n    file: ./db_password.txt\nconfigs:\n  site:\n    file: conf/site.conf'), { files });
    expect(task.files).toEqual([
      { target: '/run/secrets/db_password', content: 'hunter2\n', mode: 0o444, sensitive: true },
      { target: '/site', content: 'listen 80\n', mode: 0o444, sensitive: false },
    ]);
  });

  test('long syntax: target (a name under /run/secrets, or absolute) and mode, written 0440 as YAML 1.1 reads it, "0400" or decimal', () => {
    const task = firstTask(
      compose(
        `    secrets:
      - source: db
        target: db.txt
        mode: 0440
      - source: db
        target: /etc/db
        mode: "0400"
    configs:
      - source: site
        target: /etc/nginx/site.conf
        mode: 288`,
        'secrets:\n  db:\n    file: ./db_password.txt\nconfigs:\n  site:\n    content: "server {}"',
      ),
      { files },
    );
    expect(task.files!.map((f) => [f.target, f.mode.toString(8), f.sensitive])).toEqual([
      ['/run/secrets/db.txt', '440', true],
      ['/etc/db', '400', true],
      ['/etc/nginx/site.conf', '440', false],
    ]);
    expect(task.files![2]!.content).toBe('server {}');
  });

  test('a path may lead up to the root of the repository, not out of it', () => {
    const task = firstTask(compose('    configs: [shared]', 'configs:\n  shared:\n    file: ../shared.txt'), { files });
    expect(task.files![0]!.content).toBe('from the root\n');
  });

  test('a service without secrets or configs has no files field (its spec hash is unchanged)', () => {
    const task = firstTask(compose('', 'secrets:\n  unused:\n    file: ./missing.txt'), { files });
    expect('files' in task).toBe(false);
  });

  test('a missing file is an error at its declaration, once, naming the path looked for', () => {
    const result = render(compose('    secrets: [a, b]', 'secrets:\n  a:\n    file: ./nope.txt\n  b:\n    file: ./db_password.txt'), { files });
    expect(lines(result.diagnostics)).toEqual(['app/docker-compose.yml:7:11: secrets.a.file: secret file "./nope.txt" not found, or not UTF-8 text (looked for app/nope.txt)']);
    expect(result.diagnostics[0]!.code).toBe('missing-file');
  });

  test('two files at one target are an error at the second', () => {
    const result = render(compose('    secrets:\n      - a\n      - source: b\n        target: a', 'secrets:\n  a:\n    file: ./db_password.txt\n  b:\n    file: ./db_password.txt'), { files });
    expect(lines(result.diagnostics)).toEqual(['app/docker-compose.yml:6:9: services.web.secrets[1]: two files at /run/secrets/a']);
  });

  test('a content over 256 KiB is refused', () => {
    const result = render(compose('    configs: [big]', `configs:\n  big:\n    content: "${'x'.repeat(300 * 1024)}"`), { files });
    expect(lines(result.diagnostics)).toEqual(['app/docker-compose.yml:7:14: configs.big.content: expected at most 256 KiB, got 300 KiB (mount larger files from a named volume)']);
  });

  test('setuid, setgid and sticky bits are refused', () => {
    const result = render(compose('    secrets:\n      - source: db\n        mode: 04755', 'secrets:\n  db:\n    file: ./db_password.txt'), { files });
    expect(lines(result.diagnostics)).toEqual(['app/docker-compose.yml:6:15: services.web.secrets[0].mode: expected permission bits from 0 to 0777 such as 0444 or 0400, got 4755']);
  });

  test('errors never show a secret file\'s content', () => {
    const result = render(compose('    secrets:\n      - source: db\n        mode: rw', 'secrets:\n  db:\n    file: ./db_password.txt'), { files });
    expect(lines(result.diagnostics)).toEqual(['app/docker-compose.yml:6:15: services.web.secrets[0].mode: expected permission bits from 0 to 0777 such as 0444 or 0400, got "rw"']);
    expect(JSON.stringify(result.diagnostics)).not.toContain('hunter2');
  });

  test('a secret file that is a link out of the repository is refused, naming where it leads, and nothing of it is read', () => {
    const tree = { rootName: 'repo', files: new Map<string, Uint8Array>(), refused: new Map([['app/token.txt', '/etc/shadow']]) };
    const result = renderFile({ path: 'app/docker-compose.yml', text: compose('    secrets: [token]', 'secrets:\n  token:\n    file: ./token.txt') }, 'compose', tree, { env: {}, vars: {}, varFiles: [] });
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics.map((d) => [d.line, d.code, d.message.includes('/etc/shadow')])).toEqual([[7, 'link-outside', true]]);
  });
});
