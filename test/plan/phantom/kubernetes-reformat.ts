// Rewrites a Kubernetes manifest into another text for the same Deployments, with
// the yaml package's Document API: keys and documents in another order, comments,
// flow style, the API server's defaults written out, and maxSurge/maxUnavailable
// as a number of pods or a percentage that resolves to the same number.
import { Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Choices } from './choices.js';
import { kubernetesQuantity, kubernetesQuantitySpellings, pickOther } from './quantities.js';
import type { YamlPath, YamlStyleOptions } from './yaml-common.js';
import { aliasRepeatedScalars, at, decorate, get, hasKey, lineEnds, mapAt, printOptions, scalar, set, shuffle } from './yaml-common.js';

export interface KubernetesReformatOptions extends YamlStyleOptions {
  /** The API server's defaults written out where the manifest leaves them out. */
  defaults: boolean;
  /** maxSurge / maxUnavailable as pods or as a percentage of the replicas, resolving to the same pods. */
  budgets: boolean;
  /** A probe's port by name or by number. */
  probePorts: boolean;
  /** The documents of the file in another order. */
  documents: boolean;
  /** Resource quantities spelled another way (`250m` as `0.25`, `128Mi` as `131072Ki`). */
  quantities: boolean;
  /**
   * Keeps each Deployment's `apiVersion` and `kind` lines plain (`kind: Deployment` at the start
   * of a line, no comment after it), as deckhand's file discovery needs to recognise the file.
   */
  discoverable: boolean;
}

export const allKubernetesRewrites: KubernetesReformatOptions = {
  reorder: true,
  comments: true,
  layout: true,
  anchors: true,
  defaults: true,
  budgets: true,
  probePorts: true,
  documents: true,
  quantities: true,
  discoverable: false,
};

export function reformatKubernetes(text: string, choices: Choices, options: KubernetesReformatOptions = allKubernetesRewrites): string {
  const docs = parseAllDocuments(text, { merge: true });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) throw new Error('reformatKubernetes: not YAML');
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const isDeployment = isScalar(get(root, 'kind')) && (get(root, 'kind') as { value: unknown }).value === 'Deployment';
    if (isDeployment) {
      if (options.defaults) addDefaults(root, choices);
      if (options.budgets) rewriteBudgets(root, choices);
      if (options.probePorts) rewriteProbePorts(root, choices);
    }
    if (isDeployment && options.quantities) respellQuantities(root, choices);
    if (options.reorder) shuffle(root, [], choices, isUnorderedList);
    const kindLines = new Set([get(root, 'kind'), get(root, 'apiVersion')].filter((n): n is Node => n !== undefined));
    if (options.anchors) aliasRepeatedScalars(doc, choices, 'same', options.discoverable ? kindLines : new Set());
    decorate(doc, choices, options);
    if (options.discoverable) plainKindLines(root);
  }
  const ordered = options.documents ? choices.shuffle(docs) : docs;
  const printed = ordered.map((doc: Document) => {
    // The documents are joined with `---` below: each prints without its own marker.
    doc.directives!.docStart = null;
    return doc.toString(printOptions(choices, options.layout));
  });
  const start = options.layout && choices.chance(3) ? '---\n' : '';
  return lineEnds(start + printed.join('---\n'), choices, options.layout);
}

/** Containers are matched by name and ports by label: their order means nothing. Env order does (`$(VAR)`). */
function isUnorderedList(path: YamlPath): boolean {
  const key = path.join('.');
  return key === 'spec.template.spec.containers' || /^spec\.template\.spec\.containers\.\d+\.ports$/.test(key);
}

const containersPath = ['spec', 'template', 'spec', 'containers'];

function containers(root: YAMLMap): YAMLMap[] {
  const list = at(root, containersPath);
  return isSeq(list) ? list.items.filter((c): c is YAMLMap => isMap(c)) : [];
}

// ---- defaults ----

const probeDefaults: ReadonlyArray<[string, number]> = [
  ['periodSeconds', 10],
  ['timeoutSeconds', 1],
  ['failureThreshold', 3],
  ['successThreshold', 1],
  ['initialDelaySeconds', 0],
];

