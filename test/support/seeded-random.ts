// A small seeded generator (mulberry32): the same seed, the same numbers, so a
// run that killed something at an unlucky moment can be replayed. Used by the
// crash test and by `npm run chaos`.

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
