// A container's settings from the pod and the container: workingDir, the security
// contexts (user and group, read-only root, capabilities, no privilege escalation),
// the pod's fsGroup and supplementalGroups (supplementary groups), sysctls,
// hostAliases, dnsConfig and hostname, and lifecycle.stopSignal.
//
// Pod template labels and annotations are not container labels: every Deployment
// has labels (its selector needs them), so mapping them would replace every running
// Kubernetes container when deckhand is upgraded; and a label value cannot hold the
// text a Traefik or Caddy rule needs. deckhand's own labels name the job and group.
import type { ContainerSettings } from '../../model/index.js';
import { isIP } from 'node:net';
import { capabilityName, isStopSignal, stopSignalRule } from '../container-settings.js';
import type { YamlPath } from '../yaml/document.js';
import {
  capabilitiesFields, hostAliasFields, podDnsConfigFields, podDnsConfigOptionFields, podSecurityContextFields, profileFields,
  securityContextFields, sysctlFields,
} from './api-fields.js';
import type { ManifestReader } from './reader.js';
import { isPlainMap } from '../yaml/values.js';

const podSpec = ['spec', 'template', 'spec'];

/** A value read from the file and where: the task records it as its own field's origin. */
interface At<T> {
  value: T;
  path: YamlPath;
}

/** What the pod gives each of its containers. */
export interface PodContainerSettings {
  runAsUser?: At<number>;
  runAsGroup?: At<number>;
  runAsNonRoot?: At<boolean>;
  sysctls?: At<Record<string, string>>;
  extraHosts?: At<string[]>;
  dns?: At<string[]>;
  dnsSearch?: At<string[]>;
  dnsOptions?: At<string[]>;
  hostname?: At<string>;
  groupAdd?: At<string[]>;
  /** Pod fields already reported for one container: each is said once, not once per container. */
  reported: Set<string>;
}

/** Kubernetes' DNS_LABEL, required of a pod's hostname. */
const dnsLabel = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function readPodContainerSettings(reader: ManifestReader): PodContainerSettings {
  const out: PodContainerSettings = { reported: new Set() };
  const context = [...podSpec, 'securityContext'];
  if (reader.mapping(context)) {
    reader.checkKeys(context, podSecurityContextFields);
    readIdentity(reader, context, out);
    checkProfiles(reader, context);
    readGroups(reader, context, out);
    if (reader.has([...context, 'seLinuxChangePolicy'])) reader.warning([...context, 'seLinuxChangePolicy'], 'seLinuxChangePolicy is not applied by deckhand: volumes keep their SELinux labels', { part: 'key' });
    const sysctls = readSysctls(reader, [...context, 'sysctls']);
    if (sysctls) out.sysctls = { value: sysctls, path: [...context, 'sysctls'] };
  }
  const hosts = readHostAliases(reader, [...podSpec, 'hostAliases']);
  if (hosts) out.extraHosts = { value: hosts, path: [...podSpec, 'hostAliases'] };
  readDnsConfig(reader, [...podSpec, 'dnsConfig'], out);
  const hostnamePath = [...podSpec, 'hostname'];
  const hostname = reader.string(hostnamePath);
  if (hostname !== undefined && !dnsLabel.test(hostname)) reader.expected(hostnamePath, 'a hostname of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit');
  else if (hostname !== undefined) out.hostname = { value: hostname, path: hostnamePath };
  if (reader.has([...podSpec, 'subdomain'])) {
    reader.warning([...podSpec, 'subdomain'], 'subdomain is not applied by deckhand: the containers answer to their group\'s and task\'s names on the job network', { part: 'key' });
  }
  return out;
}

