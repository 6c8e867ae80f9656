// Fills in what each Deployment takes from Secrets and ConfigMaps once every file of
// the tree is rendered (they often sit in files of their own): variables
// (`valueFrom`, `envFrom`) join the task's environment, volume keys become its
// files. What comes from a Secret is sensitive: its variables are listed in the
// task's `sensitiveEnv` and its files marked, so plans and the API show them as
// (sensitive). Jobs are shared with the render cache: a job is copied, never changed.
//
// A Deployment is never changed on doubt: a Secret or ConfigMap it needs that is
// missing (and not `optional`), lacks a key, or has errors holds it back with an
// error at the reference; what runs from it keeps running.
import { imageReference, registryHost, registryOf } from '../../model/index.js';
import type { Diagnostic, RegistryCredentials, Task, TaskFile } from '../../model/index.js';
import type { ConfigRef, ConfigSource, FieldMap, FieldOrigin, MappedJob } from '../types.js';

/** Kubernetes' rule for variable names envFrom may make; other keys are skipped, as the kubelet skips them. */
const envName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

type Source = ConfigSource;

export function attachConfigs(jobs: MappedJob[], sources: ConfigSource[], diagnostics: Diagnostic[], scope: 'tree' | 'file' = 'tree'): MappedJob[] {
  const byKey = new Map<string, Source>();
  for (const source of sources) {
    const key = sourceKey(source.kind, source.namespace, source.name);
    const first = byKey.get(key);
    if (first) {
      diagnostics.push({ ...at(source.origin, source.origin.file), severity: 'error', code: 'duplicate', message: `${source.kind} "${source.name}" of namespace "${source.namespace}" is defined more than once`, hint: `first at ${first.origin.file}:${first.origin.pos.line}` });
      byKey.set(key, { ...first, broken: true });
    } else {
      byKey.set(key, source);
    }
  }
  return jobs.flatMap((mapped) => {
    if (!mapped.configRefs?.length) return [mapped];
    const problems: Diagnostic[] = [];
    const attached = resolve(mapped, byKey, scope, problems);
    diagnostics.push(...problems);
    return problems.length ? [] : [attached];
  });
}

function resolve(mapped: MappedJob, sources: Map<string, Source>, scope: 'tree' | 'file', problems: Diagnostic[]): MappedJob {
  const { job } = mapped;
  const file = job.source.file;
  const namespace = mapped.selectable?.namespace ?? 'default';
  const fail = (origin: FieldOrigin, message: string, hint?: string) => problems.push({ ...at(origin, file), severity: 'error', code: 'held-back', message, ...(hint ? { hint } : {}) });
  const fields: FieldMap = new Map(mapped.fields);
  const [group, ...otherGroups] = job.groups;
  const tasks: Task[] = group!.tasks.map((task) => ({ ...task, env: { ...task.env } }));
  const defined = group!.tasks.map((task) => new Set(Object.keys(task.env)));
  const sensitive = tasks.map(() => new Set<string>());
  const files: TaskFile[][] = tasks.map(() => []);

  const refs = [...mapped.configRefs!].sort((a, b) => order(a) - order(b));
  for (const ref of refs) {
    const task = tasks[ref.task];
    if (!task) continue;
    const source = sources.get(sourceKey(ref.kind, namespace, ref.name));
    const what = `${ref.kind} "${ref.name}"`;
    if (!source) {
      if (ref.optional) continue;
      const elsewhere = scope === 'file' ? 'in this file (a file sent alone is rendered without the rest of its folder)' : 'in this repository';
      fail(ref.origin, `${what} of namespace "${namespace}" is not defined ${elsewhere}; Deployment "${job.id}" is held back`, `add a ${ref.kind} manifest, or mark the reference optional: true`);
      continue;
    }
    if (source.broken) {
      fail(ref.origin, `${what}, which Deployment "${job.id}" uses, has errors (${source.origin.file}:${source.origin.pos.line}); the Deployment is held back`, 'what runs from it keeps running until that is fixed');
      continue;
    }
    const secret = ref.kind === 'Secret';
    if (ref.use === 'env') {
      const entry = source.data.get(ref.key);
      if (!entry) {
        if (!ref.optional) fail(ref.origin, `${what} has no key "${ref.key}"`, `its keys: ${[...source.data.keys()].join(', ') || 'none'}`);
        continue;
      }
      if (entry.encoding) {
        fail(ref.origin, `key "${ref.key}" of ${what} holds bytes that are not UTF-8 text, which a variable cannot hold`);
        continue;
      }
      task.env[ref.env] = entry.content;
      if (secret) sensitive[ref.task]!.add(ref.env);
      fields.set(`groups.0.tasks.${ref.task}.env.${ref.env}`, ref.origin);
      continue;
    }
    if (ref.use === 'envFrom') {
      for (const [key, entry] of source.data) {
        const name = `${ref.prefix}${key}`;
        // Variables of the container's own env win over envFrom's, as in Kubernetes.
        if (!envName.test(name) || defined[ref.task]!.has(name)) continue;
        if (entry.encoding) {
          fail(ref.origin, `key "${key}" of ${what} holds bytes that are not UTF-8 text, which a variable cannot hold`);
          continue;
        }
        task.env[name] = entry.content;
        if (secret) sensitive[ref.task]!.add(name);
        fields.set(`groups.0.tasks.${ref.task}.env.${name}`, ref.origin);
      }
      continue;
    }
    if (ref.use === 'pull') {
      // The first pull secret with credentials for the image's registry wins, as the kubelet tries them in order.
      if (task.registryAuth) continue;
      const found = pullCredentials(source, task.image);
      if ('problem' in found) fail(ref.origin, `${what} cannot be used to pull images: ${found.problem}`, 'make it a kubernetes.io/dockerconfigjson Secret (kubectl create secret docker-registry --dry-run=client -o yaml)');
      else if (found.credentials) {
        task.registryAuth = found.credentials;
        fields.set(`groups.0.tasks.${ref.task}.registryAuth`, ref.origin);
      }
      continue;
    }
    const chosen = volumeFiles(ref, source);
    if ('missing' in chosen) {
      if (!ref.optional) fail(ref.origin, `${what} has no key "${chosen.missing}"`, `its keys: ${[...source.data.keys()].join(', ') || 'none'}`);
      continue;
    }
    for (const file of chosen.files) {
      const taskFiles = files[ref.task]!;
      if (taskFiles.some((f) => f.target === file.target)) {
        fail(ref.origin, `two files at ${file.target}`);
        continue;
      }
      fields.set(`groups.0.tasks.${ref.task}.files.${taskFiles.length}`, ref.origin);
      taskFiles.push({ ...file, sensitive: secret });
    }
  }

  const resolved = tasks.map((task, i) => {
    const names = [...sensitive[i]!].filter((name) => Object.hasOwn(task.env, name));
    return { ...task, ...(files[i]!.length ? { files: files[i]! } : {}), ...(names.length ? { sensitiveEnv: names } : {}) };
  });
  const { configRefs: _done, ...rest } = mapped;
  return { ...rest, job: { ...job, groups: [{ ...group!, tasks: resolved }, ...otherGroups] }, fields };
}

