// Puts each Kubernetes Service in front of the Deployment it selects, once every
// file of the tree is rendered: a Service often sits in a file of its own, and each
// file is rendered (and cached) alone. Jobs are shared with the render cache, so a
// job a Service changes is copied, never changed in place.
//
// A Deployment is never changed on doubt: when a Service that may select it has
// errors, selects it beside another Deployment, or leads to a port it lacks, the
// Deployment is held back (an error in its own file keeps what runs from it running).
import type { Diagnostic, Endpoint, Job, Port, Task } from '../../model/index.js';
import type { FieldMap, JobLimits, MappedJob, ServiceDefinition } from '../types.js';
import { validateJob } from '../validate.js';

type Origin = ServiceDefinition['origin'];

export function attachServices(jobs: MappedJob[], services: ServiceDefinition[], diagnostics: Diagnostic[], limits?: JobLimits): MappedJob[] {
  const held = new Set<MappedJob>();
  const added = new Map<MappedJob, Change>();
  /** `reported`: the problem is in the diagnostics already (a Service's own errors). */
  const hold = (job: MappedJob, problem: Diagnostic, reported = false) => {
    if (!reported) diagnostics.push(problem);
    held.add(job);
    if (problem.file === job.job.source.file) return;
    const at = job.fields.get('id') ?? { field: '', pos: { line: 1, col: 1 } };
    diagnostics.push({
      severity: 'error',
      code: 'held-back',
      file: job.job.source.file,
      line: at.pos.line,
      col: at.pos.col,
      field: at.field,
      message: `Deployment "${job.job.id}" is held back: ${problem.file}:${problem.line}:${problem.col}: ${problem.message}`,
      hint: 'what runs from it keeps running until that is fixed',
    });
  };

  for (const service of services) {
    const matches = jobs.filter((j) => selects(service, j));
    if (service.broken) {
      for (const job of matches) hold(job, error(service.origin, `Service "${service.name}", which selects it, has errors`, 'held-back'), true);
      continue;
    }
    if (matches.length === 0) {
      diagnostics.push({ ...at(service.origin), severity: 'warning', code: 'service-selects-nothing', message: `Service "${service.name}" selects no Deployment of namespace "${service.namespace}" in this repository; nothing is served for it` });
      continue;
    }
    if (matches.length > 1) {
      const names = matches.map((j) => `"${j.job.id}" (${j.job.source.file}:${j.fields.get('id')?.pos.line ?? 1})`).join(', ');
      const problem = error(service.selectorOrigin, `Service "${service.name}" selects ${matches.length} Deployments: ${names}; deckhand serves a Service from one`);
      problem.hint = 'give each Deployment pod labels of its own, and select them';
      for (const job of matches) hold(job, problem);
      continue;
    }
    const job = matches[0]!;
    const group = job.job.groups[0]!;
    if (group.network.mode === 'host') {
      hold(job, error(service.origin, `Service "${service.name}" selects Deployment "${job.job.id}", which uses hostNetwork: deckhand serves a Service over mapped ports`));
      continue;
    }
    const change: Change = added.get(job) ?? { endpoints: [], aliases: [], implied: [] };
    added.set(job, change);
    if (service.name !== group.name && !change.aliases.includes(service.name)) change.aliases.push(service.name);
    if (service.headless) continue;
    service.ports.forEach((port, index) => {
      const target = group.tasks.flatMap((task) => task.ports.map((p) => ({ task, port: p }))).find(({ port: p }) => (typeof port.target === 'number' ? p.to === port.target : p.label === port.target));
      if (target) {
        change.endpoints.push({ endpoint: { port: port.port, group: group.name, task: target.task.name, portLabel: target.port.label, canaries: false }, service, index });
        return;
      }
      // containerPort only documents a port in Kubernetes: a numbered targetPort reaches whichever container listens.
      const implied = typeof port.target === 'number' ? impliedPort(group.tasks, port.target, change.implied, port.targetOrigin) : undefined;
      if (implied) {
        change.endpoints.push({ endpoint: { port: port.port, group: group.name, task: implied.task, portLabel: implied.port.label, canaries: false }, service, index });
        if (!change.implied.includes(implied)) change.implied.push(implied);
        return;
      }
      const what = typeof port.target === 'number' ? `containerPort ${port.target}` : `port "${port.target}"`;
      const problem = error(port.targetOrigin, `targetPort ${port.target} matches no container port of Deployment "${job.job.id}": it has no ${what}`);
      if (typeof port.target === 'number') {
        problem.message += ', and deckhand serves a port from one container, which it cannot tell among the pod\'s';
        problem.hint = `add containerPort: ${port.target} to the container that listens on it`;
      }
      hold(job, problem);
    });
  }

  return jobs.flatMap((mapped) => {
    if (held.has(mapped)) return [];
    const change = added.get(mapped);
    if (!change) return [mapped];
    const attached = withService(mapped, change);
    // The job was valid alone; what the Service added may clash (a port published twice).
    const problems = validateJob(attached.job, attached.fields, limits);
    if (problems.length > 0) {
      const [first, ...rest] = problems;
      diagnostics.push(...rest);
      hold(mapped, first!);
      return [];
    }
    return [attached];
  });
}

