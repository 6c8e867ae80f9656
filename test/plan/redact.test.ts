// Plans leave the agent as text, JSON and pull-request comments: secret values never do.
import { formatPlansMarkdown } from '../../src/plan/format-markdown.js';
import { formatPlanText } from '../../src/plan/format-text.js';
import { planJob } from '../../src/plan/plan.js';
import { versionDiff } from '../../src/plan/redact.js';
import { renderJob } from '../helpers/render.js';

const jobText = (password: string, url: string) => `job "web" {
  group "web" {
    task "server" {
      driver = "docker"
      config { image = "demo:v1" }
      env {
        DB_PASSWORD  = "${password}"
        DATABASE_URL = "${url}"
        LOG_LEVEL    = "info"
      }
    }
  }
}
`;

const before = jobText('hunter2-old', 'postgres://app:hunter2-url@db/app');
const after = jobText('hunter2-new', 'postgres://app:hunter2-url@db2/app');

describe('a plan that changes a secret', () => {
  const plan = planJob({ job: renderJob(after), current: { job: renderJob(before), version: 0, modifyIndex: 1, stopped: false }, live: { allocations: [] } });

  it('still says it changed, and shows neither value', () => {
    expect(plan.changes).toBe(true);
    const text = formatPlanText(plan, 'web.nomad', { color: false, checkIndexHint: false });
    expect(text).toMatch(/\+\/- Env\[DB_PASSWORD\]: +"\(sensitive\)" => "\(sensitive\)"/);
    expect(text).toContain('+/- Env[DATABASE_URL]: "postgres://app:(sensitive)@db/app" => "postgres://app:(sensitive)@db2/app"');
    for (const shown of [text, JSON.stringify(plan)]) expect(shown).not.toMatch(/hunter2/);
  });

  it('in a pull-request comment, masks the job file diff on both sides too', () => {
    const markdown = formatPlansMarkdown([{ plan, file: 'web.nomad', oldText: before, newText: after }]);
    expect(markdown).not.toMatch(/hunter2/);
    expect(markdown).toContain('-        DATABASE_URL = "postgres://app:(sensitive)@db/app"');
    // Only the password changed on that line: masked on both sides, it is no line of the diff.
    expect(markdown).not.toContain('-        DB_PASSWORD');
  });

  it('as a history diff between two versions', () => {
    const diff = versionDiff(renderJob(before), renderJob(after));
    expect(diff.type).toBe('Edited');
    expect(JSON.stringify(diff)).not.toMatch(/hunter2/);
  });
});
