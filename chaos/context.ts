// What every row shares: the run's id (the prefix of every container label value
// the run creates, so the final clean-up finds them all), its seed, and a list of
// clean-ups (agents, servers, engines, mounts, folders) run in reverse order at
// the end, whether the rows succeeded or not.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { startAgentProcess } from '../test/support/agent-process.js';
import type { AgentProcess, AgentProcessOptions } from '../test/support/agent-process.js';
import { docker, testLabel } from '../test/runtime/support.js';

/** bin/deckhand.js, run by its `#!` line. */
export const deckhandProgram = join(process.cwd(), 'bin', 'deckhand.js');

interface CleanUp {
  what: string;
  run: () => Promise<void> | void;
}

export class ChaosContext {
  readonly runId: string;
  private readonly cleanUps: CleanUp[] = [];
  private labels = 0;

  constructor(
    readonly seed: number,
    /** Progress lines (stderr), so a long run shows where it is. */
    readonly log: (line: string) => void = (line) => process.stderr.write(`chaos: ${line}\n`),
  ) {
    this.runId = `chaos-${randomBytes(3).toString('hex')}`;
  }

  /** A line only `CHAOS_VERBOSE=1` shows: what a trial saw, to explain a verdict. */
  trace(line: string): void {
    if (process.env.CHAOS_VERBOSE) this.log(`    ${line}`);
  }

  /** A label value of its own for one row's agents (it starts with the run's id, which the final clean-up looks for). */
  newRunLabel(part: string): string {
    this.labels += 1;
    return `${this.runId}-${part}-${this.labels}`;
  }

  /** Registers a clean-up; the function returned runs it now (once) instead of at the end. */
  defer(what: string, run: () => Promise<void> | void): () => Promise<void> {
    const entry: CleanUp = { what, run };
    this.cleanUps.push(entry);
    return async () => {
      const at = this.cleanUps.indexOf(entry);
      if (at < 0) return;
      this.cleanUps.splice(at, 1);
      await entry.run();
    };
  }

  /** A temporary folder, deleted at the end. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `deckhand-chaos-${prefix}-`));
    this.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
    return dir;
  }

  /**
   * `deckhand agent` in a process of its own (test/support/agent-process.ts), run as
   * the program it is (its `#!` line's Node flags apply, as in production), killed at
   * the end if still running.
   */
  async startAgent(options: AgentProcessOptions): Promise<AgentProcess> {
    const agent = await startAgentProcess({ command: deckhandProgram, ...options });
    this.defer(`kill the agent at ${agent.url}`, async () => {
      await agent.stop('SIGKILL');
    });
    return agent;
  }

  /** Runs every clean-up, newest first, then removes every container the run labelled; returns what failed. */
  async cleanUp(): Promise<string[]> {
    const failures: string[] = [];
    while (this.cleanUps.length > 0) {
      const entry = this.cleanUps.pop()!;
      try {
        await entry.run();
      } catch (error) {
        failures.push(`${entry.what}: ${(error as Error).message}`);
      }
    }
    try {
      await removeLabelled(docker, this.runId);
    } catch (error) {
      failures.push(`removing the run's containers: ${(error as Error).message}`);
    }
    return failures;
  }
}

/** Removes every container on `engine` whose run label starts with `prefix`, then the job networks and volumes the agents made for them. */
export async function removeLabelled(engine: Docker, prefix: string): Promise<number> {
  const listed = await engine.listContainers({ all: true, filters: { label: [testLabel] } });
  const ours = listed.filter((c) => (c.Labels[testLabel] ?? '').startsWith(`${prefix}-`));
  await Promise.allSettled(ours.map((c) => engine.getContainer(c.Id).remove({ force: true })));
  const networks = await engine.listNetworks({ filters: { label: [testLabel] } });
  const ourNetworks = networks.filter((n) => (n.Labels?.[testLabel] ?? '').startsWith(`${prefix}-`));
  await Promise.allSettled(ourNetworks.map((n) => engine.getNetwork(n.Id).remove()));
  // And the volumes they made (named volumes, and an allocation's own: /alloc, /local), once no container holds them.
  const { Volumes: volumes } = await engine.listVolumes({ filters: { label: [testLabel] } });
  const ourVolumes = (volumes ?? []).filter((v) => (v.Labels?.[testLabel] ?? '').startsWith(`${prefix}-`));
  await Promise.allSettled(ourVolumes.map((v) => engine.getVolume(v.Name).remove()));
  return ours.length;
}
