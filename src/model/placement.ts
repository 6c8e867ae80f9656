// Swarm's placement syntax, checked where a job file is read so that a constraint
// Swarm would refuse (or never match) is an error at its line, not a task left
// pending on a swarm. It follows swarmkit's manager/constraint: `key op value`,
// op `==` or `!=`, the key among the node attributes Swarm matches.
export interface Constraint {
  key: string;
  operator: '==' | '!=';
  value: string;
}

// swarmkit's own patterns: a value holds no operator-like characters (`<`, `>`, `~`).
const keyPattern = /^[a-z_][a-z0-9\-_.]+$/i;
const valuePattern = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

/** The node attributes Swarm matches; any other key would match no node. */
export const constraintAttributes = ['node.id', 'node.hostname', 'node.ip', 'node.role', 'node.platform.os', 'node.platform.arch'] as const;
const labelPrefixes = ['node.labels.', 'engine.labels.'] as const;
const roles = ['manager', 'worker'];

const isLabelKey = (key: string) => labelPrefixes.some((prefix) => key.length > prefix.length && key.toLowerCase().startsWith(prefix));

/** A constraint in Swarm's syntax, normalised to `key==value`; or why Swarm would refuse it or never meet it. */
export function parseConstraint(text: string): Constraint | { problem: string } {
  // Swarm looks for `==` first, so `a!=b==c` is the key `a!` (refused below).
  const operator = text.includes('==') ? '==' : text.includes('!=') ? '!=' : undefined;
  if (!operator) return { problem: `expected "key==value" or "key!=value", got "${text}"` };
  const at = text.indexOf(operator);
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 2).trim();
  if (!keyPattern.test(key)) return { problem: `"${key}" is no constraint key: Swarm's keys are letters, digits, ".", "-" and "_"` };
  if (!isLabelKey(key) && !(constraintAttributes as readonly string[]).includes(key.toLowerCase())) {
    return { problem: `Swarm has no node attribute "${key}": a task would wait for a node forever; use ${constraintAttributes.join(', ')}, node.labels.<name> or engine.labels.<name>` };
  }
  if (!valuePattern.test(value)) return { problem: `"${value}" is no constraint value: Swarm refuses empty values and the characters < > ~ = ! , and quotes` };
  if (key.toLowerCase() === 'node.role' && !roles.includes(value.toLowerCase())) return { problem: `node.role is "manager" or "worker", got "${value}"` };
  return { key, operator, value };
}

export const formatConstraint = (c: Constraint): string => `${c.key}${c.operator}${c.value}`;

/** Why Swarm cannot spread over `descriptor`, or undefined: it spreads over node and engine labels only. */
export function spreadProblem(descriptor: string): string | undefined {
  if (isLabelKey(descriptor) && keyPattern.test(descriptor)) return undefined;
  return `Swarm spreads over node.labels.<name> or engine.labels.<name>, got "${descriptor}"`;
}
