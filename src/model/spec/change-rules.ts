// Which changes force a new container and which are applied in place: the one
// table deckhand decides by. It follows Nomad (scheduler/util.go tasksUpdated)
// where Nomad has a rule, and the Docker engine where deckhand differs from Nomad.
import { hashOf } from './canonical.js';
import type { FlatGroup, FlatTask } from './flatten.js';
import { flattenGroup, flattenJob } from './flatten.js';
import type { Group, Job } from '../job.js';

export type ChangeEffect = 'destructive' | 'in-place' | 'scale';

export interface ChangeRule {
  scope: 'job' | 'group' | 'task';
  /** A field name, a field prefix ending in `[` (`Env[`), or an object kind (`Config`). */
  match: string;
  effect: ChangeEffect;
  why: string;
}

export const changeRules: readonly ChangeRule[] = [
  { scope: 'task', match: 'Config', effect: 'destructive', why: 'the container runs another image or command' },
  { scope: 'task', match: 'Driver', effect: 'destructive', why: 'another driver runs the task' },
  { scope: 'task', match: 'Env[', effect: 'destructive', why: 'a container reads its environment when it starts' },
  { scope: 'task', match: 'SecretEnv[', effect: 'destructive', why: 'a container reads its environment when it starts' },
  { scope: 'task', match: 'File', effect: 'destructive', why: 'a task\'s files are mounted read-only when its container is created' },
  { scope: 'task', match: 'Secret', effect: 'destructive', why: 'a task\'s files are mounted read-only when its container is created' },
  { scope: 'task', match: 'Resources', effect: 'destructive', why: 'Nomad places allocations anew when resources change' },
  { scope: 'task', match: 'Port', effect: 'destructive', why: 'ports are given to an allocation when it is placed' },
  { scope: 'task', match: 'ExecCheck', effect: 'destructive', why: 'it runs inside the container as its HEALTHCHECK, fixed at creation' },
  { scope: 'task', match: 'ImageHealthcheck', effect: 'destructive', why: 'the HEALTHCHECK is fixed when the container is created' },
  { scope: 'task', match: 'Mount', effect: 'destructive', why: 'a container\'s mounts are fixed when it is created' },
  { scope: 'task', match: 'Container', effect: 'destructive', why: 'Docker fixes labels, user, capabilities, logging and the rest when it creates the container' },
  { scope: 'task', match: 'Lifecycle', effect: 'destructive', why: 'the order of tasks is kept when an allocation is placed' },
  { scope: 'task', match: 'KillTimeout', effect: 'destructive', why: "Docker fixes a container's stop timeout when it is created" },
  { scope: 'task', match: 'ShutdownDelay', effect: 'in-place', why: 'deckhand waits it out before stopping a container; the container never sees it' },
  { scope: 'task', match: 'Check', effect: 'in-place', why: 'deckhand probes http, tcp and grpc checks from outside the container' },
  { scope: 'task', match: 'RegistryAuth', effect: 'in-place', why: 'credentials are used when the image is pulled; a running container keeps its image' },
  { scope: 'task', match: 'PullPolicy', effect: 'in-place', why: 'it is read when a container is placed; a running one keeps its image' },
  { scope: 'task', match: 'Meta[', effect: 'in-place', why: 'metadata is deckhand\'s own; the container never sees it' },
  { scope: 'group', match: 'Count', effect: 'scale', why: 'allocations are added or removed; the others stay' },
  { scope: 'group', match: 'Update', effect: 'in-place', why: 'it only shapes how rollouts proceed' },
  { scope: 'group', match: 'Rollback', effect: 'in-place', why: 'it only shapes how rollbacks proceed' },
  { scope: 'group', match: 'RestartPolicy', effect: 'in-place', why: '`docker update --restart` changes it on running containers' },
  { scope: 'group', match: 'NetworkMode', effect: 'destructive', why: "a container's network is chosen when it is created" },
  { scope: 'group', match: 'NetworkAttachment', effect: 'destructive', why: 'containers join their networks, under their names, when they are created' },
  { scope: 'group', match: 'Placement', effect: 'in-place', why: 'Nomad and Swarm keep allocations whose node still meets the constraints; on one engine every allocation\'s node does' },
  { scope: 'group', match: 'DependsOn[', effect: 'in-place', why: 'it only orders when deployments place the group\'s allocations' },
  { scope: 'group', match: 'Meta[', effect: 'in-place', why: 'metadata is deckhand\'s own; the container never sees it' },
  { scope: 'job', match: 'Meta[', effect: 'in-place', why: 'metadata is deckhand\'s own; the container never sees it' },
  { scope: 'job', match: 'Endpoint', effect: 'in-place', why: "the edge is re-pointed; allocations keep running" },
  { scope: 'job', match: 'Volume', effect: 'destructive', why: 'containers mount their volumes when they are created' },
  { scope: 'job', match: 'Network', effect: 'destructive', why: 'containers join their networks when they are created' },
  { scope: 'job', match: 'HistoryLimit', effect: 'in-place', why: 'it only decides how many versions are kept' },
];

