import { badArgument } from '../../errors.ts';
import type { DistributionConfig } from '../distributions.ts';
import { digamma, gammaln } from '../special-functions.ts';
import { distributionCdf, kolmogorovSmirnov } from './goodness-of-fit.ts';

/**
 * The families `fitDistribution` tries.
 *
 * @example
 * FIT_FAMILIES.length; // 7
 */
export const FIT_FAMILIES = [
  'exponential',
  'normal',
  'lognormal',
  'gamma',
  'weibull',
  'uniform',
  'triangular',
] as const;

/** One family fitted by maximum likelihood. */
export interface DistributionFit {
  family: (typeof FIT_FAMILIES)[number];
  /** The fitted parameters, as a model's distribution block takes them. */
  config: DistributionConfig;
  logLikelihood: number;
  /** Akaike's information criterion, 2k − 2 ln L: lower is better. */
  aic: number;
  /** Kolmogorov–Smirnov distance and p-value against the data. */
  ks: number;
  pValue: number;
}

/** Every family that could be fitted, best first, and the recommendation. */
export interface FitResult {
  n: number;
  /** Fits ranked by AIC. */
  fits: DistributionFit[];
  /** Families that could not be fitted (negative data for a positive family, no spread), with the reason. */
  skipped: { family: string; reason: string }[];
  /** The best fit, or the data as an empirical distribution when no family passes the KS test at `alpha`. */
  recommended: DistributionConfig;
  /** Whether the recommendation is the empirical fallback. */
  empirical: boolean;
}

/**
 * Fits each family to the data by maximum likelihood (closed forms for exponential, normal, lognormal, uniform;
 * Newton's method for the gamma shape; bisection for the Weibull shape; the best sample point for the triangular
 * mode), ranks the fits by AIC and checks each with a Kolmogorov–Smirnov test. When no fit passes at `alpha`, the
 * recommendation is the data itself as an `empirical` distribution (at most 1,000 quantiles).
 *
 * @example
 * const r = fitDistribution([2.1, 1.7, 3.4, 2.2, 2.9, 1.1, 2.5]);
 * r.fits[0].family; r.recommended; // { dist: 'normal', mean: …, std: … } or another family
 */
export function fitDistribution(data: ArrayLike<number>, alpha = 0.05): FitResult {
  const n = data.length;
  if (n < 2) badArgument('fitDistribution', 'data', `${n} values`, 'at least 2 finite numbers');
  const x = Float64Array.from(data as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!)) badArgument('fitDistribution', `data[${i}]`, x[i], 'a finite number');
  }
  x.sort();
  const fits: DistributionFit[] = [];
  const skipped: FitResult['skipped'] = [];
  for (const family of FIT_FAMILIES) {
    const fitted = FITTERS[family](x);
    if (typeof fitted === 'string') {
      skipped.push({ family, reason: fitted });
      continue;
    }
    const [config, ll, k] = fitted;
    if (!Number.isFinite(ll)) {
      skipped.push({ family, reason: 'the likelihood is zero at some data point' });
      continue;
    }
    const ks = kolmogorovSmirnov(x, (v) => distributionCdf(config, v)!);
    fits.push({ family, config, logLikelihood: ll, aic: 2 * k - 2 * ll, ks: ks.statistic, pValue: ks.pValue });
  }
  fits.sort((a, b) => a.aic - b.aic);
  const best = fits.find((f) => f.pValue >= alpha);
  if (best !== undefined && best === fits[0]) return { n, fits, skipped, recommended: best.config, empirical: false };
  // The best by AIC fails the test: fall back to the data rather than to a worse family.
  return { n, fits, skipped, recommended: empiricalOf(x), empirical: true };
}

function empiricalOf(sorted: Float64Array): DistributionConfig {
  const n = sorted.length;
  if (n <= 1000) return { dist: 'empirical', values: Array.from(sorted) };
  const values: number[] = [];
  for (let i = 0; i < 1000; i++) values.push(sorted[Math.round(((i + 0.5) / 1000) * (n - 1))]!);
  return { dist: 'empirical', values };
}

type Fitted = [DistributionConfig, number, number] | string;

const sum = (x: Float64Array, f: (v: number) => number) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i]!);
  return s;
};
const LN_2PI = Math.log(2 * Math.PI);