/**
 * A dockerconfigjson Secret's credentials for the registry of `image` (Docker's
 * `config.json` shape: `auths` by registry, each with `auth` = base64 `user:password`
 * or `username`/`password`); none when it has no entry for that registry.
 */
function pullCredentials(source: Source, image: string): { credentials: RegistryCredentials | null } | { problem: string } {
  const entry = source.data.get('.dockerconfigjson');
  if (!entry || entry.encoding) return { problem: 'it has no .dockerconfigjson key holding JSON' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.content);
  } catch {
    return { problem: 'its .dockerconfigjson is not JSON' };
  }
  const auths = (parsed as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) return { problem: 'its .dockerconfigjson has no "auths"' };
  const wanted = registryOf(imageReference(image).repository);
  for (const [server, value] of Object.entries(auths as Record<string, unknown>)) {
    if (registryHost(server) === registryHost(wanted) && typeof value === 'object' && value !== null) {
      const credentials = credentialsOf(value as Record<string, unknown>);
      if (credentials) return { credentials: { ...credentials, serverAddress: server } };
    }
  }
  return { credentials: null };
}

function credentialsOf(value: Record<string, unknown>): Omit<RegistryCredentials, 'serverAddress'> | null {
  if (typeof value.username === 'string' && typeof value.password === 'string') return { username: value.username, password: value.password };
  if (typeof value.auth !== 'string') return null;
  const decoded = Buffer.from(value.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : null;
}

/** envFrom first, then env and volumes: a container's own variables win over envFrom's. */
function order(ref: ConfigRef): number {
  return ref.use === 'envFrom' ? 0 : 1;
}

/** The volume's files: every key, or the items listed; with subPath, the one file at mountPath itself. */
function volumeFiles(ref: Extract<ConfigRef, { use: 'files' }>, source: Source): { files: Omit<TaskFile, 'sensitive'>[] } | { missing: string } {
  const chosen: Array<{ path: string; key: string; mode: number }> = [];
  if (ref.items === null) {
    for (const key of source.data.keys()) chosen.push({ path: key, key, mode: ref.defaultMode });
  } else {
    for (const item of ref.items) {
      if (!source.data.has(item.key)) return { missing: item.key };
      chosen.push({ path: item.path, key: item.key, mode: item.mode ?? ref.defaultMode });
    }
  }
  const base = ref.mountPath.replace(/\/+$/, '');
  const toFile = (c: (typeof chosen)[number], target: string) => {
    const entry = source.data.get(c.key)!;
    return { target, content: entry.content, ...(entry.encoding ? { encoding: entry.encoding } : {}), mode: c.mode };
  };
  if (ref.subPath !== null) {
    const one = chosen.find((c) => c.path === ref.subPath);
    if (!one) return { missing: ref.subPath };
    return { files: [toFile(one, ref.mountPath)] };
  }
  return { files: chosen.map((c) => toFile(c, `${base}/${c.path}`)) };
}

function sourceKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

function at(origin: FieldOrigin, file: string): Pick<Diagnostic, 'file' | 'line' | 'col' | 'field'> {
  return { file: origin.file ?? file, line: origin.pos.line, col: origin.pos.col, field: origin.field };
}
