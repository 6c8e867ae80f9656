// Follows deployments through the agent's event stream until they end or pause
// for a person (canaries waiting for promotion): redrawn in place on a terminal,
// as plain lines otherwise (logs, CI).
import { descriptions } from '../rollout/index.js';
import type { DeploymentView, JobStatusView, StreamedEvent } from '../api/index.js';
import type { AgentClient } from './client.js';
import { progressLines, verdictLine } from './format/progress.js';
import type { CliIO } from './io.js';
import { CliExit } from './io.js';

const ended = new Set(['successful', 'failed', 'cancelled']);
const rollingBack = /rolling back to job version/;

/** Canaries are healthy and a person must promote them: following further would wait for that person. */
export function waitsForPromotion(deployment: DeploymentView): boolean {
  return deployment.status === 'running' && deployment.description === descriptions.needsPromotion;
}

/** A subscription opened before submitting, so no event of the new deployment is missed. */
export class DeploymentFollower {
  private readonly waiting = new Map<string, { jobId: string; resolve: (d: DeploymentView) => void; reject: (error: Error) => void }>();
  private subscription: { close(): void; ended: Promise<void> } | null = null;
  private closing = false;
  private lostWhy: string | null = null;
  private drawnLines = 0;
  private lastPlain = new Map<string, string>();

  constructor(
    private readonly client: AgentClient,
    private readonly io: CliIO,
  ) {}

  async open(): Promise<void> {
    this.subscription = await this.client.events({}, (event) => void this.onEvent(event));
    // The agent stopped or the connection broke: nothing would ever end the wait, so end it with a way to go on.
    this.subscription.ended.then(
      () => this.lost('the agent closed it'),
      (error: unknown) => this.lost(error instanceof Error ? error.message : String(error)),
    );
  }

  close(): void {
    this.closing = true;
    this.subscription?.close();
  }

  private lost(why: string): void {
    if (this.closing) return;
    this.lostWhy = why;
    for (const [deploymentId, waiter] of this.waiting) {
      this.waiting.delete(deploymentId);
      const id = deploymentId.slice(0, 8);
      waiter.reject(new CliExit(1, `Error: the agent's event stream ended while following deployment "${id}" (${why}); follow it again with: deckhand deployment status ${id} --monitor`));
    }
  }

  /**
   * Resolves with the deployment once it ends, or pauses waiting for a person.
   * A failed deployment that rolls back is followed into its rollback, as
   * `docker service update` does; the failed deployment is what resolves.
   */
  async follow(jobId: string, deploymentId: string): Promise<DeploymentView> {
    const deployment = await this.followOne(jobId, deploymentId);
    if (deployment.status === 'failed' && rollingBack.test(deployment.description)) {
      const status = await this.client.get<JobStatusView>(`/v1/job/${encodeURIComponent(jobId)}`).catch(() => null);
      const rollback = status?.latestDeployment;
      if (rollback && rollback.id !== deployment.id) {
        this.io.stdout(`==> Rolling back: monitoring deployment "${rollback.id.slice(0, 8)}" of version ${rollback.jobVersion}\n`);
        await this.followOne(jobId, rollback.id);
      }
    }
    return deployment;
  }

  private async followOne(jobId: string, deploymentId: string): Promise<DeploymentView> {
    const done = new Promise<DeploymentView>((resolve, reject) => this.waiting.set(deploymentId, { jobId, resolve, reject }));
    // Awaited below, after a look at the agent: a loss meanwhile must not count as unhandled.
    done.catch(() => undefined);
    if (this.lostWhy) this.lost(this.lostWhy);
    // It may have moved before the first event: look once now.
    await this.refresh(jobId, deploymentId);
    const deployment = await done;
    this.finishDrawing();
    this.io.stdout(`${verdictLine(deployment)}\n`);
    if (waitsForPromotion(deployment)) this.io.stdout(`    the canaries are healthy; promote them with: deckhand promote ${jobId}\n`);
    return deployment;
  }

  private async onEvent(event: StreamedEvent): Promise<void> {
    if (event.deploymentId && this.waiting.has(event.deploymentId)) {
      if (!this.io.isTTY) this.io.stdout(`    ${new Date(event.time).toISOString().slice(11, 19)} ${event.message}\n`);
      await this.refresh(this.waiting.get(event.deploymentId)!.jobId, event.deploymentId);
    }
  }

  private async refresh(jobId: string, deploymentId: string): Promise<void> {
    const status = await this.client.get<JobStatusView>(`/v1/job/${encodeURIComponent(jobId)}`).catch(() => null);
    const deployment = status?.latestDeployment?.id === deploymentId ? status.latestDeployment : await this.client.get<DeploymentView>(`/v1/deployment/${deploymentId}`).catch(() => null);
    const waiter = this.waiting.get(deploymentId);
    if (!status || !deployment || !waiter) return;
    this.draw(status, deployment);
    if (ended.has(deployment.status) || deployment.status === 'paused' || waitsForPromotion(deployment)) {
      this.waiting.delete(deploymentId);
      waiter.resolve(deployment);
    }
  }

  private draw(status: JobStatusView, deployment: DeploymentView): void {
    const lines = progressLines(status, deployment);
    if (this.io.isTTY) {
      // Up over what was drawn, clear to the end, draw again.
      const up = this.drawnLines ? `\u001b[${this.drawnLines}A\u001b[J` : '';
      this.io.stdout(`${up}${lines.join('\n')}\n`);
      this.drawnLines = lines.length;
      return;
    }
    // Plain output: a line only when it says something new.
    const overall = lines[0]!;
    if (this.lastPlain.get(deployment.id) !== overall) {
      this.lastPlain.set(deployment.id, overall);
      this.io.stdout(`${overall}\n`);
    }
  }

  private finishDrawing(): void {
    this.drawnLines = 0;
  }
}
