// What a format's mapping does with a field it knows: the shape of each format's
// decision table (compose/field-decisions.ts, kubernetes/field-decisions.ts; Nomad's
// is its schema.ts). A field deckhand cannot honour is refused, never dropped silently.
export type FieldDecision =
  /** The mapping reads it (and refuses what it cannot honour itself). */
  | 'mapped'
  /** Valid in the format and changes nothing on one Docker engine, for the reason given. */
  | { accepted: string }
  /** Valid in the format but would change what runs, which deckhand does not do: an error (`unsupported`). */
  | {
      refused: string;
      hint?: string;
      /** Values that ask for nothing deckhand does not already do (`privileged: false`): accepted. */
      harmless?: (value: unknown) => boolean;
    };

export type DecisionTable = Readonly<Record<string, FieldDecision>>;

export interface Refusal {
  message: string;
  hint?: string;
}

/** Why `key: value` is refused, or undefined when it is accepted, mapped or not in the table. */
export function refusalOf(table: DecisionTable, key: string, value: unknown): Refusal | undefined {
  const decision = Object.hasOwn(table, key) ? table[key] : undefined;
  if (decision === undefined || decision === 'mapped' || 'accepted' in decision) return undefined;
  if (decision.harmless?.(value)) return undefined;
  return { message: `${key} is not supported: ${decision.refused}`, ...(decision.hint ? { hint: decision.hint } : {}) };
}

export const isFalse = (value: unknown): boolean => value === false || value === 'false' || value === null;

/** The names a table refuses (for tests and docs). */
export function refusedNames(table: DecisionTable): string[] {
  return Object.entries(table).flatMap(([name, decision]) => (decision !== 'mapped' && 'refused' in decision ? [name] : []));
}
