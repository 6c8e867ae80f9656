// What a format's mapping does with a field it knows: the shape of each format's
// decision table (compose/field-decisions.ts, kubernetes/field-decisions.ts; Nomad's
// is its schema.ts). A field deckhand cannot honour is refused, never dropped silently.
export type FieldDecision =
  /** The mapping reads it (and refuses what it cannot honour itself). */
  | 'mapped'
  /** Valid in the format and changes nothing on one Docker engine, for the reason given. */
  | { accepted: string }
  /** A deprecated form the format itself warns about: accepted, with a warning (code `deprecated`) saying so. */
  | { deprecated: string }
  /** Valid in the format but would change what runs, which deckhand does not do: an error (`unsupported`). */
  | {
      refused: string;
      hint?: string;
      /** Values that ask for nothing deckhand does not already do (`privileged: false`): accepted. */
      harmless?: (value: unknown) => boolean;
    };

export type DecisionTable = Readonly<Record<string, FieldDecision>>;

/** What to say about a field: an error for a refused one, a warning for a deprecated one. */
export interface Verdict {
  severity: 'error' | 'warning';
  code: 'unsupported' | 'deprecated';
  message: string;
  hint?: string;
}

/** What to say about `key: value`; undefined when it is mapped, accepted, harmless or not in the table. */
export function verdictOf(table: DecisionTable, key: string, value: unknown): Verdict | undefined {
  const decision = Object.hasOwn(table, key) ? table[key] : undefined;
  if (decision === undefined || decision === 'mapped' || 'accepted' in decision) return undefined;
  if ('deprecated' in decision) return { severity: 'warning', code: 'deprecated', message: `${key} is deprecated: ${decision.deprecated}` };
  if (decision.harmless?.(value)) return undefined;
  return { severity: 'error', code: 'unsupported', message: `${key} is not supported: ${decision.refused}`, ...(decision.hint ? { hint: decision.hint } : {}) };
}

/** What `key: value` comes to for `validate --explain`; undefined when refused (its error says why) or not in the table. */
export function useOf(table: DecisionTable, key: string, value: unknown): { use: 'carried-out' | 'no-effect'; reason?: string } | undefined {
  const decision = Object.hasOwn(table, key) ? table[key] : undefined;
  if (decision === undefined) return undefined;
  if (decision === 'mapped') return { use: 'carried-out' };
  if ('accepted' in decision) return { use: 'no-effect', reason: decision.accepted };
  if ('deprecated' in decision) return { use: 'no-effect', reason: decision.deprecated };
  // A harmless value asks for what deckhand does anyway (privileged: false).
  return decision.harmless?.(value) ? { use: 'carried-out' } : undefined;
}

export const isFalse = (value: unknown): boolean => value === false || value === 'false' || value === null;

/** The names a table refuses (for tests and docs). */
export function refusedNames(table: DecisionTable): string[] {
  return Object.entries(table).flatMap(([name, decision]) => (typeof decision === 'object' && 'refused' in decision ? [name] : []));
}
