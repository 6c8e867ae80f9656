// A v1 Service → what deckhand serves for it: each port an endpoint in front of the
// Deployment it selects, its name a DNS alias of that Deployment's pods. Which
// Deployment it selects is known only once the whole tree is rendered (attach.ts),
// as a Service often sits in a file of its own.
import type { FieldOrigin, ServiceDefinition, ServicePort } from '../types.js';
import type { YamlPath } from '../yaml/document.js';
import { objectMetaFields, serviceFields, servicePortFields, serviceSpecFields } from './api-fields.js';
import { readNamespace } from './deployment.js';
import { checkDecisions, serviceSpecDecisions } from './field-decisions.js';
import { isPortName, portNameRule } from './ports.js';
import type { ManifestReader } from './reader.js';

const dnsLabel = /^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$/;
const portRange = { min: 1, max: 65_535 };
const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

/** The Service, or undefined when it selects no pods (skipped with a notice) or is wrong (errors in the reader). */
export function readService(reader: ManifestReader, file: string): ServiceDefinition | undefined {
  reader.checkKeys([], serviceFields);
  reader.mapping(['metadata']);
  reader.mapping(['spec']);
  reader.checkKeys(['metadata'], objectMetaFields);
  reader.checkKeys(['spec'], serviceSpecFields);
  checkDecisions(reader, ['spec'], serviceSpecDecisions);
  const origin = (path: YamlPath, part: 'key' | 'value' = 'value') => ({ ...reader.origin(path, part), file });

  const name = reader.string(['metadata', 'name']);
  if (!reader.has(['metadata', 'name'])) reader.missing(['metadata', 'name'], 'a Service needs a name: Deployments reach it by that name');
  else if (name !== undefined && !dnsLabel.test(name)) reader.expected(['metadata', 'name'], 'a name of at most 63 lowercase letters, digits and "-", starting with a letter');
  const namespace = readNamespace(reader);
  const type = reader.string(['spec', 'type']) ?? 'ClusterIP';
  if (!types.includes(type)) reader.expected(['spec', 'type'], types.map((t) => `"${t}"`).join(', '));
  if (type === 'ExternalName') {
    reader.report('notice', ['spec', 'type'], 'an ExternalName Service names a host outside; deckhand has nothing to serve for it; skipped', { code: 'skipped-kind' });
    return undefined;
  }
  const selector = reader.stringMap(['spec', 'selector']) ?? {};
  if (Object.keys(selector).length === 0) {
    if (!reader.hasErrors) reader.report('notice', reader.has(['spec', 'selector']) ? ['spec', 'selector'] : ['spec'], 'a Service without a selector selects no pods; deckhand has nothing to serve for it; skipped', { code: 'skipped-kind' });
    return undefined;
  }
  const headless = reader.string(['spec', 'clusterIP']) === 'None';
  const nodePorts = type === 'NodePort' || type === 'LoadBalancer';
  const ports = readPorts(reader, nodePorts, origin);
  if (name === undefined) return undefined;
  return { name, namespace, selector, headless, ports, origin: origin(['metadata', 'name']), selectorOrigin: origin(['spec', 'selector'], 'key'), broken: reader.hasErrors };
}

function readPorts(reader: ManifestReader, nodePorts: boolean, origin: (path: YamlPath, part?: 'key' | 'value') => FieldOrigin & { file: string }): ServicePort[] {
  const path = ['spec', 'ports'];
  const ports: ServicePort[] = [];
  (reader.list(path) ?? []).forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) {
      reader.expected(item, 'a map with port');
      return;
    }
    reader.checkKeys(item, servicePortFields);
    const port = reader.wholeNumber([...item, 'port'], portRange);
    if (!reader.has([...item, 'port'])) reader.missing([...item, 'port'], 'a Service port needs a port');
    const protocol = reader.string([...item, 'protocol']);
    if (protocol !== undefined && protocol !== 'TCP') {
      reader.error([...item, 'protocol'], `protocol ${protocol} is not supported: deckhand serves TCP ports only`, { code: 'unsupported' });
    }
    const nodePort = nodePorts ? reader.wholeNumber([...item, 'nodePort'], portRange) : undefined;
    const target = readTarget(reader, [...item, 'targetPort']);
    if (port === undefined || target === undefined) return;
    const published = nodePort ?? port;
    const portPath = nodePort !== undefined ? [...item, 'nodePort'] : [...item, 'port'];
    const targetPath = reader.has([...item, 'targetPort']) ? [...item, 'targetPort'] : [...item, 'port'];
    ports.push({ port: published, target, origin: origin(item), portOrigin: origin(portPath), targetOrigin: origin(targetPath) });
  });
  return ports;
}

/** targetPort: a container port's number or name; absent, the same number as port (undefined: wrong, reported). */
function readTarget(reader: ManifestReader, path: YamlPath): number | string | undefined {
  const value = reader.value(path);
  if (value === undefined || value === null) {
    const port = reader.value([...path.slice(0, -1), 'port']);
    return typeof port === 'number' ? port : undefined;
  }
  if (typeof value === 'number') return reader.wholeNumber(path, portRange);
  if (typeof value === 'string' && isPortName(value)) return value;
  reader.expected(path, `a port number or ${portNameRule}`);
  return undefined;
}

export function serviceField(service: ServiceDefinition): string {
  return `Service "${service.name}" (${service.origin.file}:${service.origin.pos.line})`;
}
