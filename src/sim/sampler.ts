import type mt19937Module from '@stdlib/random-base-mt19937';
import { describe, TwinstreamError } from '../errors.ts';
import { type DistributionConfig, lognormalLog, validateDistribution } from './distributions.ts';
import { normalCdf, normalQuantile } from './special-functions.ts';
import { requireStdlib } from './stdlib.ts';
import { streamSeed } from './stream-seed.ts';

// The Mersenne Twister is loaded when the first sampler is made (./stdlib.ts): importing twinstream/sim then loads
// no @stdlib module.
let mt19937: typeof mt19937Module | null = null;

// The generator as it is at run time (the package's types omit `normalized`).
interface MersenneTwister {
  (): number;
  normalized: () => number;
  state: Uint32Array;
}

interface EmpiricalTable {
  values: number[];
  weights: number[] | undefined;
  cumulative: Float64Array | null;
}

/** A sampler's saved state: restore it to continue the exact same sequence of samples. */
export interface SamplerState {
  seed: number;
  /** The Mersenne Twister state words. */
  state: number[];
  /** With `streams`: the state words of each path's stream drawn from so far. */
  streams?: Record<string, number[]>;
}

/** Options of a sampler. */
export interface SamplerOptions {
  /** The seed (default 42). */
  seed?: number;
  /**
   * Give each distribution path its own random stream, seeded from `seed` and the path (default false: one stream
   * for every draw). `sample(config, path)` then draws from the stream of `path`, so adding a distribution, or
   * drawing more from one, leaves every other path's draws unchanged: two designs run on one seed see common
   * random numbers (the same arrival gaps, the same service times) and their difference has less noise.
   */
  streams?: boolean;
}

/**
 * Draws seeded samples from distribution configs. All distributions are computed here from one Mersenne Twister
 * (MT19937) stream of uniforms, with no hidden caches, so `saveState()` / `restoreState()` resume a run exactly.
 * A config is read at every draw: change it (through the parameter registry) and the next sample follows.
 *
 * @example
 * const sampler = new Sampler({ seed: 42 });
 * const gap = sampler.sample({ dist: 'exponential', rate: 2 });
 * const saved = sampler.saveState();
 * const again = Sampler.fromState(saved); // continues the same sequence
 */
export class Sampler {
  readonly seed: number;
  private readonly rng: MersenneTwister;
  private readonly uniform: () => number;
  /** Empirical configs checked and tabled (weak: gone with the config). */
  private readonly tables = new WeakMap<object, EmpiricalTable>();
  /** Where each replay config is (weak: gone with the config). */
  private readonly cursors = new WeakMap<object, { times: number[]; next: number }>();
  /** Truncated normal bounds as probabilities, per config (weak: gone with the config). */
  private readonly bounds = new WeakMap<object, Float64Array>();
  /** With `streams`: a sampler per path, made on its first draw; null for one stream. */
  private readonly paths: Map<string, Sampler> | null;

  constructor(options: SamplerOptions = {}, pathSeed?: Uint32Array) {
    const seed = options.seed ?? 42;
    if (!Number.isInteger(seed) || seed < 1 || seed > 4294967295) {
      throw new TwinstreamError(
        'TS_SIM_BAD_SEED',
        `Sampler: seed = ${describe(seed)} is not valid; expected an integer from 1 to 4294967295`,
      );
    }
    this.seed = seed;
    mt19937 ??= requireStdlib('random-base-mt19937') as typeof mt19937Module;
    this.rng = mt19937.factory({ seed: pathSeed ?? seed }) as unknown as MersenneTwister;
    this.uniform = this.rng.normalized;
    this.paths = options.streams === true ? new Map() : null;
  }

  /**
   * The sampler of one path's stream (made on first use): its draws depend only on the seed and the path.
   *
   * @example
   * const sampler = new Sampler({ seed: 42, streams: true });
   * sampler.stream('Line_A.service.milling').random(); // the same number whatever else was drawn before
   */
  stream(path: string): Sampler {
    const paths = this.paths;
    if (paths === null) return this;
    let s = paths.get(path);
    if (s === undefined) {
      s = new Sampler({ seed: this.seed }, streamSeed(this.seed, path));
      paths.set(path, s);
    }
    return s;
  }

