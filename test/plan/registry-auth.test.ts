// Nomad's `config { auth {} }`: credentials for the task's registry. The password is
// part of the spec (a new one is a change, in place) and never leaves the agent:
// plans, version diffs, the job as the API shows it, pull-request comments.
import { effectOf, groupSpecHash } from '../../src/model/spec/change-rules.js';
import { redactJob } from '../../src/model/sensitive.js';
import { formatPlansMarkdown } from '../../src/plan/format-markdown.js';
import { formatPlanText } from '../../src/plan/format-text.js';
import { planJob } from '../../src/plan/plan.js';
import { versionDiff } from '../../src/plan/redact.js';
import { render, renderJob } from '../helpers/render.js';

const jobText = (auth: string) => `job "web" {
  group "web" {
    task "server" {
      driver = "docker"
      config {
        image = "registry.example:5000/web:v1"
${auth}
      }
    }
  }
}
`;
const auth = (password: string) => `        auth {
          username       = "deploy"
          password       = "${password}"
          server_address = "registry.example:5000"
        }`;

describe('Nomad auth {}', () => {
  it('is the task\'s registryAuth', () => {
    expect(renderJob(jobText(auth('s3cret-one'))).groups[0]!.tasks[0]!.registryAuth).toEqual({ username: 'deploy', password: 's3cret-one', serverAddress: 'registry.example:5000' });
    expect('registryAuth' in renderJob(jobText('')).groups[0]!.tasks[0]!).toBe(false);
  });

  it('without a password is an error at the block', () => {
    const { lines, jobs } = render(jobText('        auth {\n          username = "deploy"\n        }'));
    expect(jobs).toHaveLength(0);
    expect(lines.join('\n')).toMatch(/^job\.nomad:7:9: config\.auth\.password: /m);
  });

  const before = renderJob(jobText(auth('s3cret-one')));
  const after = renderJob(jobText(auth('s3cret-two')));

  it('a new password is a change in place: the containers keep running', () => {
    expect(effectOf('task', 'RegistryAuth')).toBe('in-place');
    expect(groupSpecHash(before.groups[0]!)).toBe(groupSpecHash(after.groups[0]!));
    const plan = planJob({ job: after, current: { job: before, version: 0, modifyIndex: 1, stopped: false }, live: { allocations: [] } });
    expect(plan.changes).toBe(true);
    const text = formatPlanText(plan, 'web.nomad', { color: false, checkIndexHint: false });
    expect(text).toMatch(/\+\/- Password: +"\(sensitive\)" => "\(sensitive\)"/);
    const markdown = formatPlansMarkdown([{ plan, file: 'web.nomad', oldText: jobText(auth('s3cret-one')), newText: jobText(auth('s3cret-two')) }]);
    for (const shown of [text, JSON.stringify(plan), markdown, JSON.stringify(versionDiff(before, after)), JSON.stringify(redactJob(after))]) expect(shown).not.toMatch(/s3cret/);
    expect(redactJob(after).groups[0]!.tasks[0]!.registryAuth).toEqual({ username: 'deploy', password: '(sensitive)', serverAddress: 'registry.example:5000' });
  });
});
