import { isSensitiveName, maskUrlPasswords, redactJob, redactSourceText, sensitiveMask, shownValue } from '../../src/model/sensitive.js';
import { renderJob } from '../helpers/render.js';

describe('which names are secret', () => {
  it.each(['DB_PASSWORD', 'PASSWORD', 'db-pass', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'apiKey', 'API_KEY', 'STRIPE_SECRET_KEY', 'SSH_KEY', 'KEY', 'basic_auth', 'SESSION_COOKIE', 'SENTRY_DSN', 'jwtSigningKey', 'private_key', 'MYSQL_ROOT_PASSWORD', 'Credentials', 'app.secret'])(
    '%s is secret',
    (name) => expect(isSensitiveName(name)).toBe(true),
  );

  it.each(['AUTHOR', 'PASSENGER_COUNT', 'MONKEY', 'PORT', 'NODE_IP', 'HOSTNAME', 'KEYBOARD_LAYOUT', 'CACHE_KEY_PREFIX', 'LOG_LEVEL', 'TOKENIZER_MODEL', 'PUBLIC_URL'])('%s is not', (name) =>
    expect(isSensitiveName(name)).toBe(false),
  );
});

describe('values', () => {
  it('masks a secret name whole, and only the password of a URL elsewhere', () => {
    expect(shownValue('DB_PASSWORD', 'hunter2')).toBe(sensitiveMask);
    expect(shownValue('DATABASE_URL', 'postgres://app:hunter2@db:5432/app')).toBe(`postgres://app:${sensitiveMask}@db:5432/app`);
    expect(shownValue('UPSTREAM', 'http://example.test/path?a=1')).toBe('http://example.test/path?a=1');
    expect(shownValue('TOKEN', '')).toBe('');
  });

  it('masks every URL password in a text', () => {
    expect(maskUrlPasswords('a redis://:pw@cache:6379 and amqp://u:p@q/vh')).toBe(`a redis://:${sensitiveMask}@cache:6379 and amqp://u:${sensitiveMask}@q/vh`);
  });
});

describe('a job as deckhand shows it', () => {
  it('masks secret env and meta values and URL passwords in args, and leaves the rest alone', () => {
    const job = renderJob('job "web" {\n  group "web" {\n    task "web" {\n      driver = "docker"\n      config { image = "web:1" }\n      env { PORT = "8080" }\n    }\n  }\n}\n');
    const task = job.groups[0]!.tasks[0]!;
    const withSecrets = {
      ...job,
      meta: { owner: 'web-team', deploy_token: 'abc' },
      groups: [{ ...job.groups[0]!, tasks: [{ ...task, env: { ...task.env, DB_PASSWORD: 'hunter2', DATABASE_URL: 'postgres://app:hunter2@db/app' }, args: ['--upstream=https://u:pw@x.test/'] }] }],
    };
    const shown = redactJob(withSecrets);
    const shownTask = shown.groups[0]!.tasks[0]!;
    expect(shownTask.env.DB_PASSWORD).toBe(sensitiveMask);
    expect(shownTask.env.DATABASE_URL).toBe(`postgres://app:${sensitiveMask}@db/app`);
    expect(shownTask.env.PORT).toBe(task.env.PORT);
    expect(shownTask.args).toEqual([`--upstream=https://u:${sensitiveMask}@x.test/`]);
    expect(shown.meta).toEqual({ owner: 'web-team', deploy_token: sensitiveMask });
    expect(JSON.stringify(shown)).not.toContain('hunter2');
    // The job itself keeps its values: containers get them.
    expect(withSecrets.groups[0]!.tasks[0]!.env.DB_PASSWORD).toBe('hunter2');
  });
});

describe('a job file as deckhand shows it', () => {
  it('masks assignments of secret names in HCL, YAML, .env, JSON and Kubernetes env lists', () => {
    const text = [
      'env {',
      '  DB_PASSWORD = "hunter2"',
      '  "API_TOKEN" = "t0k3n"',
      '  PORT        = "${NOMAD_PORT_http}"',
      '}',
      'environment:',
      '  SECRET_KEY: s3cr3t',
      '  - MYSQL_PASSWORD=hunter3',
      '  - "REDIS_PASSWORD=hunter4"',
      '  LOG_LEVEL: debug',
      '{ "AWS_SECRET_ACCESS_KEY": "aws-secret", "REGION": "eu" }',
      '  "GITHUB_TOKEN": "ghp_x",',
      'env:',
      '  - name: DB_PASSWORD',
      '    value: hunter5',
      '  - name: PORT',
      '    value: "8080"',
      'url: postgres://app:hunter6@db/app',
    ].join('\n');
    const shown = redactSourceText(text);
    for (const secret of ['aws-secret', 'hunter2', 't0k3n', 's3cr3t', 'hunter3', 'hunter4', 'ghp_x', 'hunter5', 'hunter6']) expect(shown).not.toContain(secret);
    expect(shown).toContain('DB_PASSWORD = "(sensitive)"');
    expect(shown).toContain('- "REDIS_PASSWORD=(sensitive)"');
    expect(shown).toContain('"GITHUB_TOKEN": "(sensitive)",');
    expect(shown).toContain('PORT        = "${NOMAD_PORT_http}"');
    expect(shown).toContain('"REGION": "eu" }');
    expect(shown).toContain('LOG_LEVEL: debug');
    expect(shown).toContain('value: "8080"');
    expect(shown.split('\n')).toHaveLength(text.split('\n').length);
  });

  it('knows the same file twice gives the same text (plans diff the two sides)', () => {
    const text = 'DB_PASSWORD = "a"\nPORT = "1"\n';
    expect(redactSourceText(text)).toBe(redactSourceText(text));
  });
});
