import type { DistributionConfig } from '../distributions.ts';
import { gammaln } from '../special-functions.ts';

/** The mean and variance of a distribution, and its squared coefficient of variation (variance / mean²). */
export interface DistributionMoments {
  mean: number;
  variance: number;
  /** variance / mean²: 1 for an exponential, 0 for a constant; what queueing formulas take. */
  scv: number;
}

const gamma = (x: number) => Math.exp(gammaln(x));

/**
 * The mean and variance of a distribution config, from each family's closed form (lognormal's `mean` and `sigma`
 * are μ and σ of the logarithm, as the sampler draws them). `min`/`max` clipping is ignored: the formulas are for
 * the unclipped family.
 *
 * @example
 * distributionMoments({ dist: 'exponential', rate: 2 }); // { mean: 0.5, variance: 0.25, scv: 1 }
 */
export function distributionMoments(c: DistributionConfig): DistributionMoments {
  const [mean, variance] = raw(c);
  return { mean, variance, scv: mean === 0 ? 0 : variance / (mean * mean) };
}

function raw(c: DistributionConfig): [number, number] {
  switch (c.dist) {
    case 'exponential':
      return [1 / c.rate, 1 / (c.rate * c.rate)];
    case 'normal':
      return [c.mean, c.std * c.std];
    case 'lognormal': {
      const s2 = c.sigma * c.sigma;
      return [Math.exp(c.mean + s2 / 2), (Math.exp(s2) - 1) * Math.exp(2 * c.mean + s2)];
    }
    case 'uniform':
      return [(c.low + c.high) / 2, (c.high - c.low) ** 2 / 12];
    case 'triangular': {
      const { low: a, mode: m, high: b } = c;
      return [(a + m + b) / 3, (a * a + m * m + b * b - a * m - a * b - m * b) / 18];
    }
    case 'gamma':
      return [c.shape * c.scale, c.shape * c.scale * c.scale];
    case 'weibull': {
      const g1 = gamma(1 + 1 / c.shape);
      return [c.scale * g1, c.scale * c.scale * (gamma(1 + 2 / c.shape) - g1 * g1)];
    }
    case 'constant':
      return [c.value, 0];
    case 'empirical': {
      const w = c.weights ?? c.values.map(() => 1);
      let total = 0;
      let sum = 0;
      for (let i = 0; i < c.values.length; i++) {
        total += w[i]!;
        sum += w[i]! * c.values[i]!;
      }
      const mean = sum / total;
      let ss = 0;
      for (let i = 0; i < c.values.length; i++) ss += w[i]! * (c.values[i]! - mean) ** 2;
      return [mean, ss / total];
    }
  }
}