  /** A sampler that continues from a saved state. */
  static fromState(saved: SamplerState): Sampler {
    const s = new Sampler({ seed: saved.seed, streams: saved.streams !== undefined });
    s.restoreState(saved);
    return s;
  }

  /** The state, as plain JSON-able data. */
  saveState(): SamplerState {
    const saved: SamplerState = { seed: this.seed, state: Array.from(this.rng.state) };
    if (this.paths !== null) {
      saved.streams = Object.create(null) as Record<string, number[]>;
      for (const [path, s] of this.paths) saved.streams[path] = Array.from(s.rng.state);
    }
    return saved;
  }

  /** Continues from a saved state. */
  restoreState(saved: SamplerState): void {
    if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.state)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_STATE',
        `Sampler.restoreState: expected { seed, state: number[] } from saveState(), got ${describe(saved)}`,
      );
    }
    this.rng.state = new Uint32Array(saved.state);
    if (this.paths !== null && saved.streams !== undefined) {
      for (const path of Object.keys(saved.streams))
        this.stream(path).rng.state = new Uint32Array(saved.streams[path]!);
    }
  }

  /** A uniform number in [0, 1). */
  random(): number {
    return this.uniform();
  }

  /** One sample of `config`; `path` names it in errors, and with `streams` chooses the stream drawn from. */
  sample(config: DistributionConfig, path = ''): number {
    return this.paths === null || path === ''
      ? this.sampleOwn(config, path)
      : this.stream(path).sampleOwn(config, path);
  }

  private sampleOwn(config: DistributionConfig, path: string): number {
    // An empirical config is checked once per values array (O(n)); other configs are O(1) to check each time.
    if (config?.dist === 'replay') return this.replay(config, path);
    if (config?.dist !== 'empirical' || this.table(config) === undefined) validateDistribution(config, path);
    const v = this.draw(config);
    const lo = config.min ?? Number.NEGATIVE_INFINITY;
    const hi = config.max ?? Number.POSITIVE_INFINITY;
    return Math.min(hi, Math.max(lo, v));
  }

  private draw(c: DistributionConfig): number {
    const u = this.uniform;
    switch (c.dist) {
      case 'exponential':
        return -Math.log(1 - u()) / c.rate;
      case 'normal':
        return c.mean + c.std * this.standardNormal();
      case 'lognormal': {
        const { mu, sigma } = lognormalLog(c);
        return Math.exp(mu + sigma * this.standardNormal());
      }
      case 'truncated_normal':
        return this.truncatedNormal(c);
      case 'uniform':
        return c.low + (c.high - c.low) * u();
      case 'triangular': {
        const x = u();
        const f = (c.mode - c.low) / (c.high - c.low);
        return x < f
          ? c.low + Math.sqrt(x * (c.high - c.low) * (c.mode - c.low))
          : c.high - Math.sqrt((1 - x) * (c.high - c.low) * (c.high - c.mode));
      }
      case 'gamma':
        return c.scale * this.standardGamma(c.shape);
      case 'weibull':
        return c.scale * (-Math.log(1 - u())) ** (1 / c.shape);
      case 'constant':
        return c.value;
      case 'empirical':
        return this.empirical(c);
      case 'replay':
        return this.replay(c, '');
    }
  }

  // The gap to the next recorded time; past the last one, a gap no run reaches the end of. Checked once per times
  // array (O(n)), as empirical tables are; the cursor is not part of saveState().
  private replay(c: { times: number[] }, path: string): number {
    let cursor = this.cursors.get(c);
    if (cursor === undefined || cursor.times !== c.times) {
      validateDistribution(c, path);
      if (c.times === undefined) {
        throw new TwinstreamError(
          'TS_SIM_BAD_DISTRIBUTION',
          `${path || 'replay'}: the replay's file was not loaded; give times, or run the model with runModel or loadModel`,
        );
      }
      cursor = { times: c.times, next: 0 };
      this.cursors.set(c, cursor);
    }
    const i = cursor.next;
    const times = cursor.times;
    if (i >= times.length) return Number.MAX_VALUE;
    cursor.next = i + 1;
    return i === 0 ? times[0]! : times[i]! - times[i - 1]!;
  }

  // The inverse of the normal CDF between the bounds' probabilities: one uniform per draw, exact however far into a
  // tail the bounds lie. Above the mean the mirror image is drawn, where the probabilities are small and precise.
  private truncatedNormal(c: { mean: number; std: number; low?: number; high?: number }): number {
    const low = c.low ?? 0;
    const high = c.high ?? Number.POSITIVE_INFINITY;
    if (c.std === 0) return Math.min(high, Math.max(low, c.mean));
    let b = this.bounds.get(c);
    if (b === undefined || b[0] !== c.mean || b[1] !== c.std || b[2] !== low || b[3] !== high) {
      const flip = low > c.mean;
      const lo = flip ? 2 * c.mean - high : low;
      const hi = flip ? 2 * c.mean - low : high;
      b = Float64Array.of(
        c.mean,
        c.std,
        low,
        high,
        normalCdf(lo, c.mean, c.std),
        normalCdf(hi, c.mean, c.std),
        flip ? 1 : 0,
      );
      this.bounds.set(c, b);
    }
    const x = normalQuantile(b[4]! + this.uniform() * (b[5]! - b[4]!), c.mean, c.std);
    const v = b[6] === 1 ? 2 * c.mean - x : x;
    // Rounding at the very edge of a bound: keep the draw inside.
    return Math.min(high, Math.max(low, v));
  }

  // Box–Muller, both uniforms drawn every time and the second normal discarded: no cached state to save.
  private standardNormal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  // Marsaglia and Tsang (2000); shapes below 1 are boosted by U^(1/shape).
  private standardGamma(shape: number): number {
    if (shape < 1) return this.standardGamma(shape + 1) * (1 - this.uniform()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.standardNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const w = 1 - this.uniform();
      if (Math.log(w) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /**
   * The table of an empirical config seen before, still holding the same `values` and `weights` arrays. The registry
   * replaces arrays on every update (it copies values in), so a changed config brings new arrays and is checked
   * and tabled again; an array changed in place by hand is not seen.
   */
  private table(
    c: { values: number[]; weights?: number[] } | { edges: number[]; counts: number[] },
  ): EmpiricalTable | undefined {
    const t = this.tables.get(c);
    if ('edges' in c) return t !== undefined && t.values === c.edges && t.weights === c.counts ? t : undefined;
    return t !== undefined && t.values === c.values && t.weights === c.weights ? t : undefined;
  }

  // A bin by its count (cumulative counts, binary search), then a uniform value inside it.
  private histogram(c: { edges: number[]; counts: number[] }): number {
    let t = this.table(c);
    if (t === undefined) {
      const cumulative = new Float64Array(c.counts.length);
      let total = 0;
      for (let i = 0; i < c.counts.length; i++) cumulative[i] = total += c.counts[i]!;
      t = { values: c.edges, weights: c.counts, cumulative };
      this.tables.set(c, t);
    }
    const cum = t.cumulative!;
    const x = this.uniform() * cum[cum.length - 1]!;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    const edges = c.edges;
    return edges[lo]! + this.uniform() * (edges[lo + 1]! - edges[lo]!);
  }

  // Cumulative weights and a binary search: O(log n) per draw instead of a sum and a scan of every weight.
  private empirical(c: { values: number[]; weights?: number[] } | { edges: number[]; counts: number[] }): number {
    if ('edges' in c) return this.histogram(c);
    const values = c.values;
    let t = this.table(c);
    if (t === undefined) {
      let cumulative: Float64Array | null = null;
      if (c.weights !== undefined) {
        cumulative = new Float64Array(values.length);
        let total = 0;
        for (let i = 0; i < values.length; i++) cumulative[i] = total += c.weights[i]!;
      }
      t = { values, weights: c.weights, cumulative };
      this.tables.set(c, t);
    }
    if (t.cumulative === null) return values[Math.floor(this.uniform() * values.length)]!;
    const cum = t.cumulative;
    const x = this.uniform() * cum[cum.length - 1]!;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  }
}
