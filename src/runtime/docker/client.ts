// The Docker client without what deckhand rarely uses. On import, dockerode
// loads an SSH client (docker-modem's ssh.js, for ssh:// engines) and a gRPC
// stack (its session.js, for BuildKit sessions): about 24 MB of a 100 MB agent
// that talks to a local socket. Both modules export one function, so each is
// replaced in the CommonJS cache by a function that loads the real module on
// its first call; ssh:// engines and BuildKit sessions still work.
import { Agent } from 'node:http';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import type DockerType from 'dockerode';

const require = createRequire(import.meta.url);

/** Puts a stand-in for the function module at `path` into the cache, loading the real one when first called. */
function deferFunctionModule(path: string): void {
  if (require.cache[path]) return;
  let real: ((...args: unknown[]) => unknown) | null = null;
  const load = () => {
    if (!real) {
      delete require.cache[path];
      real = require(path) as (...args: unknown[]) => unknown;
    }
    return real;
  };
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = function deferred(this: unknown, ...args: unknown[]) {
    return load().apply(this, args);
  };
  require.cache[path] = standIn;
}

/**
 * An HTTP agent that opens a fresh connection for every request to the engine: a
 * kept-alive one outlives the engine's listener while it shuts down, and would
 * show it stopping every container as if each had failed; a refused connection
 * says the truth. It prints as one line: docker-modem formats every request's
 * options with util.inspect (all properties, unlimited depth) even when its
 * debugging is off, and an agent's sockets, parsers and queues made that cost
 * grow with the requests in flight (most of an agent's CPU with 50 containers).
 */
export class FreshConnectionAgent extends Agent {
  constructor() {
    super({ keepAlive: false });
  }

  [inspect.custom](): string {
    return 'FreshConnectionAgent';
  }
}

let loaded: typeof DockerType | null = null;

/** dockerode's class, loaded once, with its SSH and BuildKit-session parts deferred. */
export function dockerClass(): typeof DockerType {
  if (loaded) return loaded;
  // Only where this module system keeps a require cache (not under every test runner) is anything deferred.
  if (require.cache) {
    const dockerode = require.resolve('dockerode');
    const modem = require.resolve('docker-modem', { paths: [dirname(dockerode)] });
    deferFunctionModule(join(dirname(modem), 'ssh.js'));
    deferFunctionModule(join(dirname(dockerode), 'session.js'));
  }
  loaded = require('dockerode') as typeof DockerType;
  return loaded;
}

/** A client of the engine that DOCKER_HOST (and friends) name, or the local socket. */
export function newDockerClient(options?: DockerType.DockerOptions): DockerType {
  const Docker = dockerClass();
  return new Docker(options);
}