function addDefaults(root: YAMLMap, choices: Choices): void {
  const spec = mapAt(root, ['spec'], false);
  if (!spec) return;
  const add = (map: YAMLMap, key: string, value: unknown) => {
    if (!hasKey(map, key) && choices.chance()) set(map, key, scalar(value));
  };
  add(spec, 'replicas', 1);
  add(spec, 'progressDeadlineSeconds', 600);
  add(spec, 'minReadySeconds', 0);
  add(spec, 'revisionHistoryLimit', 10);
  const strategy = mapAt(spec, ['strategy'], choices.chance());
  if (strategy) {
    add(strategy, 'type', 'RollingUpdate');
    const type = get(strategy, 'type');
    if (!isScalar(type) || type.value === 'RollingUpdate') {
      const rolling = mapAt(strategy, ['rollingUpdate'], choices.chance());
      if (rolling) {
        add(rolling, 'maxSurge', '25%');
        add(rolling, 'maxUnavailable', '25%');
      }
    }
  }
  // What `kubectl get deployment -o yaml` shows: the API server's defaults, all written out.
  if (!hasKey(root, 'status') && choices.chance(4)) set(root, 'status', new YAMLMap());
  const templateMeta = mapAt(spec, ['template', 'metadata'], false);
  if (templateMeta) add(templateMeta, 'creationTimestamp', null);
  const podSpec = mapAt(spec, ['template', 'spec'], false);
  if (podSpec) {
    add(podSpec, 'restartPolicy', 'Always');
    add(podSpec, 'dnsPolicy', 'ClusterFirst');
    add(podSpec, 'schedulerName', 'default-scheduler');
    add(podSpec, 'terminationGracePeriodSeconds', 30);
    if (!hasKey(podSpec, 'securityContext') && choices.chance()) set(podSpec, 'securityContext', new YAMLMap());
  }
  for (const container of containers(root)) {
    // An empty list or map is read as not set (omitempty in the API's JSON).
    for (const key of ['command', 'args', 'env', 'ports']) if (!hasKey(container, key) && choices.chance(4)) set(container, key, new YAMLSeq());
    if (!hasKey(container, 'resources') && choices.chance(4)) set(container, 'resources', new YAMLMap());
    add(container, 'terminationMessagePath', '/dev/termination-log');
    add(container, 'terminationMessagePolicy', 'File');
    // IfNotPresent is the default for an image with a tag other than `latest`.
    const image = get(container, 'image');
    if (isScalar(image) && typeof image.value === 'string' && /:[^/]+$/.test(image.value) && !image.value.endsWith(':latest')) add(container, 'imagePullPolicy', 'IfNotPresent');
    const ports = get(container, 'ports');
    if (isSeq(ports)) for (const port of ports.items) if (isMap(port)) add(port, 'protocol', 'TCP');
    for (const key of ['readinessProbe', 'livenessProbe']) {
      const probe = get(container, key);
      if (!isMap(probe)) continue;
      for (const [name, value] of probeDefaults) add(probe, name, value);
      const http = get(probe, 'httpGet');
      if (isMap(http)) add(http, 'scheme', 'HTTP');
    }
  }
}

// ---- maxSurge / maxUnavailable ----

type Budget = { pods: number } | { percent: number };

function readBudget(value: unknown, fallback: string): Budget | null {
  const raw = value === undefined ? fallback : value;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return { pods: raw };
  const match = typeof raw === 'string' ? /^(\d+)%$/.exec(raw) : null;
  return match ? { percent: Number(match[1]) } : null;
}

/** Pods a budget allows for `replicas`: surge rounds up, unavailable down (Kubernetes' deployment util). */
function pods(budget: Budget, replicas: number, round: 'up' | 'down'): number {
  if ('pods' in budget) return budget.pods;
  return round === 'up' ? Math.ceil((budget.percent * replicas) / 100) : Math.floor((budget.percent * replicas) / 100);
}

/** Every spelling of a budget that gives the same pods. */
function equivalents(budget: Budget, replicas: number, round: 'up' | 'down', maxPercent: number): Budget[] {
  const target = pods(budget, replicas, round);
  const out: Budget[] = [{ pods: target }];
  for (let percent = 0; percent <= maxPercent; percent++) {
    if (pods({ percent }, replicas, round) === target) out.push({ percent });
  }
  return out;
}

function budgetNode(budget: Budget) {
  return scalar('pods' in budget ? budget.pods : `${budget.percent}%`);
}