/**
 * The rules of each scope, indexed (every field of every task is looked up on
 * every plan): exact names in a map, prefixes in a list, each with its place in
 * the table, since the first matching rule of the table decides.
 */
const rulesByScope = new Map(
  (['job', 'group', 'task'] as const).map((scope) => {
    const exact = new Map<string, { order: number; rule: ChangeRule }>();
    const prefixes: Array<{ order: number; rule: ChangeRule }> = [];
    changeRules.forEach((rule, order) => {
      if (rule.scope !== scope) return;
      if (rule.match.endsWith('[')) prefixes.push({ order, rule });
      else if (!exact.has(rule.match)) exact.set(rule.match, { order, rule });
    });
    return [scope, { exact, prefixes }];
  }),
);

/** The effect of a change to a field or object; anything without a rule is treated as destructive, the safe side. */
export function effectOf(scope: ChangeRule['scope'], name: string): ChangeEffect {
  const { exact, prefixes } = rulesByScope.get(scope)!;
  const byName = exact.get(name);
  const byPrefix = prefixes.find((p) => name.startsWith(p.rule.match));
  const first = byName && byPrefix ? (byName.order < byPrefix.order ? byName : byPrefix) : (byName ?? byPrefix);
  return first?.rule.effect ?? 'destructive';
}

/** The order names are hashed in: stored spec hashes depend on it. */
const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);

/** What of a task forces a new container when it changes. */
function destructivePart(task: FlatTask): unknown {
  const fields: Record<string, string> = {};
  for (const name of Object.keys(task.fields)) if (effectOf('task', name) === 'destructive') fields[name] = task.fields[name]!;
  const objects = task.objects.filter((o) => effectOf('task', o.kind) === 'destructive').map((o) => ({ name: o.name, fields: o.fields }));
  objects.sort(byName);
  return { name: task.name, fields, objects };
}

/**
 * The hash of everything in a group that forces create/destroy updates. Containers
 * carry it as `deckhand.spec-hash`: an allocation whose hash differs from its
 * group's must be replaced; one that matches is at most updated in place.
 */
export function groupSpecHash(group: Group | FlatGroup): string {
  if ('objects' in group) return hashFlatGroup(group);
  // Plans ask again and again for the hash of the same group object.
  let hash = groupHashes.get(group);
  if (hash === undefined) {
    hash = hashFlatGroup(flattenGroup(group));
    groupHashes.set(group, hash);
  }
  return hash;
}

const groupHashes = new WeakMap<Group, string>();

function hashFlatGroup(flat: FlatGroup): string {
  const tasks = [...flat.tasks].sort(byName).map(destructivePart);
  // Group settings that force new containers (networking) join the hash only when
  // present, so groups without them keep the hashes their containers carry.
  const fields: Record<string, string> = {};
  for (const name of Object.keys(flat.fields)) if (effectOf('group', name) === 'destructive') fields[name] = flat.fields[name]!;
  const objects = flat.objects.filter((o) => effectOf('group', o.kind) === 'destructive').map((o) => ({ name: o.name, fields: o.fields }));
  if (Object.keys(fields).length === 0 && objects.length === 0) return hashOf(tasks);
  return hashOf({ tasks, group: { fields, objects: objects.sort(byName) } });
}

/**
 * The hash of a job's whole spec, taken over the same flattened view the diff
 * reads, with everything in name order: equal hashes mean an empty diff. Where
 * the job came from (file, format) and the order of blocks in it are not part of it.
 */
export function jobSpecHash(job: Job): string {
  // Plans and submissions ask again for the hash of the same job object (jobs are not changed once rendered).
  let hash = jobHashes.get(job);
  if (hash !== undefined) return hash;
  const flat = flattenJob(job);
  const sortByName = <T extends { name: string }>(list: T[]) => [...list].sort(byName);
  hash = hashOf({
    id: flat.id,
    fields: flat.fields,
    objects: sortByName(flat.objects),
    groups: sortByName(flat.groups).map((g) => ({ ...g, objects: sortByName(g.objects), tasks: sortByName(g.tasks).map((t) => ({ ...t, objects: sortByName(t.objects) })) })),
  });
  jobHashes.set(job, hash);
  // Plans ask for every group's hash next: take it from the groups just flattened rather than flatten them again.
  job.groups.forEach((group, i) => {
    if (!groupHashes.has(group)) groupHashes.set(group, hashFlatGroup(flat.groups[i]!));
  });
  return hash;
}

const jobHashes = new WeakMap<Job, string>();
