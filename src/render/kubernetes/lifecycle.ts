// How a pod stops: `terminationGracePeriodSeconds` (signal to kill, for every
// container) and a container's `lifecycle.preStop`. A preStop that only sleeps is
// what Kubernetes users write to let endpoints drain before the signal: deckhand's
// shutdown delay does exactly that. Any other hook would have to run inside the
// container, which deckhand does not do, so it is refused; so is postStart.
import { kubernetesDefaults } from '../defaults.js';
import type { YamlPath } from '../yaml/document.js';
import type { ManifestReader } from './reader.js';

const podSpec = ['spec', 'template', 'spec'];

/** terminationGracePeriodSeconds in ms, Kubernetes' 30s when absent (so writing the default out is no change). */
export function readGracePeriod(reader: ManifestReader): number {
  const path = [...podSpec, 'terminationGracePeriodSeconds'];
  const seconds = reader.wholeNumber(path, { min: 0 }) ?? kubernetesDefaults.terminationGracePeriodSeconds;
  return seconds * 1000;
}

/** Where the grace period comes from: the field, else the pod spec that leaves it out. */
export function gracePeriodPath(reader: ManifestReader): YamlPath {
  const path = [...podSpec, 'terminationGracePeriodSeconds'];
  return reader.has(path) ? path : podSpec;
}

/** The preStop sleep in ms (0: none); a hook deckhand cannot run is an error. */
export function readPreStop(reader: ManifestReader, container: YamlPath): number {
  const lifecycle = [...container, 'lifecycle'];
  if (!reader.mapping(lifecycle)) return 0;
  reader.checkKeys(lifecycle, new Set(['preStop', 'postStart', 'stopSignal']));
  if (reader.has([...lifecycle, 'postStart'])) {
    reader.error([...lifecycle, 'postStart'], 'postStart hooks are not supported: deckhand does not run commands inside containers', { code: 'unsupported', part: 'key' });
  }
  const preStop = [...lifecycle, 'preStop'];
  if (!reader.mapping(preStop)) return 0;
  const refuse = (path: YamlPath): number => {
    reader.error(path, 'only a preStop that sleeps is supported (sleep: {seconds: N}, or exec of "sleep N"): deckhand does not run other commands inside containers', {
      code: 'unsupported',
      hint: 'deckhand takes the sleep as the time the allocation leaves its endpoints before the stop signal',
    });
    return 0;
  };
  const handlers = ['sleep', 'exec', 'httpGet', 'tcpSocket'].filter((h) => reader.has([...preStop, h]));
  if (handlers.length !== 1) return refuse(preStop);
  const handler = handlers[0]!;
  if (handler === 'sleep') {
    const seconds = reader.wholeNumber([...preStop, 'sleep', 'seconds'], { min: 0 });
    if (!reader.has([...preStop, 'sleep', 'seconds'])) reader.missing([...preStop, 'sleep', 'seconds'], 'a sleep hook needs seconds');
    return (seconds ?? 0) * 1000;
  }
  if (handler !== 'exec') return refuse([...preStop, handler]);
  const commandPath = [...preStop, 'exec', 'command'];
  const command = reader.stringList(commandPath);
  if (!command) return reader.has(commandPath) ? 0 : refuse([...preStop, 'exec']);
  const seconds = sleepSeconds(command);
  return seconds === null ? refuse(commandPath) : seconds * 1000;
}

/** `["sleep", "5"]`, `["/bin/sleep", "5"]`, `["sh", "-c", "sleep 5"]`: 5; anything else: null. */
function sleepSeconds(command: string[]): number | null {
  const words = /^(\/bin\/|\/usr\/bin\/)?(ba)?sh$/.test(command[0] ?? '') && command[1] === '-c' && command.length === 3 ? command[2]!.trim().split(/\s+/) : command;
  if (words.length !== 2 || !/^(\/bin\/|\/usr\/bin\/)?sleep$/.test(words[0]!)) return null;
  return /^\d+$/.test(words[1]!) ? Number(words[1]) : null;
}
