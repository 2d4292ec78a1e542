import { type DistributionConfig, lognormalLog } from '../distributions.ts';
import { gammaln, normalCdf } from '../special-functions.ts';

/** The mean and variance of a distribution, and its squared coefficient of variation (variance / mean²). */
export interface DistributionMoments {
  mean: number;
  variance: number;
  /** variance / mean²: 1 for an exponential, 0 for a constant; what queueing formulas take. */
  scv: number;
}

const gamma = (x: number) => Math.exp(gammaln(x));

/**
 * The mean and variance of a distribution config, from each family's closed form (a lognormal's `{ mean, sigma }`
 * are μ and σ of the logarithm, its `{ mean, std }` those of the values, as the sampler draws them). `min`/`max` clipping is ignored: the formulas are for
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
      const { mu, sigma } = lognormalLog(c);
      const s2 = sigma * sigma;
      return [Math.exp(mu + s2 / 2), (Math.exp(s2) - 1) * Math.exp(2 * mu + s2)];
    }
    case 'truncated_normal':
      return truncatedNormal(c.mean, c.std, c.low ?? 0, c.high ?? Number.POSITIVE_INFINITY);
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
    case 'replay': {
      // The recorded gaps: their mean and variance.
      const t = c.times;
      let prev = 0;
      let sum = 0;
      let sq = 0;
      for (const x of t) {
        sum += x - prev;
        sq += (x - prev) ** 2;
        prev = x;
      }
      const mean = sum / t.length;
      return [mean, sq / t.length - mean * mean];
    }
    case 'empirical': {
      if ('edges' in c) return histogram(c.edges, c.counts);
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

// The normal conditioned on [low, high]: with α, β the standardised bounds, φ the density and Z = Φ(β) − Φ(α),
// mean = μ + σ (φ(α) − φ(β)) / Z and variance = σ² (1 + (α φ(α) − β φ(β)) / Z − ((φ(α) − φ(β)) / Z)²).
function truncatedNormal(mu: number, sigma: number, low: number, high: number): [number, number] {
  if (sigma === 0) return [Math.min(high, Math.max(low, mu)), 0];
  const a = (low - mu) / sigma;
  const b = (high - mu) / sigma;
  const phi = (x: number) => (Number.isFinite(x) ? Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI) : 0);
  // Above the mean, the upper tail's probability as 1 − Φ(−x) loses its digits: take Φ of the mirror image.
  const z = a > 0 ? normalCdf(-a, 0, 1) - normalCdf(-b, 0, 1) : normalCdf(b, 0, 1) - normalCdf(a, 0, 1);
  const r = (phi(a) - phi(b)) / z;
  const ta = Number.isFinite(a) ? a * phi(a) : 0;
  const tb = Number.isFinite(b) ? b * phi(b) : 0;
  return [mu + sigma * r, sigma * sigma * (1 + (ta - tb) / z - r * r)];
}

// A histogram's values are uniform inside each bin: the bins' means weighted by their counts, and the variance
// within the bins ((width)² / 12) added to that between them.
function histogram(edges: number[], counts: number[]): [number, number] {
  let total = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < counts.length; i++) {
    const lo = edges[i]!;
    const hi = edges[i + 1]!;
    const n = counts[i]!;
    total += n;
    sum += (n * (lo + hi)) / 2;
    sq += (n * (lo * lo + lo * hi + hi * hi)) / 3;
  }
  const mean = sum / total;
  return [mean, sq / total - mean * mean];
}
