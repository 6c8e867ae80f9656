import { parseEnvFile } from '../../../src/render/compose/env-file.js';
import { diagnosticsOf, firstTask, render } from './helpers.js';

const noEnvironment = (): undefined => undefined;
const parse = (text: string, env: Record<string, string> = {}) => parseEnvFile(text, (name) => env[name]);

describe('parseEnvFile', () => {
  test('KEY=VALUE lines, comments and blank lines', () => {
    expect(parse('# settings\nA=1\n\n  B = two  \nC=\n').values).toEqual({ A: '1', B: 'two', C: '' });
  });

  test('an export prefix is dropped', () => {
    expect(parse('export A=1\nexport\tB=2\n').values).toEqual({ A: '1', B: '2' });
  });

  test('unquoted values end at a # after a blank, and keep other #', () => {
    expect(parse('A=x # a comment\nB=x#y\n').values).toEqual({ A: 'x', B: 'x#y' });
  });

  test("single quotes are literal: no escapes, no interpolation", () => {
    expect(parse("A='a \\n $B # kept'\n", { B: 'b' }).values).toEqual({ A: 'a \\n $B # kept' });
  });

  test('double quotes take escapes, may span lines and are interpolated', () => {
    const parsed = parse('A="line one\\nline two \\"q\\" $B \\$C"\nD="first\nsecond" # after\n', { B: 'b' });
    expect(parsed.values).toEqual({ A: 'line one\nline two "q" b $C', D: 'first\nsecond' });
    expect(parsed.problems).toEqual([]);
  });

  test('a bare KEY takes the value from the environment, and is left out when unset', () => {
    expect(parse('FROM_ENV\nMISSING\n', { FROM_ENV: 'yes' }).values).toEqual({ FROM_ENV: 'yes' });
  });

  test('values refer to the environment first, then to earlier keys of the file', () => {
    expect(parse('HOST=db\nURL=postgres://${HOST}:${PORT:-5432}\n', {}).values.URL).toBe('postgres://db:5432');
    expect(parse('HOST=db\nURL=${HOST}\n', { HOST: 'env-db' }).values.URL).toBe('env-db');
  });

  test('a byte order mark and CRLF line ends are accepted', () => {
    expect(parse('\uFEFFA=1\r\nB=2\r\n').values).toEqual({ A: '1', B: '2' });
  });

  test('an unterminated quote is an error at the opening quote', () => {
    expect(parse('A=1\nB="open\nC=3\n').problems).toEqual([
      { severity: 'error', line: 2, col: 3, message: 'unterminated double quote: expected a closing "' },
    ]);
  });

  test('a line that is not KEY=VALUE is an error at the offending character', () => {
    expect(parse('A=1\nNOT A PAIR\nB=2\n')).toEqual({
      values: { A: '1', B: '2' },
      problems: [{ severity: 'error', line: 2, col: 5, message: 'expected KEY=VALUE with a key of letters, digits, "_", "." or "-", got "NOT A PAIR"' }],
    });
  });

  test('text after a closing quote is an error', () => {
    expect(parse("A='x' y\n").problems[0]).toEqual({
      severity: 'error',
      line: 1,
      col: 7,
      message: "unexpected text after the closing ': expected the end of the line or a # comment",
    });
  });

  test('interpolation problems point into the file', () => {
    expect(parse('A=1\nB=x${C:?needed}\n').problems).toEqual([{ severity: 'error', line: 2, col: 4, message: 'required variable C is not set: needed' }]);
  });

  test('the raw format takes values as written', () => {
    expect(parseEnvFile('A="quoted" $B # not a comment\n# comment\nC\n', noEnvironment, 'raw').values).toEqual({ A: '"quoted" $B # not a comment' });
  });
});

