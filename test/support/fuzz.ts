// Settings and generators shared by the property-based fuzz tests (files named *.fuzz.test.ts). `npm test` runs them with a
// fixed seed and a short run; `npm run fuzz` runs them longer with a fresh seed, printed so a failure replays:
//   FUZZ_SEED=123 FUZZ_RUNS=100000 node scripts/test.ts test/window/timestamp.fuzz.test.ts
import fc from 'fast-check';

const seed = Number(process.env.FUZZ_SEED ?? 20260605);
const scale = Number(process.env.FUZZ_SCALE ?? 1);

/**
 * fast-check parameters: the seed, and `runs` scaled by FUZZ_SCALE (the long run multiplies every test's runs).
 *
 * @example fc.assert(fc.property(fc.string(), (s) => ...), fuzzParameters(500));
 */
export function fuzzParameters(runs: number): fc.Parameters<unknown> {
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)), endOnFailure: true };
}

/** Any JSON-like value, the prototype-polluting keys included among the object keys. */
export function anyOutsideValue(): fc.Arbitrary<unknown> {
  const key = fc.oneof(
    fc.string(),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'),
  );
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

/**
 * Sets `value` somewhere in `model` (a parsed document): `picks` (numbers in [0, 1)) choose one key per level, going
 * down while the value there is an object, for at most `picks.length` levels.
 */
export function mutate(model: any, picks: number[], value: unknown): void {
  let node = model;
  for (let i = 0; i < picks.length; i++) {
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[Math.floor(picks[i]! * keys.length)]!;
    if (i === picks.length - 1 || node[key] === null || typeof node[key] !== 'object') {
      node[key] = value;
      return;
    }
    node = node[key];
  }
}
