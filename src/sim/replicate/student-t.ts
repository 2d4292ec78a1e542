import { badArgument } from '../../errors.ts';
import { tQuantile as quantile } from '../special-functions.ts';

/** A mean with its Student-t confidence interval. */
export interface ConfidenceInterval {
  /** Observations the interval is built from. */
  n: number;
  mean: number;
  /** The sample standard deviation (n - 1 in the denominator). */
  std: number;
  /** Half the width of the interval: the mean ± this. */
  halfWidth: number;
  low: number;
  high: number;
  /** The confidence level, such as 0.95. */
  level: number;
}

/**
 * The mean of `xs` and its Student-t interval at `level`: mean ± t(1 - (1 - level)/2, n - 1) · s/√n. With one
 * observation the half-width is NaN (no spread to estimate).
 *
 * @example
 * const ci = studentT([9.8, 10.1, 10.4, 9.9], 0.95);
 * console.log(ci.mean.toFixed(2), ci.halfWidth.toFixed(3)); // 10.05 0.421
 */
export function studentT(xs: readonly number[], level = 0.95): ConfidenceInterval {
  if (!(level > 0 && level < 1)) badArgument('studentT', 'level', level, 'a number between 0 and 1, such as 0.95');
  const n = xs.length;
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = n === 0 ? Number.NaN : sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN;
  const halfWidth = n > 1 ? quantile(1 - (1 - level) / 2, n - 1) * (std / Math.sqrt(n)) : Number.NaN;
  return { n, mean, std, halfWidth, low: mean - halfWidth, high: mean + halfWidth, level };
}
