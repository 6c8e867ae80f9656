// A changed container setting from a Nomad or Kubernetes file is a create/destroy
// update in the plan: Docker fixes them when it creates the container.
import type { Job } from '../../src/model/job.js';
import { groupSpecHash } from '../../src/model/spec/change-rules.js';
import { formatPlanText } from '../../src/plan/format-text.js';
import { planJob } from '../../src/plan/plan.js';
import { redactJob } from '../../src/model/sensitive.js';
import { renderJob } from '../helpers/render.js';

const nomad = (team: string) => `job "web" {
  group "web" {
    count = 2
    task "server" {
      driver = "docker"
      config {
        image  = "demo:v1"
        labels {
          team = "${team}"
        }
      }
    }
  }
}
`;

const kubernetes = (user: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: server
          image: demo:v1
          securityContext: { runAsUser: ${user} }
`;

function planText(before: Job, after: Job): { text: string; destructive: number } {
  const group = before.groups[0]!;
  const allocations = Array.from({ length: group.count }, (_, i) => ({ id: `a${i}`, group: group.name, index: i, version: 1, specHash: groupSpecHash(group), healthy: true }));
  const plan = planJob({ job: after, current: { job: before, version: 1, modifyIndex: 7, stopped: false }, live: { allocations } });
  return { text: formatPlanText(plan, after.source.file, { color: false }), destructive: plan.groups[0]!.destructiveUpdate };
}

describe('container settings in the plan', () => {
  it('a changed Nomad label replaces each allocation', () => {
    const { text, destructive } = planText(renderJob(nomad('shop')), renderJob(nomad('cart')));
    expect(destructive).toBe(2);
    expect(text).toContain(['  +/- Task: "server" (forces create/destroy update)', '    +/- Container {', '      +/- Labels[team]: "shop" => "cart"'].join('\n'));
  });

  it('a changed Kubernetes runAsUser replaces each allocation', () => {
    const read = (user: number) => renderJob(kubernetes(user), { format: 'kubernetes', path: 'web.yaml' });
    const { text, destructive } = planText(read(1000), read(1001));
    expect(destructive).toBe(2);
    expect(text).toContain('      +/- User: "1000" => "1001"');
  });

  it('the same settings are no change', () => {
    expect(planText(renderJob(nomad('shop')), renderJob(nomad('shop'))).destructive).toBe(0);
  });
});

describe('secrets in container settings', () => {
  const withToken = (token: string) => nomad('shop').replace('        labels {', `        logging {\n          type = "splunk"\n          config {\n            splunk-token = "${token}"\n          }\n        }\n        labels {`);

  it('a logging token is shown as (sensitive) in the plan and the redacted job, and still changes', () => {
    const { text, destructive } = planText(renderJob(withToken('tok-old-123')), renderJob(withToken('tok-new-456')));
    expect(destructive).toBe(2);
    expect(text).toContain('+/- LogOptions[splunk-token]: "(sensitive)" => "(sensitive)"');
    expect(text).not.toMatch(/tok-(old|new)/);
    expect(JSON.stringify(redactJob(renderJob(withToken('tok-old-123'))))).not.toContain('tok-old');
  });
});
