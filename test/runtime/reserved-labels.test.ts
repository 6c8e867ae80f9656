// The driver finds its containers by the deckhand.* labels it writes: labels of
// its own with that prefix would overwrite them, and it would lose its containers.
import { newDockerClient } from '../../src/runtime/docker/client.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';

describe('the driver\'s own labels', () => {
  it('may not use the deckhand. prefix', () => {
    expect(() => new DockerDriver(newDockerClient(), { labels: { team: 'web', 'deckhand.job': 'evil' } })).toThrow('label key "deckhand.job" is reserved for deckhand\'s own labels (deckhand.*)');
  });
});
