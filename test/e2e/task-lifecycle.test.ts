// Issue 14, start order on the real engine: a Nomad prestart task runs to its
// end before the main task starts, a sidecar runs beside it, and a prestart task
// that fails fails the allocation with its own last words.
import { demoImageV1 } from '../../src/demo/images.js';
import { renderTree } from '../../src/render/tree.js';
import { docker, testLabel } from '../runtime/support.js';
import { cli, useHarness } from './support.js';
import type { Harness } from './support.js';

const nomadJob = (migrateExit: number) => `job "ordered" {
  group "app" {
    count = 1
    update {
      min_healthy_time  = "300ms"
      healthy_deadline  = "8s"
      progress_deadline = "12s"
    }
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "migrate" {
      driver = "docker"
      lifecycle {
        hook = "prestart"
      }
      config {
        image      = "${demoImageV1}"
        entrypoint = ["/bin/sh", "-c"]
        args       = ["echo migrating; echo schema ${migrateExit === 0 ? 'ok' : 'broken'}; exit ${migrateExit}"]
        healthchecks { disable = true }
      }
    }
    task "proxy" {
      driver = "docker"
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      config {
        image      = "${demoImageV1}"
        entrypoint = ["/bin/sh", "-c", "exec sleep 3600"]
        healthchecks { disable = true }
      }
    }
    task "web" {
      driver = "docker"
      config {
        image      = "${demoImageV1}"
        entrypoint = ["/bin/sh", "-c", "exec sleep 3600"]
        healthchecks { disable = true }
      }
    }
  }
}
`;

function submit(h: Harness, migrateExit: number): string {
  const rendered = renderTree({ rootName: 'ordered', files: new Map([['ordered.nomad.hcl', new TextEncoder().encode(nomadJob(migrateExit))]]) });
  expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return h.engine.submit({ job: rendered.jobs[0]!.job, source: cli, sourceText: null }).deployment!.id;
}

async function containersOf(h: Harness): Promise<Array<{ task: string; state: string; exitCode: number; id: string }>> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`${testLabel}=${h.runId}`, 'deckhand.job=ordered'] } });
  return Promise.all(
    listed.map(async (c) => {
      const info = await docker.getContainer(c.Id).inspect();
      return { task: c.Labels['deckhand.task']!, state: info.State.Status, exitCode: info.State.ExitCode, id: c.Id };
    }),
  );
}

describe('task lifecycle', () => {
  const harness = useHarness();

  it('runs the prestart task to its end first, keeps the sidecar beside the main task, and the allocation is healthy', async () => {
    const h = harness();
    expect(await h.engine.waitForDeployment(submit(h, 0), 60_000)).toMatchObject({ status: 'successful' });
    const containers = await containersOf(h);
    expect(containers.map(({ task, state, exitCode }) => ({ task, state, exitCode })).sort((a, b) => a.task.localeCompare(b.task))).toEqual([
      { task: 'migrate', state: 'exited', exitCode: 0 },
      { task: 'proxy', state: 'running', exitCode: 0 },
      { task: 'web', state: 'running', exitCode: 0 },
    ]);
    // The main task started after the prestart task ended.
    const migrate = await docker.getContainer(containers.find((c) => c.task === 'migrate')!.id).inspect();
    const web = await docker.getContainer(containers.find((c) => c.task === 'web')!.id).inspect();
    expect(Date.parse(web.State.StartedAt)).toBeGreaterThanOrEqual(Date.parse(migrate.State.FinishedAt));
    const allocation = h.store.listAllocations('ordered').find((a) => a.status === 'running')!;
    expect(Object.keys(allocation.containers).sort()).toEqual(['migrate', 'proxy', 'web']);
  }, 90_000);

  it('fails the allocation when the prestart task fails, saying what it said, and never starts the main task', async () => {
    const h = harness();
    const deployment = await h.engine.waitForDeployment(submit(h, 3), 60_000);
    expect(deployment.status).toBe('failed');
    const failed = h.store.listAllocations('ordered').filter((a) => a.status === 'failed' && a.jobVersion === deployment.jobVersion);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.description).toMatch(/^prestart task "migrate" exited with code 3: migrating \| schema broken$/);
    const ofFailedVersion = await docker.listContainers({ all: true, filters: { label: [`${testLabel}=${h.runId}`, 'deckhand.job=ordered', `deckhand.version=${deployment.jobVersion}`] } });
    expect(ofFailedVersion).toEqual([]);
  }, 90_000);
});