/** `task` is the task's model path (`groups.0.tasks.1`). */
export function mapContainerSettings(reader: ManifestReader, container: YamlPath, task: string, pod: PodContainerSettings): ContainerSettings | undefined {
  const out: ContainerSettings = {};
  const set = <K extends keyof ContainerSettings>(key: K, value: ContainerSettings[K], path: YamlPath) => {
    out[key] = value;
    reader.record(`${task}.container.${key}`, path);
  };
  const workingDir = reader.string([...container, 'workingDir']);
  if (workingDir) set('workingDir', workingDir, [...container, 'workingDir']);

  const own: PodContainerSettings = { reported: pod.reported };
  const once = (path: YamlPath, report: () => void) => {
    const key = JSON.stringify(path);
    if (pod.reported.has(key)) return;
    pod.reported.add(key);
    report();
  };
  const context = [...container, 'securityContext'];
  if (reader.mapping(context)) {
    reader.checkKeys(context, securityContextFields);
    readIdentity(reader, context, own);
    checkProfiles(reader, context);
    readPrivileges(reader, context, set);
  }
  // The container's own user and group win over the pod's, each on its own, as in Kubernetes.
  const user = own.runAsUser ?? pod.runAsUser;
  const group = own.runAsGroup ?? pod.runAsGroup;
  if (group && !user) {
    once(group.path, () => reader.error(group.path, 'runAsGroup needs runAsUser: Docker sets a group only together with a user', { code: 'unsupported', part: 'key', hint: 'set runAsUser too, e.g. to the image\'s user id' }));
  } else if (user) {
    set('user', group ? `${user.value}:${group.value}` : String(user.value), user.path);
  }
  const nonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
  if (nonRoot?.value && user?.value === 0) {
    once(nonRoot.path, () => reader.error(nonRoot.path, 'runAsNonRoot is true, but runAsUser is 0 (root)', { hint: 'run as another user, or drop runAsNonRoot' }));
  } else if (nonRoot?.value && !user) {
    once(nonRoot.path, () => reader.warning(nonRoot.path, 'runAsNonRoot is not checked against the image\'s user by deckhand', { part: 'key', hint: 'set runAsUser to run as a known user' }));
  }

  for (const key of ['sysctls', 'extraHosts', 'dns', 'dnsSearch', 'dnsOptions', 'hostname', 'groupAdd'] as const) {
    const from = pod[key];
    if (from) set(key, from.value as never, from.path);
  }
  const stopSignalPath = [...container, 'lifecycle', 'stopSignal'];
  const stopSignal = reader.string(stopSignalPath);
  if (stopSignal !== undefined && !isStopSignal(stopSignal)) reader.expected(stopSignalPath, stopSignalRule);
  else if (stopSignal !== undefined) set('stopSignal', stopSignal, stopSignalPath);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Volume kinds whose owner Kubernetes sets to the pod's fsGroup, and deckhand does not. */
const ownedVolumeKinds = ['emptyDir', 'persistentVolumeClaim', 'ephemeral'];

/**
 * The pod's fsGroup and supplementalGroups: supplementary groups of every container's
 * process. Kubernetes also gives the pod's emptyDir and claimed volumes to fsGroup;
 * deckhand cannot, so fsGroup beside such a volume is refused (the group could not write it).
 */
function readGroups(reader: ManifestReader, context: YamlPath, out: PodContainerSettings): void {
  const groups: string[] = [];
  const fsGroupPath = [...context, 'fsGroup'];
  const fsGroup = reader.wholeNumber(fsGroupPath, { min: 0 });
  if (fsGroup !== undefined) {
    const volumes = reader.list([...podSpec, 'volumes']) ?? [];
    const owned = volumes.findIndex((v) => isPlainMap(v) && ownedVolumeKinds.some((kind) => Object.hasOwn(v, kind)));
    if (owned >= 0) {
      const name = (volumes[owned] as { name?: unknown }).name;
      reader.error(fsGroupPath, `fsGroup is not supported beside emptyDir and persistentVolumeClaim volumes: Kubernetes gives them to group ${fsGroup}, deckhand leaves them as the image has them${typeof name === 'string' ? ` (volume "${name}")` : ''}, so the group could not write them`, {
        code: 'unsupported',
        part: 'key',
        hint: 'run as the user that owns the mount path in the image (runAsUser), and remove fsGroup',
      });
    } else {
      groups.push(String(fsGroup));
      reader.use(fsGroupPath, 'carried-out');
      const policy = [...context, 'fsGroupChangePolicy'];
      if (reader.has(policy)) reader.use(policy, 'no-effect', 'the pod has no volume whose owner fsGroup changes');
    }
  }
  const supplementalPath = [...context, 'supplementalGroups'];
  (reader.list(supplementalPath) ?? []).forEach((_, i) => {
    const id = reader.wholeNumber([...supplementalPath, i], { min: 0 });
    if (id !== undefined && !groups.includes(String(id))) groups.push(String(id));
  });
  if (reader.has(supplementalPath)) reader.use(supplementalPath, 'carried-out');
  const policyPath = [...context, 'supplementalGroupsPolicy'];
  const policy = reader.string(policyPath);
  if (policy === 'Strict') {
    reader.error(policyPath, 'supplementalGroupsPolicy Strict is not supported: Docker adds the groups the image gives the user, as Merge does', { code: 'unsupported', hint: 'remove supplementalGroupsPolicy, or set it to Merge' });
  } else if (policy !== undefined && policy !== 'Merge') {
    reader.expected(policyPath, '"Merge" or "Strict"');
  } else if (policy === 'Merge') reader.use(policyPath, 'carried-out');
  if (groups.length) out.groupAdd = { value: groups, path: fsGroup !== undefined && groups.includes(String(fsGroup)) ? fsGroupPath : supplementalPath };
}

/** runAsUser, runAsGroup and runAsNonRoot of a pod's or a container's security context. */
function readIdentity(reader: ManifestReader, context: YamlPath, into: PodContainerSettings): void {
  for (const key of ['runAsUser', 'runAsGroup'] as const) {
    const path = [...context, key];
    const id = reader.wholeNumber(path, { min: 0 });
    if (id !== undefined) into[key] = { value: id, path };
  }
  const nonRoot = reader.boolean([...context, 'runAsNonRoot']);
  if (nonRoot !== undefined) into.runAsNonRoot = { value: nonRoot, path: [...context, 'runAsNonRoot'] };
}

type Setter = <K extends keyof ContainerSettings>(key: K, value: ContainerSettings[K], path: YamlPath) => void;

/** A container's privileges: capabilities, read-only root, escalation; privileged containers are refused. */
function readPrivileges(reader: ManifestReader, context: YamlPath, set: Setter): void {
  if (reader.boolean([...context, 'privileged'])) {
    reader.error([...context, 'privileged'], 'privileged containers are not run by deckhand: they hold every capability and every device of the host', {
      code: 'unsupported',
      hint: 'add only the capabilities the container needs with capabilities.add',
    });
  }
  const readOnly = reader.boolean([...context, 'readOnlyRootFilesystem']);
  if (readOnly !== undefined) set('readOnlyRootfs', readOnly, [...context, 'readOnlyRootFilesystem']);
  // true is Docker's default; false asks that no process gains privileges through setuid binaries.
  const escalation = reader.boolean([...context, 'allowPrivilegeEscalation']);
  if (escalation === false) set('noNewPrivileges', true, [...context, 'allowPrivilegeEscalation']);
  const procMount = reader.string([...context, 'procMount']);
  if (procMount !== undefined && procMount !== 'Default') {
    reader.error([...context, 'procMount'], `procMount "${procMount}" is not supported: Docker masks /proc as Kubernetes' Default does`, { code: 'unsupported', hint: 'remove procMount' });
  }
  const capabilities = [...context, 'capabilities'];
  if (!reader.mapping(capabilities)) return;
  reader.checkKeys(capabilities, capabilitiesFields);
  for (const [field, key] of [['add', 'capAdd'], ['drop', 'capDrop']] as const) {
    const path = [...capabilities, field];
    const names = reader.stringList(path);
    if (!names) continue;
    const normalised = names.map(capabilityName);
    const bad = normalised.findIndex((n) => n === undefined);
    if (bad >= 0) reader.error([...path, bad], `"${names[bad]}" is not a Linux capability`, { hint: 'write it as Kubernetes does, e.g. NET_ADMIN' });
    else set(key, normalised as string[], path);
  }
}

/** The runtime's default seccomp and AppArmor profiles are Docker's; others are not applied, so they are refused. */
function checkProfiles(reader: ManifestReader, context: YamlPath): void {
  for (const field of ['seccompProfile', 'appArmorProfile']) {
    const path = [...context, field];
    if (!reader.mapping(path)) continue;
    reader.checkKeys(path, profileFields);
    const type = reader.string([...path, 'type']);
    if (type !== undefined && type !== 'RuntimeDefault') {
      reader.error([...path, 'type'], `${field} type "${type}" is not supported: deckhand runs containers with Docker's default profile`, { code: 'unsupported', hint: 'use type: RuntimeDefault, or remove it' });
    }
  }
  if (reader.has([...context, 'seLinuxOptions'])) {
    reader.error([...context, 'seLinuxOptions'], 'seLinuxOptions are not supported: deckhand does not label containers for SELinux', { code: 'unsupported', part: 'key', hint: 'remove seLinuxOptions' });
  }
}

/** `sysctls: [{ name, value }]` → a map. */
function readSysctls(reader: ManifestReader, path: YamlPath): Record<string, string> | undefined {
  const items = reader.list(path);
  if (!items) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  items.forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) {
      ok = false;
      if (!reader.has(item)) reader.expected(item, 'a sysctl (name and value)');
      return;
    }
    reader.checkKeys(item, sysctlFields);
    const name = reader.string([...item, 'name']);
    const value = reader.string([...item, 'value']);
    if (!reader.has([...item, 'name'])) reader.missing([...item, 'name'], 'a sysctl needs a name');
    if (!reader.has([...item, 'value'])) reader.missing([...item, 'value'], 'a sysctl needs a value');
    if (name === undefined || value === undefined) ok = false;
    else out[name] = value;
  });
  return ok ? out : undefined;
}