function rewriteBudgets(root: YAMLMap, choices: Choices): void {
  if (!choices.chance()) return;
  const spec = mapAt(root, ['spec'], false);
  if (!spec) return;
  const replicasNode = get(spec, 'replicas');
  const replicas = replicasNode === undefined ? 1 : isScalar(replicasNode) && typeof replicasNode.value === 'number' ? replicasNode.value : null;
  const type = at(spec, ['strategy', 'type']);
  if (replicas === null || (type !== undefined && !(isScalar(type) && type.value === 'RollingUpdate'))) return;
  const rolling = mapAt(spec, ['strategy', 'rollingUpdate'], true)!;
  const surgeNode = get(rolling, 'maxSurge');
  const unavailableNode = get(rolling, 'maxUnavailable');
  const surge = readBudget(isScalar(surgeNode) ? surgeNode.value : surgeNode, '25%');
  const unavailable = readBudget(isScalar(unavailableNode) ? unavailableNode.value : unavailableNode, '25%');
  if (!surge || !unavailable) return;
  // The number of pods (first) as often as any one percentage.
  const spell = (list: Budget[]) => (choices.chance(3) ? list[0]! : choices.one(list));
  const newSurge = spell(equivalents(surge, replicas, 'up', 150));
  const newUnavailable = spell(equivalents(unavailable, replicas, 'down', 100));
  // Both written as 0 is refused (the rollout could never move), whatever they resolve to.
  const zero = (b: Budget) => ('pods' in b ? b.pods : b.percent) === 0;
  if (zero(newSurge) && zero(newUnavailable)) return;
  set(rolling, 'maxSurge', budgetNode(newSurge));
  set(rolling, 'maxUnavailable', budgetNode(newUnavailable));
}

// ---- probe ports ----

function rewriteProbePorts(root: YAMLMap, choices: Choices): void {
  for (const container of containers(root)) {
    const portList = get(container, 'ports');
    const ports = isSeq(portList) ? portList.items.filter((p): p is YAMLMap => isMap(p)) : [];
    const entries = ports.map((p) => ({ name: (get(p, 'name') as { value?: unknown } | undefined)?.value, number: (get(p, 'containerPort') as { value?: unknown } | undefined)?.value }));
    for (const key of ['readinessProbe', 'livenessProbe']) {
      const probe = get(container, key);
      for (const handler of ['httpGet', 'tcpSocket']) {
        const action = get(probe, handler);
        const port = get(action, 'port');
        if (!isMap(action) || !isScalar(port) || !choices.chance()) continue;
        // Only where the port is unambiguous: one port with that name and that number.
        if (typeof port.value === 'string') {
          const matches = entries.filter((e) => e.name === port.value);
          const number = matches[0]?.number;
          if (matches.length === 1 && entries.filter((e) => e.number === number).length === 1) set(action, 'port', scalar(number));
        } else if (typeof port.value === 'number') {
          const matches = entries.filter((e) => e.number === port.value);
          const name = matches[0]?.name;
          if (matches.length === 1 && typeof name === 'string' && name !== '') set(action, 'port', scalar(name));
        }
      }
    }
  }
}

// ---- quantities ----

function respellQuantities(root: YAMLMap, choices: Choices): void {
  for (const container of containers(root)) {
    for (const kind of ['limits', 'requests']) {
      for (const name of ['cpu', 'memory']) {
        const node = at(container, ['resources', kind, name]);
        const quantity = isScalar(node) ? kubernetesQuantity(node.value) : null;
        if (!quantity || !choices.chance()) continue;
        const spelling = pickOther(kubernetesQuantitySpellings(quantity), (node as Scalar).value, choices);
        if (spelling !== null) (node as Scalar).value = spelling;
      }
    }
  }
}

/** `apiVersion: apps/v1` and `kind: Deployment` as plain lines of a block map. */
function plainKindLines(root: YAMLMap): void {
  root.flow = false;
  for (const pair of root.items) {
    if (!isScalar(pair.key) || (pair.key.value !== 'kind' && pair.key.value !== 'apiVersion')) continue;
    pair.key.type = Scalar.PLAIN;
    if (isScalar(pair.value)) {
      pair.value.type = Scalar.PLAIN;
      pair.value.comment = undefined;
      pair.value.anchor = undefined;
      pair.value.tag = undefined;
    }
  }
}
