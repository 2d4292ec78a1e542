import { describe, TwinstreamError } from '../errors.ts';

/**
 * A distribution to sample from, by name and parameters (desflow's `DistributionConfig`). Optional `min`/`max`
 * clip every sample (a service time drawn from a normal must not be negative).
 *
 * A lognormal is given by the mean and standard deviation of its values (`{ mean, std }`, as desflow), or by μ and σ
 * of their logarithm (`{ mu, sigma }`; `{ mean, sigma }` is the same, μ named `mean`, as `sim fit` writes it). A
 * truncated normal draws from a normal conditioned on `low <= x` (default 0) and `x <= high` (default no bound).
 * An empirical distribution draws from `values` (optionally weighted) or from a histogram: a bin chosen by its
 * `counts`, then a uniform value between its two `edges`. A replay gives the gaps between recorded `times`
 * (seconds from the start, in order): arrivals replayed at their recorded times, and none after the last.
 */
export type DistributionConfig = (
  | { dist: 'exponential'; rate: number }
  | { dist: 'normal'; mean: number; std: number }
  | { dist: 'lognormal'; mean: number; sigma: number }
  | { dist: 'lognormal'; mu: number; sigma: number }
  | { dist: 'lognormal'; mean: number; std: number }
  | { dist: 'truncated_normal'; mean: number; std: number; low?: number; high?: number }
  | { dist: 'uniform'; low: number; high: number }
  | { dist: 'triangular'; low: number; mode: number; high: number }
  | { dist: 'gamma'; shape: number; scale: number }
  | { dist: 'weibull'; shape: number; scale: number }
  | { dist: 'constant'; value: number }
  | { dist: 'empirical'; values: number[]; weights?: number[] }
  | { dist: 'empirical'; edges: number[]; counts: number[] }
  | { dist: 'replay'; times: number[] }
) & { min?: number; max?: number };

/** @internal The names `dist` accepts. */
export const DISTRIBUTIONS = [
  'exponential',
  'normal',
  'lognormal',
  'truncated_normal',
  'uniform',
  'triangular',
  'gamma',
  'weibull',
  'constant',
  'empirical',
  'replay',
] as const;

/**
 * The greatest exponential `rate`, per time unit: a mean gap of 1e-9 units (a nanosecond when a unit is a second).
 * Faster rates draw gaps too small to advance simulated time once it has grown, and the run would never end.
 *
 * @example validateDistribution({ dist: 'exponential', rate: 1e300 }, 'a'); // throws: a.rate = 1e+300 is not valid; expected a rate <= 1000000000 per time unit
 */
export const MAX_RATE = 1e9;
const RATE_BOUND = `a rate <= ${MAX_RATE} per time unit`;

// The parameters each distribution requires, and what each must be.
const PARAMS: Record<string, [string, 'positive' | 'number' | 'nonnegative' | 'rate'][]> = {
  exponential: [['rate', 'rate']],
  normal: [
    ['mean', 'number'],
    ['std', 'nonnegative'],
  ],
  lognormal: [],
  truncated_normal: [
    ['mean', 'number'],
    ['std', 'nonnegative'],
  ],
  uniform: [
    ['low', 'number'],
    ['high', 'number'],
  ],
  triangular: [
    ['low', 'number'],
    ['mode', 'number'],
    ['high', 'number'],
  ],
  gamma: [
    ['shape', 'positive'],
    ['scale', 'positive'],
  ],
  weibull: [
    ['shape', 'positive'],
    ['scale', 'positive'],
  ],
  constant: [['value', 'number']],
  empirical: [],
  replay: [],
};

const WORDS = {
  positive: 'a finite number > 0',
  nonnegative: 'a finite number >= 0',
  number: 'a finite number',
  rate: 'a finite number > 0',
};

function bad(path: string, field: string, value: unknown, accepted: string): never {
  const where = path === '' ? field : `${path}.${field}`;
  throw new TwinstreamError(
    'TS_SIM_BAD_DISTRIBUTION',
    `${where} = ${describe(value)} is not valid; expected ${accepted}`,
    {
      context: { path: where, value },
    },
  );
}

/**
 * Checks a distribution config; the error names the dot path of the bad field and what it accepts.
 *
 * @example
 * validateDistribution({ dist: 'exponential', rate: -1 }, 'Line_A.arrival.standard');
 * // throws TS_SIM_BAD_DISTRIBUTION: Line_A.arrival.standard.rate = -1 is not valid; expected a finite number > 0
 * @internal
 */