/** `hostAliases: [{ ip, hostnames: [...] }]` → one `name:address` line per hostname. */
function readHostAliases(reader: ManifestReader, path: YamlPath): string[] | undefined {
  const items = reader.list(path);
  if (!items) return undefined;
  const out: string[] = [];
  let ok = true;
  items.forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) {
      ok = false;
      if (!reader.has(item)) reader.expected(item, 'a host alias (ip and hostnames)');
      return;
    }
    reader.checkKeys(item, hostAliasFields);
    const ip = reader.string([...item, 'ip']);
    const hostnames = reader.stringList([...item, 'hostnames']);
    if (!reader.has([...item, 'ip'])) reader.missing([...item, 'ip'], 'a host alias needs an ip');
    else if (ip !== undefined && isIP(ip) === 0) reader.expected([...item, 'ip'], 'an IPv4 or IPv6 address');
    if (ip === undefined || isIP(ip) === 0 || !hostnames) {
      ok = false;
      return;
    }
    for (const name of hostnames) out.push(`${name}:${ip}`);
  });
  return ok ? out : undefined;
}

/** `dnsConfig: { nameservers, searches, options: [{ name, value }] }`; an option is written `name:value`, as in resolv.conf. */
function readDnsConfig(reader: ManifestReader, path: YamlPath, into: PodContainerSettings): void {
  if (!reader.mapping(path)) return;
  reader.checkKeys(path, podDnsConfigFields);
  const nameservers = reader.stringList([...path, 'nameservers']);
  if (nameservers) {
    const bad = nameservers.findIndex((n) => isIP(n) === 0);
    if (bad >= 0) reader.expected([...path, 'nameservers', bad], 'an IPv4 or IPv6 address');
    else into.dns = { value: nameservers, path: [...path, 'nameservers'] };
  }
  const searches = reader.stringList([...path, 'searches']);
  if (searches) into.dnsSearch = { value: searches, path: [...path, 'searches'] };
  const optionsPath = [...path, 'options'];
  const items = reader.list(optionsPath);
  if (!items) return;
  const options: string[] = [];
  items.forEach((_, i) => {
    const item = [...optionsPath, i];
    if (!reader.mapping(item)) {
      if (!reader.has(item)) reader.expected(item, 'an option (name, and a value when it has one)');
      return;
    }
    reader.checkKeys(item, podDnsConfigOptionFields);
    const name = reader.string([...item, 'name']);
    const value = reader.string([...item, 'value']);
    if (!reader.has([...item, 'name'])) reader.missing([...item, 'name'], 'a DNS option needs a name');
    if (name !== undefined) options.push(value !== undefined ? `${name}:${value}` : name);
  });
  if (options.length === items.length) into.dnsOptions = { value: options, path: optionsPath };
}