function selects(service: ServiceDefinition, job: MappedJob): boolean {
  const pod = job.selectable;
  if (!pod || pod.namespace !== service.namespace) return false;
  return Object.entries(service.selector).every(([key, value]) => Object.hasOwn(pod.labels, key) && pod.labels[key] === value);
}

interface Change {
  endpoints: { endpoint: Endpoint; service: ServiceDefinition; index: number }[];
  aliases: string[];
  /** Ports a Service's targetPort reaches in the pod's one main container, which lists no such containerPort. */
  implied: ImpliedPort[];
}

interface ImpliedPort {
  task: string;
  port: Port;
  /** The targetPort that implies it. */
  origin: Origin;
}

/** The port `number` of the pod's one main container (init containers run before it); undefined when there are several. */
function impliedPort(tasks: readonly Task[], number: number, known: readonly ImpliedPort[], origin: Origin): ImpliedPort | undefined {
  const main = tasks.filter((task) => task.lifecycle === undefined);
  if (main.length !== 1) return undefined;
  const task = main[0]!;
  const found = known.find((p) => p.task === task.name && p.port.to === number);
  if (found) return found;
  const label = String(number);
  // A named port called "8080" that listens elsewhere: the label is taken, and guessing would misread it.
  if (task.ports.some((p) => p.label === label)) return undefined;
  return { task: task.name, port: { label, static: null, to: number }, origin };
}

function withService(mapped: MappedJob, { endpoints, aliases, implied }: Change): MappedJob {
  const { job } = mapped;
  const fields: FieldMap = new Map(mapped.fields);
  endpoints.forEach(({ service, index }, i) => {
    const at = `endpoints.${job.endpoints.length + i}`;
    fields.set(at, service.ports[index]!.origin);
    fields.set(`${at}.port`, service.ports[index]!.portOrigin);
  });
  const [group, ...otherGroups] = job.groups;
  const [attachment, ...otherAttachments] = group!.network.attachments;
  const network = attachment ? { ...group!.network, attachments: [{ ...attachment, aliases: [...attachment.aliases, ...aliases.filter((a) => !attachment.aliases.includes(a))] }, ...otherAttachments] } : group!.network;
  const tasks = group!.tasks.map((task, ti) => {
    const ports = implied.filter((p) => p.task === task.name);
    ports.forEach((p, i) => fields.set(`groups.0.tasks.${ti}.ports.${task.ports.length + i}`, p.origin));
    return ports.length ? { ...task, ports: [...task.ports, ...ports.map((p) => p.port)] } : task;
  });
  const changed: Job = { ...job, endpoints: [...job.endpoints, ...endpoints.map((e) => e.endpoint)], groups: [{ ...group!, network, tasks }, ...otherGroups] };
  return { ...mapped, job: changed, fields };
}

function at(origin: Origin): Pick<Diagnostic, 'file' | 'line' | 'col' | 'field'> {
  return { file: origin.file, line: origin.pos.line, col: origin.pos.col, field: origin.field };
}

function error(origin: Origin, message: string, code = 'invalid-value'): Diagnostic {
  return { ...at(origin), severity: 'error', code, message };
}