export function validateDistribution(config: unknown, path = ''): asserts config is DistributionConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    bad(path, 'dist', config, `a distribution config such as { dist: 'exponential', rate: 2 }`);
  }
  const c = config as Record<string, unknown>;
  const params = PARAMS[c.dist as string];
  if (typeof c.dist !== 'string' || params === undefined)
    bad(path, 'dist', c.dist, `one of ${DISTRIBUTIONS.join(', ')}`);
  // Indexed reads, no destructuring and no arrays made here: the sampler checks a config at every draw, and a
  // destructuring runs the iterator protocol until V8 has optimised the function.
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    const name = param[0];
    const kind = param[1];
    const v = c[name];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (kind === 'number' || (kind === 'positive' ? v > 0 : kind === 'rate' ? v > 0 && v <= MAX_RATE : v >= 0));
    if (!ok) bad(path, name, v, kind === 'rate' && (v as number) > MAX_RATE ? RATE_BOUND : WORDS[kind]);
  }
  if (c.min !== undefined && (typeof c.min !== 'number' || Number.isNaN(c.min)))
    bad(path, 'min', c.min, 'a number (a clip bound)');
  if (c.max !== undefined && (typeof c.max !== 'number' || Number.isNaN(c.max)))
    bad(path, 'max', c.max, 'a number (a clip bound)');
  if (c.dist === 'uniform' && (c.high as number) < (c.low as number))
    bad(path, 'high', c.high, `a number >= low (${c.low})`);
  if (c.dist === 'triangular') {
    const { low, mode, high } = c as { low: number; mode: number; high: number };
    if (!(low <= mode && mode <= high && low < high))
      bad(path, 'mode', mode, `low <= mode <= high with low < high (low ${low}, high ${high})`);
  }
  if (c.dist === 'lognormal') checkLognormal(c, path);
  if (c.dist === 'truncated_normal') {
    const low = (c.low ?? 0) as number;
    const high = (c.high ?? Number.POSITIVE_INFINITY) as number;
    if (c.low !== undefined && !isFiniteNumber(c.low)) bad(path, 'low', c.low, 'a finite number (default 0)');
    if (c.high !== undefined && !(typeof c.high === 'number' && c.high > low))
      bad(path, 'high', c.high, `a number > low (${low})`);
    if (c.std === 0 && !((c.mean as number) >= low && (c.mean as number) <= high))
      bad(path, 'mean', c.mean, `a mean between low and high when std is 0 (low ${low}, high ${high})`);
  }
  if (c.dist === 'empirical') checkEmpirical(c, path);
  if (c.dist === 'replay') checkReplay(c, path);
}

// Recorded times in order; in a model, a `file` (and `column`) the model loads into `times` before it runs.
function checkReplay(c: Record<string, unknown>, path: string): void {
  if (c.times === undefined && typeof c.file === 'string') return;
  const times = c.times;
  if (
    !Array.isArray(times) ||
    times.length === 0 ||
    !times.every((t, i) => isFiniteNumber(t) && t >= 0 && (i === 0 || t >= times[i - 1]))
  ) {
    bad(path, 'times', times, 'a non-empty array of times >= 0 in order (or, in a model, a file and its column)');
  }
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// Three ways to give a lognormal, exactly one of them: { mean, std } of the values, { mu, sigma } or { mean, sigma }.
function checkLognormal(c: Record<string, unknown>, path: string): void {
  const byValues = c.std !== undefined;
  if (byValues) {
    if (c.sigma !== undefined || c.mu !== undefined)
      bad(path, 'std', c.std, 'either { mean, std } of the values or { mu, sigma } of their logarithm, not both');
    if (!(isFiniteNumber(c.mean) && c.mean > 0))
      bad(path, 'mean', c.mean, 'a finite number > 0 (the mean of the values)');
    if (!(isFiniteNumber(c.std) && c.std >= 0)) bad(path, 'std', c.std, WORDS.nonnegative);
    return;
  }
  if (c.mu !== undefined && c.mean !== undefined)
    bad(path, 'mu', c.mu, 'mu or mean (both are μ of the logarithm with sigma), not both');
  const mu = c.mu !== undefined ? 'mu' : 'mean';
  if (!isFiniteNumber(c[mu]))
    bad(path, mu, c[mu], `${WORDS.number} (μ of the logarithm; or give mean and std of the values)`);
  if (!(isFiniteNumber(c.sigma) && c.sigma >= 0)) bad(path, 'sigma', c.sigma, WORDS.nonnegative);
}

// Values (optionally weighted) or a histogram (edges and counts), exactly one of them.
function checkEmpirical(c: Record<string, unknown>, path: string): void {
  const histogram = c.edges !== undefined || c.counts !== undefined;
  if (histogram) {
    if (c.values !== undefined || c.weights !== undefined)
      bad(path, 'values', c.values, 'either values (with weights) or a histogram (edges and counts), not both');
    const edges = c.edges;
    if (
      !Array.isArray(edges) ||
      edges.length < 2 ||
      !edges.every((e, i) => isFiniteNumber(e) && (i === 0 || e > edges[i - 1]))
    ) {
      bad(path, 'edges', edges, 'at least two finite numbers, each greater than the one before');
    }
    const counts = c.counts;
    const okCounts =
      Array.isArray(counts) &&
      counts.length === edges.length - 1 &&
      counts.every((n) => isFiniteNumber(n) && n >= 0) &&
      counts.some((n) => n > 0);
    if (!okCounts) bad(path, 'counts', counts, `${edges.length - 1} finite numbers >= 0 (one per bin), not all 0`);
    return;
  }
  const values = c.values;
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => !isFiniteNumber(v))) {
    bad(path, 'values', values, 'a non-empty array of finite numbers (or a histogram: edges and counts)');
  }
  const weights = c.weights;
  if (weights !== undefined) {
    const okWeights =
      Array.isArray(weights) &&
      weights.length === values.length &&
      weights.every((w) => typeof w === 'number' && w >= 0 && Number.isFinite(w)) &&
      weights.some((w) => w > 0);
    if (!okWeights) bad(path, 'weights', weights, `an array of ${values.length} finite numbers >= 0, not all 0`);
  }
}

/**
 * μ and σ of a lognormal's logarithm, however it was given (from the mean m and std s of the values:
 * σ² = ln(1 + s²/m²), μ = ln m − σ²/2).
 *
 * @example lognormalLog({ dist: 'lognormal', mean: 1, std: 0 }); // { mu: 0, sigma: 0 }
 * @internal
 */
export function lognormalLog(c: Extract<DistributionConfig, { dist: 'lognormal' }>): { mu: number; sigma: number } {
  if ('std' in c) {
    const s2 = Math.log(1 + (c.std * c.std) / (c.mean * c.mean));
    return { mu: Math.log(c.mean) - s2 / 2, sigma: Math.sqrt(s2) };
  }
  return { mu: 'mu' in c ? c.mu : c.mean, sigma: c.sigma };
}
