// The job networks containers join: user-defined bridges deckhand makes (labelled
// as its own, so it only ever removes those) or external ones it joins as found.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { PlacementError } from '../driver.js';
import { statusOf } from './engine-error.js';
import { scopeOf } from './labels.js';

/** A network as a placement needs it. */
export interface NetworkUse {
  dockerName: string;
  external: boolean;
  aliases: string[];
}

export const networkLabel = {
  /** The job network's name in the job file; its presence marks a network deckhand made. */
  network: 'deckhand.network',
  job: 'deckhand.job',
  scope: 'deckhand.scope',
} as const;

/** An agent with labels of its own names its networks apart: `deckhand-web-1a2b3c4d`. */
export function networkSuffixOf(extraLabels: Record<string, string>): string {
  return Object.keys(extraLabels).length === 0 ? '' : `-${createHash('sha256').update(scopeOf(extraLabels)).digest('hex').slice(0, 8)}`;
}

/** How the networks are made: a bridge on one engine, or an attachable overlay across a swarm (whose users are services, not local containers). */
export interface NetworkKind {
  driver: 'bridge' | 'overlay';
  /** Whether anything still uses a network deckhand made; default: a container on this engine is attached. */
  inUse?: (info: { Name?: string; Id?: string; Containers?: Record<string, unknown> }) => Promise<boolean>;
}

export class NetworkManager {
  /** Creation under way, per Docker name: the engine accepts two networks of one name, so two placements must not both create it. */
  private readonly creating = new Map<string, Promise<void>>();
  readonly suffix: string;

  constructor(
    private readonly docker: Docker,
    private readonly extraLabels: Record<string, string>,
    private readonly kind: NetworkKind = { driver: 'bridge' },
  ) {
    this.suffix = networkSuffixOf(extraLabels);
  }

  /** Makes sure every network exists: deckhand's are created, an external one missing is the placement's error. */
  async ensure(jobId: string, networks: NetworkUse[]): Promise<void> {
    for (const network of networks) await this.ensureOne(jobId, network);
  }

  private ensureOne(jobId: string, network: NetworkUse): Promise<void> {
    const running = this.creating.get(network.dockerName);
    if (running) return running;
    const work = this.createIfMissing(jobId, network).finally(() => this.creating.delete(network.dockerName));
    this.creating.set(network.dockerName, work);
    return work;
  }

  private async createIfMissing(jobId: string, network: NetworkUse): Promise<void> {
    if (await this.exists(network.dockerName)) return;
    if (network.external) {
      throw new PlacementError(`network "${network.dockerName}" is external (the job joins it, never creates it) and does not exist; create it with: docker network create ${network.dockerName}`);
    }
    await this.docker.createNetwork({
      Name: network.dockerName,
      Driver: this.kind.driver,
      // The edge and deckhand's probes join an overlay from outside Swarm's services.
      ...(this.kind.driver === 'overlay' ? { Attachable: true } : {}),
      CheckDuplicate: true,
      Labels: { ...this.extraLabels, [networkLabel.network]: network.dockerName, [networkLabel.job]: jobId, [networkLabel.scope]: scopeOf(this.extraLabels) },
    });
  }

  private async exists(name: string): Promise<boolean> {
    try {
      const info = (await this.docker.getNetwork(name).inspect()) as { Name?: string };
      // The engine finds networks by id prefix too: only an exact name is the network.
      return info.Name === name;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Removes the named networks deckhand made (never an external one or one it did
   * not make) when no container uses them any more; one still in use (another job
   * of a shared network, a container started by hand) stays.
   */
  async release(dockerNames: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const name of dockerNames.map((unscoped) => `${unscoped}${this.suffix}`)) {
      let info: { Name?: string; Id?: string; Labels?: Record<string, string>; Containers?: Record<string, unknown> };
      try {
        info = (await this.docker.getNetwork(name).inspect()) as typeof info;
      } catch (error) {
        if (statusOf(error) === 404) continue;
        throw error;
      }
      if (info.Name !== name || info.Labels?.[networkLabel.network] !== name) continue;
      if (info.Labels[networkLabel.scope] !== scopeOf(this.extraLabels)) continue;
      if (this.kind.inUse ? await this.kind.inUse(info) : Object.keys(info.Containers ?? {}).length > 0) continue;
      try {
        await this.docker.getNetwork(name).remove();
        removed.push(name);
      } catch (error) {
        // In use after all (a container joined meanwhile), or already gone.
        if (![403, 404, 409].includes(statusOf(error) ?? 0)) throw error;
      }
    }
    return removed;
  }
}
