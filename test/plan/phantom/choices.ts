// The random choices a reformatter makes, read from a list of numbers that
// fast-check generates and shrinks. Every decision reads 0 as "leave it as it
// is", and a list that runs out reads as zeros: a shrunk counterexample is the
// smallest rewrite that still shows the problem.
import fc from 'fast-check';

export class Choices {
  private next = 0;

  constructor(private readonly values: readonly number[]) {}

  /** A whole number from 0 to n - 1. */
  pick(n: number): number {
    if (n <= 1) return 0;
    const value = this.values[this.next++];
    return value === undefined ? 0 : value % n;
  }

  /** True (make the change) with probability 1/outOf; false once the choices run out. */
  chance(outOf = 2): boolean {
    return outOf <= 1 || this.pick(outOf) === outOf - 1;
  }

  /** One of the items; the first when the choices run out. */
  one<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Choices.one of an empty list');
    return items[this.pick(items.length)]!;
  }

  /** A permutation; the same order when the choices run out. */
  shuffle<T>(items: readonly T[]): T[] {
    const rest = [...items];
    const out: T[] = [];
    while (rest.length > 0) out.push(rest.splice(this.pick(rest.length), 1)[0]!);
    return out;
  }

  /** How many choices were read (a reformatter that reads none cannot change anything). */
  get used(): number {
    return this.next;
  }
}

/**
 * What a property draws: a stream of `length` choices from `seed`, each one left at 0
 * ("no change") unless a draw under `density` percent says otherwise. fast-check
 * shrinks length and density toward 0, so a counterexample comes back as the
 * shortest, sparsest rewrite that still fails, in a few dozen steps.
 */
export interface ChoiceSpec {
  seed: number;
  length: number;
  density: number;
}

export function choicesArbitrary(): fc.Arbitrary<ChoiceSpec> {
  return fc.record({ seed: fc.nat(), length: fc.nat({ max: 3000 }), density: fc.integer({ min: 0, max: 100 }) });
}

export function choicesFrom(spec: ChoiceSpec): Choices {
  const next = xorshift(spec.seed);
  const values: number[] = [];
  for (let i = 0; i < spec.length; i++) {
    const draw = next();
    values.push(draw % 100 < spec.density ? next() % 1_000_000 : 0);
  }
  return new Choices(values);
}

/** A fixed stream for unit tests: the same numbers from the same seed, every choice drawn. */
export function seededChoices(seed: number, length = 5000): Choices {
  return choicesFrom({ seed, length, density: 100 });
}

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}
