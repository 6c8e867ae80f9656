// A container's `ports` → the task's ports, labelled by name (or by number when unnamed).
import type { Port } from '../../model/index.js';
import type { YamlPath } from '../yaml/document.js';
import { containerPortFields } from './api-fields.js';
import type { ManifestReader } from './reader.js';

const portRange = { min: 1, max: 65_535 };
const protocols = new Set(['TCP', 'UDP', 'SCTP']);

/** Kubernetes' IANA_SVC_NAME: probes refer to ports by it, so it must be told apart from a number. */
const portNamePattern = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const portNameRule = 'a port name of at most 15 lowercase letters, digits and "-", with at least one letter';

export function isPortName(name: string): boolean {
  return name.length <= 15 && portNamePattern.test(name);
}

/**
 * `hostNetwork`: the pod uses the host's network, where each containerPort is a host
 * port the process binds (nothing mapped; Kubernetes requires hostPort to equal it).
 * Otherwise containerPort is mapped from a host port: hostPort when given, else one
 * from the agent's range.
 */
export function mapPorts(reader: ManifestReader, container: YamlPath, task: string, hostNetwork = false): Port[] {
  const path = [...container, 'ports'];
  const ports: Port[] = [];
  (reader.list(path) ?? []).forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) {
      if (!reader.has(item)) reader.expected(item, 'a map with containerPort');
      return;
    }
    reader.checkKeys(item, containerPortFields);
    const containerPort = reader.wholeNumber([...item, 'containerPort'], portRange);
    if (!reader.has([...item, 'containerPort'])) reader.missing([...item, 'containerPort'], 'a port needs a containerPort');
    // An empty name is an unnamed port, as in Kubernetes.
    const name = reader.string([...item, 'name']) || undefined;
    if (name !== undefined && !isPortName(name)) reader.expected([...item, 'name'], portNameRule);
    // hostPort 0 means "none" in Kubernetes.
    const hostPort = reader.wholeNumber([...item, 'hostPort'], { min: 0, max: portRange.max }) || null;
    const protocol = reader.string([...item, 'protocol']);
    if (protocol !== undefined && !protocols.has(protocol)) reader.expected([...item, 'protocol'], 'TCP, UDP or SCTP');
    if (containerPort === undefined) return;
    if (hostNetwork && hostPort !== null && hostPort !== containerPort) {
      reader.expected([...item, 'hostPort'], `${containerPort}, the containerPort: with hostNetwork the two are one port`);
      return;
    }

    const at = `${task}.ports.${ports.length}`;
    reader.record(at, item);
    reader.record(`${at}.label`, name !== undefined ? [...item, 'name'] : [...item, 'containerPort']);
    if (hostNetwork) {
      reader.record(`${at}.static`, [...item, 'containerPort']);
      ports.push({ label: name ?? String(containerPort), static: containerPort, to: null });
      return;
    }
    reader.record(`${at}.to`, [...item, 'containerPort']);
    if (reader.has([...item, 'hostPort'])) reader.record(`${at}.static`, [...item, 'hostPort']);
    ports.push({ label: name ?? String(containerPort), static: hostPort, to: containerPort });
  });
  return ports;
}
