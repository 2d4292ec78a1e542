import { badArgument } from '../../errors.ts';
import type { DistributionConfig } from '../distributions.ts';
import { gammaln } from '../special-functions.ts';

/**
 * The families that `fromMeanStd` can parameterise from a mean and a standard deviation.
 *
 * @example
 * MEAN_STD_FAMILIES.includes('gamma'); // true
 */
export const MEAN_STD_FAMILIES = [
  'exponential',
  'normal',
  'lognormal',
  'gamma',
  'weibull',
  'uniform',
  'triangular',
  'constant',
] as const;

const gamma = (x: number) => Math.exp(gammaln(x));

/**
 * The parameters of a family with a given mean and standard deviation: lognormal's μ and σ of the logarithm,
 * gamma's shape and scale, Weibull's shape (solved from the coefficient of variation) and scale, a uniform or a
 * symmetric triangular centred on the mean. An exponential's std is its mean, a constant's is 0: another std is
 * refused.
 *
 * @example
 * fromMeanStd('lognormal', 2, 0.5); // { dist: 'lognormal', mean: 0.662…, sigma: 0.246… }
 */
export function fromMeanStd(family: string, mean: number, std: number): DistributionConfig {
  if (!Number.isFinite(mean)) badArgument('fromMeanStd', 'mean', mean, 'a finite number');
  if (!(std >= 0) || !Number.isFinite(std)) badArgument('fromMeanStd', 'std', std, 'a finite number >= 0');
  const positive = () => {
    if (!(mean > 0)) badArgument('fromMeanStd', 'mean', mean, `a number > 0 (a ${family} is positive)`);
    if (!(std > 0)) badArgument('fromMeanStd', 'std', std, `a number > 0 for a ${family}`);
  };
  switch (family) {
    case 'exponential':
      if (!(mean > 0)) badArgument('fromMeanStd', 'mean', mean, 'a number > 0 (an exponential is positive)');
      if (Math.abs(std - mean) > 1e-9 * mean) {
        badArgument('fromMeanStd', 'std', std, `the mean (${mean}): an exponential's std equals its mean`);
      }
      return { dist: 'exponential', rate: 1 / mean };
    case 'normal':
      return { dist: 'normal', mean, std };
    case 'lognormal': {
      positive();
      const s2 = Math.log(1 + (std * std) / (mean * mean));
      return { dist: 'lognormal', mean: Math.log(mean) - s2 / 2, sigma: Math.sqrt(s2) };
    }
    case 'gamma':
      positive();
      return { dist: 'gamma', shape: (mean * mean) / (std * std), scale: (std * std) / mean };
    case 'weibull': {
      positive();
      // Γ(1 + 2/k) / Γ(1 + 1/k)² − 1 = cv² falls as k grows: bisect in log k.
      const cv2 = (std * std) / (mean * mean);
      const f = (k: number) => gamma(1 + 2 / k) / gamma(1 + 1 / k) ** 2 - 1 - cv2;
      let lo = 0.05;
      let hi = 500;
      for (let i = 0; i < 200 && hi / lo > 1 + 1e-13; i++) {
        const mid = Math.sqrt(lo * hi);
        if (f(mid) > 0) lo = mid;
        else hi = mid;
      }
      const k = Math.sqrt(lo * hi);
      return { dist: 'weibull', shape: k, scale: mean / gamma(1 + 1 / k) };
    }
    case 'uniform':
      return { dist: 'uniform', low: mean - Math.sqrt(3) * std, high: mean + Math.sqrt(3) * std };
    case 'triangular':
      return { dist: 'triangular', low: mean - Math.sqrt(6) * std, mode: mean, high: mean + Math.sqrt(6) * std };
    case 'constant':
      if (std !== 0) badArgument('fromMeanStd', 'std', std, "0: a constant's std is 0");
      return { dist: 'constant', value: mean };
    default:
      return badArgument('fromMeanStd', 'family', family, `one of ${MEAN_STD_FAMILIES.join(', ')}`);
  }
}
