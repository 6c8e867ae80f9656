// Nomad interpolates a docker task's whole driver config once the allocation is
// placed, so `hostname = "web-${NOMAD_ALLOC_INDEX}"` or a label holding
// `${NOMAD_JOB_NAME}` name the allocation. The file's texts stay as written in the
// model (and its hash); only what is given to Docker is filled in.
import type { ContainerSettings } from '../model/index.js';
import { interpolate } from './interpolate.js';

export function interpolateSettings(settings: ContainerSettings, variables: Map<string, string>): ContainerSettings {
  const text = (value: string) => interpolate(value, variables);
  const map = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([name, value]) => [name, text(value)]));
  const out: ContainerSettings = { ...settings };
  if (settings.labels) out.labels = map(settings.labels);
  if (settings.user !== undefined) out.user = text(settings.user);
  if (settings.workingDir !== undefined) out.workingDir = text(settings.workingDir);
  if (settings.hostname !== undefined) out.hostname = text(settings.hostname);
  for (const key of ['extraHosts', 'dns', 'dnsSearch', 'dnsOptions'] as const) {
    const values = settings[key];
    if (values) out[key] = values.map(text);
  }
  if (settings.sysctls) out.sysctls = map(settings.sysctls);
  if (settings.logging) out.logging = { driver: settings.logging.driver, options: map(settings.logging.options) };
  return out;
}
