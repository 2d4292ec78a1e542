import type mt19937Module from '@stdlib/random-base-mt19937';
import { requireStdlib } from '../stdlib.ts';

// Loaded on first use, as the Sampler does: importing twinstream/sim loads no @stdlib module.
let mt19937: typeof mt19937Module | null = null;

/**
 * `n` seeds spawned from `seed`: the first `n` non-zero words of a Mersenne Twister seeded with it, so the same seed
 * always gives the same replications and replication `i` can be repeated alone with its own seed.
 *
 * @example
 * spawnSeeds(42, 3); // three integers from 1 to 4294967295, the same every time
 */
export function spawnSeeds(seed: number, n: number): number[] {
  mt19937 ??= requireStdlib('random-base-mt19937') as typeof mt19937Module;
  const rng = mt19937.factory({ seed }) as unknown as () => number;
  const seeds: number[] = [];
  const seen = new Set<number>();
  while (seeds.length < n) {
    const s = rng() >>> 0;
    // 0 is not a valid sampler seed; a repeated seed would make two replications the same run.
    if (s === 0 || seen.has(s)) continue;
    seen.add(s);
    seeds.push(s);
  }
  return seeds;
}
