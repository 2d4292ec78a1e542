import { describe, TwinstreamError } from '../errors.ts';

/**
 * A distribution to sample from, by name and parameters (desflow's `DistributionConfig`). Optional `min`/`max`
 * clip every sample (a service time drawn from a normal must not be negative).
 */
export type DistributionConfig = (
  | { dist: 'exponential'; rate: number }
  | { dist: 'normal'; mean: number; std: number }
  | { dist: 'lognormal'; mean: number; sigma: number }
  | { dist: 'uniform'; low: number; high: number }
  | { dist: 'triangular'; low: number; mode: number; high: number }
  | { dist: 'gamma'; shape: number; scale: number }
  | { dist: 'weibull'; shape: number; scale: number }
  | { dist: 'constant'; value: number }
  | { dist: 'empirical'; values: number[]; weights?: number[] }
) & { min?: number; max?: number };

/** @internal The names `dist` accepts. */
export const DISTRIBUTIONS = [
  'exponential',
  'normal',
  'lognormal',
  'uniform',
  'triangular',
  'gamma',
  'weibull',
  'constant',
  'empirical',
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
  lognormal: [
    ['mean', 'number'],
    ['sigma', 'nonnegative'],
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
  for (const [name, kind] of params) {
    const v = c[name];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (kind === 'number' || (kind === 'positive' ? v > 0 : kind === 'rate' ? v > 0 && v <= MAX_RATE : v >= 0));
    if (!ok) bad(path, name, v, kind === 'rate' && (v as number) > MAX_RATE ? RATE_BOUND : WORDS[kind]);
  }
  for (const name of ['min', 'max']) {
    if (c[name] !== undefined && (typeof c[name] !== 'number' || Number.isNaN(c[name])))
      bad(path, name, c[name], 'a number (a clip bound)');
  }
  if (c.dist === 'uniform' && (c.high as number) < (c.low as number))
    bad(path, 'high', c.high, `a number >= low (${c.low})`);
  if (c.dist === 'triangular') {
    const { low, mode, high } = c as { low: number; mode: number; high: number };
    if (!(low <= mode && mode <= high && low < high))
      bad(path, 'mode', mode, `low <= mode <= high with low < high (low ${low}, high ${high})`);
  }
  if (c.dist === 'empirical') {
    const values = c.values;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.some((v) => typeof v !== 'number' || !Number.isFinite(v))
    ) {
      bad(path, 'values', values, 'a non-empty array of finite numbers');
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
}
