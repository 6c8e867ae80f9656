// A task's files and env values from secrets: a changed secret is a change in the
// plan (it replaces the containers), shown as (sensitive) in every form a plan takes.
import type { Job } from '../../src/model/job.js';
import { redactJob, redactSourceText } from '../../src/model/sensitive.js';
import { groupSpecHash, jobSpecHash } from '../../src/model/spec/change-rules.js';
import { planJson } from '../../src/plan/format-json.js';
import { formatPlansMarkdown } from '../../src/plan/format-markdown.js';
import { formatPlanText } from '../../src/plan/format-text.js';
import { planJob } from '../../src/plan/plan.js';
import { versionDiff } from '../../src/plan/redact.js';
import { renderJob } from '../helpers/render.js';

const compose = `services:
  web:
    image: busybox
    secrets: [db_password]
    configs: [site]
secrets:
  db_password:
    file: ./db_password.txt
configs:
  site:
    file: ./site.conf
`;

const jobWith = (secret: string, site = 'listen 80\n'): Job => renderJob(compose, { format: 'compose', path: 'compose.yaml', files: { 'db_password.txt': secret, 'site.conf': site } });

const kubernetes = (url: string) => `apiVersion: v1
kind: Secret
metadata: { name: db }
stringData:
  url: ${url}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: busybox
          env:
            - name: DATABASE_ADDRESS
              valueFrom: { secretKeyRef: { name: db, key: url } }
`;

describe('a changed secret file', () => {
  const before = jobWith('hunter2-old\n');
  const after = jobWith('hunter2-new\n');
  const plan = planJob({ job: after, current: { job: before, version: 0, modifyIndex: 1, stopped: false }, live: { allocations: [] } });

  it('changes the spec hash, and so replaces the containers', () => {
    expect(jobSpecHash(after)).not.toBe(jobSpecHash(before));
    expect(groupSpecHash(after.groups[0]!)).not.toBe(groupSpecHash(before.groups[0]!));
    expect(plan.changes).toBe(true);
  });

  it('shows as a change of a Secret object, forcing create/destroy, in text, JSON and markdown, never with its value', () => {
    const text = formatPlanText(plan, 'compose.yaml', { color: false, checkIndexHint: false });
    expect(text).toContain('+/- Task: "web" (forces create/destroy update)');
    expect(text).toContain('+/- Secret "/run/secrets/db_password" {');
    expect(text).toMatch(/\+\/- Content: +"\(sensitive\)" => "\(sensitive\)"/);
    const markdown = formatPlansMarkdown([{ plan, file: 'compose.yaml', oldText: compose, newText: compose }]);
    for (const shown of [text, planJson([plan]), markdown, JSON.stringify(versionDiff(before, after))]) expect(shown).not.toContain('hunter2');
  });

  it('a config file shows its content: it is no secret', () => {
    const config = planJob({ job: jobWith('hunter2\n', 'listen 8080\n'), current: { job: jobWith('hunter2\n'), version: 0, modifyIndex: 1, stopped: false }, live: { allocations: [] } });
    const text = formatPlanText(config, 'compose.yaml', { color: false, checkIndexHint: false });
    expect(text).toContain('+/- File "/site" {');
    expect(text).toContain('listen 8080');
    expect(text).not.toContain('hunter2');
  });

  it('a job without files hashes as before files existed', () => {
    const plain = renderJob('services:\n  web:\n    image: busybox\n', { format: 'compose', path: 'compose.yaml' });
    const withEmpty: Job = { ...plain, groups: plain.groups.map((g) => ({ ...g, tasks: g.tasks.map((t) => ({ ...t, files: undefined, sensitiveEnv: undefined })) })) };
    expect(jobSpecHash(withEmpty)).toBe(jobSpecHash(plain));
  });
});

describe('a variable from a Kubernetes Secret', () => {
  const before = renderJob(kubernetes('hunter2-a'), { format: 'kubernetes', path: 'app.yaml' });
  const after = renderJob(kubernetes('hunter2-b'), { format: 'kubernetes', path: 'app.yaml' });

  it('is masked whatever its name says, and still a change', () => {
    // renderFile alone does not attach Secrets (the tree does): take the variable into the job as the tree would.
    const attach = (job: Job, value: string): Job => ({ ...job, groups: job.groups.map((g) => ({ ...g, tasks: g.tasks.map((t) => ({ ...t, env: { DATABASE_ADDRESS: value }, sensitiveEnv: ['DATABASE_ADDRESS'] })) })) });
    const plan = planJob({ job: attach(after, 'hunter2-b'), current: { job: attach(before, 'hunter2-a'), version: 0, modifyIndex: 1, stopped: false }, live: { allocations: [] } });
    const text = formatPlanText(plan, 'app.yaml', { color: false, checkIndexHint: false });
    expect(plan.changes).toBe(true);
    expect(text).toMatch(/\+\/- SecretEnv\[DATABASE_ADDRESS\]: +"\(sensitive\)" => "\(sensitive\)"/);
    expect(text).not.toContain('hunter2');
    expect(JSON.stringify(redactJob(attach(after, 'hunter2-b')))).not.toContain('hunter2');
  });
});

describe('job as the API shows it', () => {
  it('masks secret files and secret variables, and leaves configs alone', () => {
    const job = jobWith('hunter2\n');
    const shown = redactJob({ ...job, groups: job.groups.map((g) => ({ ...g, tasks: g.tasks.map((t) => ({ ...t, env: { PLAIN: 'x', FROM_SECRET: 'hunter2' }, sensitiveEnv: ['FROM_SECRET'] })) })) });
    const task = shown.groups[0]!.tasks[0]!;
    expect(task.files!.map((f) => f.content)).toEqual(['(sensitive)', 'listen 80\n']);
    expect(task.env).toEqual({ PLAIN: 'x', FROM_SECRET: '(sensitive)' });
  });
});

describe('job file texts in pull-request comments', () => {
  it("masks a Kubernetes Secret's data and stringData, block values included, and nothing else", () => {
    const text = `apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: aHVudGVyMg==
  cert: |
    -----BEGIN hunter2-----
    abc
stringData: { url: "postgres://hunter2" }
---
apiVersion: v1
kind: ConfigMap
data:
  mode: production
`;
    const shown = redactSourceText(text);
    expect(shown).not.toMatch(/hunter2|aHVudGVyMg/);
    expect(shown).toContain('  password: (sensitive)');
    expect(shown).toContain('  cert: |\n    (sensitive)\n    (sensitive)');
    expect(shown).toContain('stringData: (sensitive)');
    expect(shown).toContain('  mode: production');
    expect(shown).toContain('  name: db');
  });

  it("masks what a Nomad template writes, inline or in a heredoc", () => {
    const text = `task "web" {
  template {
    data = "PASSWORD=hunter2"
    destination = "secrets/a.env"
  }
  template {
    data = <<EOF
token: hunter2
EOF
    destination = "local/b"
  }
  env { MODE = "prod" }
}`;
    const shown = redactSourceText(text);
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('    data = "(sensitive)"');
    expect(shown).toContain('    destination = "local/b"');
    expect(shown).toContain('  env { MODE = "prod" }');
  });
});
