// Nomad templates with inline data as the task's files, and env = true as its environment.
import { parseEnvLines } from '../../../src/render/nomad/template.js';
import { render, renderJob } from '../../helpers/render.js';

const job = (templates: string, env = '') => `job "web" {
  group "web" {
    task "server" {
      driver = "docker"
      config {
        image = "demo:v1"
      }
${env}
${templates}
    }
  }
}
`;

describe('Nomad templates', () => {
  it('puts local/ at /local and secrets/ at /secrets, 0644 unless perms says otherwise; only secrets/ is sensitive', () => {
    const task = renderJob(
      job(`      template {
        data        = "listen 80\\n"
        destination = "local/app.conf"
      }
      template {
        data        = "hunter2"
        destination = "\${NOMAD_SECRETS_DIR}/db.pw"
        perms       = "400"
        change_mode = "restart"
      }`),
    ).groups[0]!.tasks[0]!;
    expect(task.files).toEqual([
      { target: '/local/app.conf', content: 'listen 80\n', mode: 0o644, sensitive: false },
      { target: '/secrets/db.pw', content: 'hunter2', mode: 0o400, sensitive: true },
    ]);
    expect('sensitiveEnv' in task).toBe(false);
  });

  it('reads env = true content into the environment, winning over env {}; those rendered into secrets/ are sensitive', () => {
    const task = renderJob(
      job(
        `      template {
        data        = <<EOF
# database
export DB_URL="postgres://app:hunter2@db/app"
TOKEN='tok 123'
EOF
        destination = "secrets/db.env"
        env         = true
      }
      template {
        data        = "MODE=prod"
        destination = "local/mode.env"
        env         = true
      }`,
        '      env {\n        MODE = "dev"\n        PORT = "80"\n      }',
      ),
    ).groups[0]!.tasks[0]!;
    expect(task.env).toEqual({ MODE: 'prod', PORT: '80', DB_URL: 'postgres://app:hunter2@db/app', TOKEN: 'tok 123' });
    expect(task.sensitiveEnv).toEqual(['DB_URL', 'TOKEN']);
  });

  it('refuses template functions, a destination outside local/ and secrets/, and malformed env lines, without showing the data', () => {
    const result = render(
      job(`      template {
        data        = "PASSWORD={{ key \\"db/pw\\" }}"
        destination = "secrets/db.env"
      }
      template {
        data        = "x"
        destination = "../../etc/passwd"
      }
      template {
        data        = "hunter2 without a key"
        destination = "secrets/a.env"
        env         = true
      }`),
    );
    expect(result.lines).toEqual([
      'job.nomad:10:23: template.data: template data holds "{{ ... }}" on its line 1: deckhand does not evaluate Nomad\'s template language (Consul, Vault and env functions) (write the content as it should appear; or set left_delimiter and right_delimiter to strings the content never holds)',
      'job.nomad:15:23: template.destination: expected a destination under local/ or secrets/ (the task directories deckhand mounts), got "../../etc/passwd" (destination = "local/app.conf")',
      'job.nomad:18:23: template.data: expected KEY=value lines for env = true: line 1 is not KEY=value',
    ]);
    expect(result.lines.join('\n')).not.toContain('hunter2');
  });

  it('refuses a template in the allocation directory, which Nomad shares between the group\'s tasks, naming why and what to do', () => {
    const result = render(
      job(`      template {
        data        = "shared"
        destination = "\${NOMAD_ALLOC_DIR}/shared.txt"
      }
      template {
        data        = "shared"
        destination = "../alloc/other.txt"
      }`),
    );
    expect(result.jobs).toEqual([]);
    expect(result.lines).toEqual([
      'job.nomad:11:23: template.destination: a template in the allocation directory is not supported: "${NOMAD_ALLOC_DIR}/shared.txt" would be seen by every task of the group in Nomad, and deckhand mounts a template into its own task only (give each task that reads it its own template, with destination = "local/...")',
      'job.nomad:15:23: template.destination: a template in the allocation directory is not supported: "../alloc/other.txt" would be seen by every task of the group in Nomad, and deckhand mounts a template into its own task only (give each task that reads it its own template, with destination = "local/...")',
    ]);
  });

  it('takes braces as they are when the delimiters are set to something else', () => {
    const task = renderJob(
      job(`      template {
        data            = "{{ not a template }}"
        destination     = "local/page.html"
        left_delimiter  = "[["
        right_delimiter = "]]"
      }`),
    ).groups[0]!.tasks[0]!;
    expect(task.files![0]!.content).toBe('{{ not a template }}');
  });

  it('parses env lines as go-envparse does', () => {
    expect(parseEnvLines('A=1\n\n# c\nexport B = "x\\ny"\nC=\'$raw\'\nD=v # comment')).toEqual({ values: [['A', '1'], ['B', 'x\ny'], ['C', '$raw'], ['D', 'v']] });
    expect(parseEnvLines('A="open')).toEqual({ error: 'line 1 has an unterminated double quote' });
  });
});