const FITTERS: Record<(typeof FIT_FAMILIES)[number], (x: Float64Array) => Fitted> = {
  exponential(x) {
    if (x[0]! < 0) return 'data below 0';
    const mean = sum(x, (v) => v) / x.length;
    if (mean === 0) return 'every value is 0';
    const rate = 1 / mean;
    return [{ dist: 'exponential', rate }, x.length * Math.log(rate) - x.length, 1];
  },
  normal(x) {
    const n = x.length;
    const mean = sum(x, (v) => v) / n;
    const v = sum(x, (y) => (y - mean) ** 2) / n;
    if (v === 0) return 'no spread: every value is the same';
    return [{ dist: 'normal', mean, std: Math.sqrt(v) }, (-n / 2) * (LN_2PI + Math.log(v) + 1), 2];
  },
  lognormal(x) {
    if (x[0]! <= 0) return 'data at or below 0';
    const n = x.length;
    const mu = sum(x, Math.log) / n;
    const v = sum(x, (y) => (Math.log(y) - mu) ** 2) / n;
    if (v === 0) return 'no spread: every value is the same';
    const ll = -sum(x, Math.log) - (n / 2) * (LN_2PI + Math.log(v) + 1);
    return [{ dist: 'lognormal', mean: mu, sigma: Math.sqrt(v) }, ll, 2];
  },
  gamma(x) {
    if (x[0]! <= 0) return 'data at or below 0';
    const n = x.length;
    const mean = sum(x, (v) => v) / n;
    const meanLog = sum(x, Math.log) / n;
    const s = Math.log(mean) - meanLog;
    if (!(s > 0)) return 'no spread: every value is the same';
    // Minka's starting point, then Newton on ln k − ψ(k) = s (ψ' by a central difference).
    let k = (3 - s + Math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s);
    for (let i = 0; i < 50; i++) {
      const h = 1e-5 * k;
      const trigamma = (digamma(k + h) - digamma(k - h)) / (2 * h);
      const step = (Math.log(k) - digamma(k) - s) / (1 / k - trigamma);
      k = Math.max(k - step, k / 10);
      if (Math.abs(step) < 1e-10 * k) break;
    }
    const scale = mean / k;
    const ll = (k - 1) * meanLog * n - (n * mean) / scale - n * k * Math.log(scale) - n * gammaln(k);
    return [{ dist: 'gamma', shape: k, scale }, ll, 2];
  },
  weibull(x) {
    if (x[0]! <= 0) return 'data at or below 0';
    const n = x.length;
    const top = x[n - 1]!;
    if (top === x[0]) return 'no spread: every value is the same';
    // Scaled by the largest value, so x^k cannot overflow; the shape solves an increasing equation in k.
    const z = x.map((v) => v / top);
    const meanLogZ = sum(z, Math.log) / n;
    const g = (k: number) => {
      let a = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        const p = z[i]! ** k;
        a += p * Math.log(z[i]!);
        b += p;
      }
      return a / b - 1 / k - meanLogZ;
    };
    let lo = 1e-3;
    let hi = 1e3;
    for (let i = 0; i < 200 && hi / lo > 1 + 1e-12; i++) {
      const mid = Math.sqrt(lo * hi);
      if (g(mid) < 0) lo = mid;
      else hi = mid;
    }
    const k = Math.sqrt(lo * hi);
    const scale = top * (sum(z, (v) => v ** k) / n) ** (1 / k);
    const ll = n * Math.log(k) - n * k * Math.log(scale) + (k - 1) * sum(x, Math.log) - sum(x, (v) => (v / scale) ** k);
    return [{ dist: 'weibull', shape: k, scale }, ll, 2];
  },
  uniform(x) {
    const low = x[0]!;
    const high = x[x.length - 1]!;
    if (high === low) return 'no spread: every value is the same';
    return [{ dist: 'uniform', low, high }, -x.length * Math.log(high - low), 2];
  },
  triangular(x) {
    const n = x.length;
    const lo = x[0]!;
    const hi = x[n - 1]!;
    if (hi === lo) return 'no spread: every value is the same';
    // The likelihood is 0 at the ends of [low, high], and the data's extremes fall short of them by about
    // √((high − low)(mode − low)/n) (the density rises linearly from each end): start a range/n outside, then move
    // the ends out by that expected shortfall twice, taking the best mode among the data each time.
    let a = lo - (hi - lo) / n;
    let b = hi + (hi - lo) / n;
    let [mode, ll] = bestMode(x, a, b);
    for (let pass = 0; pass < 2; pass++) {
      a = lo - Math.sqrt(((b - a) * (mode - a)) / n);
      b = hi + Math.sqrt(((b - a) * (b - mode)) / n);
      [mode, ll] = bestMode(x, a, b);
    }
    return [{ dist: 'triangular', low: a, mode, high: b }, ll, 3];
  },
};

// The mode among the sorted data that maximises the triangular likelihood on (a, b), with prefix sums: O(n).
function bestMode(x: Float64Array, a: number, b: number): [number, number] {
  const n = x.length;
  const left = new Float64Array(n + 1); // Σ ln(x − a) of the first i values
  for (let i = 0; i < n; i++) left[i + 1] = left[i]! + Math.log(x[i]! - a);
  const right = new Float64Array(n + 1); // Σ ln(b − x) of the values from i on
  for (let i = n - 1; i >= 0; i--) right[i] = right[i + 1]! + Math.log(b - x[i]!);
  let best = Number.NEGATIVE_INFINITY;
  let mode = x[0]!;
  for (let r = 0; r < n; r++) {
    const c = x[r]!;
    // Values below c rise on the left side, the rest fall on the right; c itself sits on the right (b − c > 0).
    const ll = n * Math.log(2 / (b - a)) + left[r]! - r * Math.log(c - a) + right[r]! - (n - r) * Math.log(b - c);
    if (ll > best) {
      best = ll;
      mode = c;
    }
  }
  return [mode, best];
}
