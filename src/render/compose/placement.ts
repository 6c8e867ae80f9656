// `deploy.placement`: Swarm's own constraints, spread preferences and
// max_replicas_per_node, carried into the job as written (model/placement.ts
// checks the syntax Swarm would refuse), judged by Swarm under --runtime swarm.
import { formatConstraint, parseConstraint, spreadProblem } from '../../model/index.js';
import type { Placement } from '../../model/index.js';
import { placementOf } from '../placement.js';
import { describeValue } from '../yaml/values.js';
import { checkDecisions, placementFields } from './field-decisions.js';
import { placementKeys, preferenceKeys } from './keys.js';
import type { Path } from './report.js';
import { record } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readMap, readString, readWholeNumber, refuseUnknownKeys, unreadable } from './values.js';

export function mapPlacement(scope: ServiceScope, value: unknown): { placement?: Placement } {
  const { r } = scope;
  const path = [...scope.path, 'deploy', 'placement'];
  const map = readMap(r, path, value);
  if (!map) return {};
  refuseUnknownKeys(r, path, map, placementKeys);
  const model = `${scope.group}.placement`;
  const constraints: string[] = [];
  const spread: string[] = [];
  checkDecisions(r, path, map, placementFields);

  listOf(scope, [...path, 'constraints'], map.constraints).forEach(({ item, at }) => {
    const text = readString(r, at, item);
    if (text === undefined) return;
    const parsed = parseConstraint(text);
    if ('problem' in parsed) return r.error(at, parsed.problem, { hint: 'Swarm\'s form: node.labels.zone==east, node.role!=manager, node.platform.arch==x86_64' });
    record(scope, `${model}.constraints.${constraints.length}`, at);
    constraints.push(formatConstraint(parsed));
  });
  listOf(scope, [...path, 'preferences'], map.preferences).forEach(({ item, at }) => {
    const preference = readMap(r, at, item);
    if (!preference) return;
    refuseUnknownKeys(r, at, preference, preferenceKeys);
    const descriptorPath = [...at, 'spread'];
    if (preference.spread === undefined) return r.error(at, 'a preference needs spread: node.labels.<name>');
    const descriptor = readString(r, descriptorPath, preference.spread);
    if (descriptor === undefined) return;
    const problem = spreadProblem(descriptor.trim());
    if (problem) return r.error(descriptorPath, problem);
    record(scope, `${model}.spread.${spread.length}`, descriptorPath);
    spread.push(descriptor.trim());
  });
  const maxPath = [...path, 'max_replicas_per_node'];
  const max = readWholeNumber(r, maxPath, map.max_replicas_per_node, 1);
  if (max !== undefined) record(scope, `${model}.maxReplicasPerNode`, maxPath);
  const placed = placementOf({ constraints, spread, ...(max !== undefined ? { maxReplicasPerNode: max } : {}) });
  if (placed.placement) record(scope, model, path, 'key');
  return placed;
}

/** The items of a list with their paths; anything else is an error at the list. */
function listOf(scope: ServiceScope, path: Path, value: unknown): Array<{ item: unknown; at: Path }> {
  if (value === undefined || value === unreadable || value === null) return [];
  if (!Array.isArray(value)) {
    scope.r.error(path, `expected a list, got ${describeValue(value)}`);
    return [];
  }
  return value.map((item, i) => ({ item, at: [...path, i] }));
}
