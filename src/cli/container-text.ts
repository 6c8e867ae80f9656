// A task's container settings in `deckhand render`'s text, one setting a line.
import type { ContainerSettings } from '../model/index.js';

export function containerLines(c: ContainerSettings | undefined): string[] {
  if (!c) return [];
  const list = (values: string[] | undefined) => values?.join(', ');
  const rows: Array<[string, string | undefined]> = [
    ['user', c.user],
    ['working dir', c.workingDir],
    ['hostname', c.hostname],
    ['stop signal', c.stopSignal],
    ['extra hosts', list(c.extraHosts)],
    ['dns', list(c.dns)],
    ['dns search', list(c.dnsSearch)],
    ['dns options', list(c.dnsOptions)],
    ['groups', list(c.groupAdd)],
    ['cap add', list(c.capAdd)],
    ['cap drop', list(c.capDrop)],
    ['read-only root', c.readOnlyRootfs === undefined ? undefined : String(c.readOnlyRootfs)],
    ['no new privileges', c.noNewPrivileges === undefined ? undefined : String(c.noNewPrivileges)],
    ['ulimits', list(c.ulimits?.map((u) => `${u.name}=${u.soft}:${u.hard}`))],
    ['shm size', c.shmSizeBytes === undefined ? undefined : `${c.shmSizeBytes} bytes`],
    ['init', c.init === undefined ? undefined : String(c.init)],
    ['logging', c.logging ? [c.logging.driver, ...Object.keys(c.logging.options).sort().map((k) => `${k}=${c.logging!.options[k]}`)].join(' ') : undefined],
    ...entries('label', c.labels),
    ...entries('sysctl', c.sysctls),
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined).map(([name, value]) => `${name} ${value}`);
}

function entries(name: string, map: Record<string, string> | undefined): Array<[string, string]> {
  return Object.keys(map ?? {}).sort().map((key) => [name, `${key} = ${map![key]}`]);
}