describe('env_file and environment', () => {
  const files = {
    'app/web.env': 'A=from-web\nB=from-web\n',
    'app/override.env': 'B=from-override\nC=from-override\n',
    'shared/common.env': 'COMMON=1\n',
  };

  test('env_file as a string, relative to the compose file', () => {
    expect(firstTask('services:\n  web:\n    image: nginx\n    env_file: web.env\n', { files }).env).toEqual({ A: 'from-web', B: 'from-web' });
  });

  test('env_file as a list: later files win', () => {
    const env = firstTask('services:\n  web:\n    image: nginx\n    env_file: [./web.env, override.env, ../shared/common.env]\n', { files }).env;
    expect(env).toEqual({ A: 'from-web', B: 'from-override', C: 'from-override', COMMON: '1' });
  });

  test('environment wins over env_file', () => {
    const env = firstTask('services:\n  web:\n    image: nginx\n    env_file: web.env\n    environment:\n      B: mine\n', { files }).env;
    expect(env).toEqual({ A: 'from-web', B: 'mine' });
  });

  test('env_file entries with path and required', () => {
    const text = 'services:\n  web:\n    image: nginx\n    env_file:\n      - path: web.env\n      - path: absent.env\n        required: false\n';
    expect(firstTask(text, { files }).env).toEqual({ A: 'from-web', B: 'from-web' });
  });

  test('a missing required env file is an error naming it', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n    env_file:\n      - path: absent.env\n', { files })).toEqual([
      'app/docker-compose.yml:5:15: services.web.env_file[0].path: env file "absent.env" not found (looked for app/absent.env) (add "required: false" if the file is optional)',
    ]);
  });

  test('an absolute path or a path out of the tree is an error', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n    env_file: [/etc/app.env, ../../up.env]\n')).toEqual([
      'app/docker-compose.yml:4:16: services.web.env_file[0]: expected a path relative to the compose file\'s folder, got the absolute path "/etc/app.env"',
      'app/docker-compose.yml:4:30: services.web.env_file[1]: expected a path inside the repository, got "../../up.env", which leads out of it',
    ]);
  });

  test('an error inside an env file points at that file and line', () => {
    const result = render('services:\n  web:\n    image: nginx\n    env_file: web.env\n', { files: { 'app/web.env': 'OK=1\nBAD="open\n' } });
    expect(result.diagnostics).toEqual([
      { severity: 'error', code: 'env-file', file: 'app/web.env', line: 2, col: 5, field: '', message: 'unterminated double quote: expected a closing "' },
    ]);
  });

  test('an error in .env points at .env', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n', { files: { 'app/.env': "X='open\n" } })).toEqual([
      "app/.env:1:3: unterminated single quote: expected a closing '",
    ]);
  });

  test('env files are interpolated with the project environment', () => {
    const env = firstTask('services:\n  web:\n    image: nginx\n    env_file: web.env\n', {
      files: { 'app/web.env': 'URL=http://${HOST}:${PORT}\n', 'app/.env': 'PORT=8080\n' },
      env: { HOST: 'example' },
    }).env;
    expect(env).toEqual({ URL: 'http://example:8080' });
  });

  test('env_file with format: raw', () => {
    const env = firstTask('services:\n  web:\n    image: nginx\n    env_file:\n      - path: web.env\n        format: raw\n', {
      files: { 'app/web.env': 'A="kept" $X\n' },
    }).env;
    expect(env).toEqual({ A: '"kept" $X' });
  });

  test('environment as a list: KEY=VALUE, and a bare KEY from the environment or left out', () => {
    const text = 'services:\n  web:\n    image: nginx\n    environment:\n      - A=1\n      - B=x=y\n      - C=\n      - FROM_ENV\n      - UNSET\n';
    expect(firstTask(text, { env: { FROM_ENV: 'e' } }).env).toEqual({ A: '1', B: 'x=y', C: '', FROM_ENV: 'e' });
  });

  test('a bare KEY also finds values of .env', () => {
    const text = 'services:\n  web:\n    image: nginx\n    environment: [FROM_DOTENV]\n';
    expect(firstTask(text, { files: { 'app/.env': 'FROM_DOTENV=d\n' } }).env).toEqual({ FROM_DOTENV: 'd' });
  });

  test('environment as a map: numbers and booleans become strings, null takes the environment', () => {
    const text = 'services:\n  web:\n    image: nginx\n    environment:\n      PORT: 8000\n      DEBUG: true\n      RATIO: 0.5\n      FROM_ENV:\n      UNSET: ~\n';
    expect(firstTask(text, { env: { FROM_ENV: 'e' } }).env).toEqual({ PORT: '8000', DEBUG: 'true', RATIO: '0.5', FROM_ENV: 'e' });
  });

  test('wrong environment types are errors at the value', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n    environment:\n      A: [1, 2]\n')).toEqual([
      'app/docker-compose.yml:5:10: services.web.environment.A: expected a string, number or boolean, got a list',
    ]);
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n    environment: [A=1, 5, =x]\n')).toEqual([
      'app/docker-compose.yml:4:24: services.web.environment[1]: expected a "KEY=VALUE" string, got 5',
      'app/docker-compose.yml:4:27: services.web.environment[2]: expected a "KEY=VALUE" string with a key, got "=x"',
    ]);
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n    environment: PORT=8000\n')).toEqual([
      'app/docker-compose.yml:4:18: services.web.environment: expected a map or a list of "KEY=VALUE" strings for environment, got "PORT=8000"',
    ]);
  });
});
