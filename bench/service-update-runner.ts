// The update done by Swarm itself: one replicated service on the overlay, its
// UpdateConfig the update's (parallel 2, no delay, monitor 1 s, pause on failure,
// the round's order), and one `docker service update` of its image. Done is the
// service's update state `completed`, read from the manager's service events.
import { demoImageV2 } from '../src/demo/images.js';
import { EventRecorder } from './docker-events.js';
import { createService, updateService, updateState } from './swarm.js';
import type { UpdateRunner, UpdateSetup } from './swarm-cluster-update.js';
import { swarmService, UpdateFailed } from './swarm-cluster-update.js';

const endStates = ['completed', 'paused', 'rollback_started', 'rollback_completed', 'rollback_paused'];
const timeoutMs = 120_000;

export class ServiceUpdateRunner implements UpdateRunner {
  static readonly runnerName = 'docker service update';
  readonly name = ServiceUpdateRunner.runnerName;
  private services: EventRecorder | null = null;

  async prepare(setup: UpdateSetup): Promise<void> {
    const docker = setup.cluster.manager.docker;
    this.services = await EventRecorder.open(docker, { type: ['service'] });
    await createService(docker, swarmService(setup));
  }

  async update(setup: UpdateSetup): Promise<void> {
    const docker = setup.cluster.manager.docker;
    const from = this.services!.events.length;
    await updateService(docker, setup.name, demoImageV2, 'overlay', 0);
    const ended = await this.services!.next((e) => e.attributes.name === setup.name && endStates.includes(e.attributes['updatestate.new'] ?? ''), from, timeoutMs);
    const state = ended.attributes['updatestate.new'];
    if (state !== 'completed') throw new UpdateFailed(`docker service update ended ${state}: ${(await updateState(docker, setup.name)).message}`);
  }

  async remove(setup: UpdateSetup): Promise<void> {
    this.services?.close();
    this.services = null;
    // A prepare that failed before the service was made leaves nothing to remove.
    await setup.cluster.manager.docker
      .getService(setup.name)
      .remove()
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
  }
}
