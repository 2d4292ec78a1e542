import { type DistributionConfig, lognormalLog } from '../distributions.ts';
import { gammaCdf, normalCdf } from '../special-functions.ts';

/**
 * The cumulative distribution function of a config at `x` (unclipped); null for `empirical`, whose CDF is the
 * data's own.
 *
 * @example
 * distributionCdf({ dist: 'exponential', rate: 1 }, 1); // 0.632…
 */
export function distributionCdf(c: DistributionConfig, x: number): number | null {
  switch (c.dist) {
    case 'exponential':
      return x <= 0 ? 0 : 1 - Math.exp(-c.rate * x);
    case 'normal':
      return normalCdf(x, c.mean, c.std);
    case 'lognormal': {
      const { mu, sigma } = lognormalLog(c);
      return x <= 0 ? 0 : normalCdf(Math.log(x), mu, sigma);
    }
    case 'truncated_normal': {
      const low = c.low ?? 0;
      const high = c.high ?? Number.POSITIVE_INFINITY;
      if (x <= low) return 0;
      if (x >= high) return 1;
      const below = normalCdf(low, c.mean, c.std);
      return (normalCdf(x, c.mean, c.std) - below) / (normalCdf(high, c.mean, c.std) - below);
    }
    case 'uniform':
      return x <= c.low ? 0 : x >= c.high ? 1 : (x - c.low) / (c.high - c.low);
    case 'triangular': {
      const { low: a, mode: m, high: b } = c;
      if (x <= a) return 0;
      if (x >= b) return 1;
      return x <= m ? ((x - a) * (x - a)) / ((b - a) * (m - a)) : 1 - ((b - x) * (b - x)) / ((b - a) * (b - m));
    }
    case 'gamma':
      // stdlib's gamma takes a rate: 1 / scale.
      return gammaCdf(x, c.shape, 1 / c.scale);
    case 'weibull':
      return x <= 0 ? 0 : 1 - Math.exp(-((x / c.scale) ** c.shape));
    case 'constant':
      return x < c.value ? 0 : 1;
    case 'empirical':
    case 'replay':
      return null;
  }
}

/** The Kolmogorov–Smirnov distance of sorted data from a CDF, and the p-value of that distance. */
export interface KolmogorovSmirnov {
  /** The largest gap between the data's step CDF and the fitted CDF. */
  statistic: number;
  /** The chance of a gap at least this large if the data came from the fitted distribution. */
  pValue: number;
}

/**
 * The one-sample Kolmogorov–Smirnov test of sorted data against a CDF, with the asymptotic Kolmogorov
 * distribution and Stephens' small-sample correction. With parameters fitted from the same data the p-value is
 * optimistic (Lilliefors): read it as a ranking and a warning, not an exact test.
 *
 * @example
 * const ks = kolmogorovSmirnov(sorted, (x) => 1 - Math.exp(-x));
 */
export function kolmogorovSmirnov(sorted: ArrayLike<number>, cdf: (x: number) => number): KolmogorovSmirnov {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  const sn = Math.sqrt(n);
  const lambda = (sn + 0.12 + 0.11 / sn) * d;
  return { statistic: d, pValue: kolmogorovTail(lambda) };
}

// P(K > λ) = 2 Σ (−1)^(j−1) e^(−2 j² λ²); 1 for small λ, where the series converges slowly and the answer is ~1.
function kolmogorovTail(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-12) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
