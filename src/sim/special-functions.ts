// The special functions of the simulation's statistics (log-gamma, digamma, distribution functions, Student-t
// quantiles), from @stdlib, each loaded on its first call (./stdlib.ts). Importing twinstream/sim then costs no
// @stdlib module, and a program that never fits a distribution or computes an interval never loads one.
import { requireStdlib } from './stdlib.ts';

type Fn1 = (x: number) => number;
type Fn3 = (x: number, a: number, b: number) => number;
let gammalnFn: Fn1 | null = null;
let digammaFn: Fn1 | null = null;
let gammaCdfFn: Fn3 | null = null;
let normalCdfFn: Fn3 | null = null;
let normalQuantileFn: Fn3 | null = null;
let tQuantileFn: ((p: number, dof: number) => number) | null = null;

/**
 * The natural logarithm of the gamma function.
 * @internal
 * @example gammaln(5); // Math.log(24)
 */
export function gammaln(x: number): number {
  gammalnFn ??= requireStdlib('math-base-special-gammaln') as Fn1;
  return gammalnFn(x);
}

/**
 * The digamma function, the derivative of `gammaln`.
 * @internal
 * @example digamma(1); // -0.5772156649015329 (minus the Euler–Mascheroni constant)
 */
export function digamma(x: number): number {
  digammaFn ??= requireStdlib('math-base-special-digamma') as Fn1;
  return digammaFn(x);
}

/**
 * The gamma distribution's CDF at `x` for a `shape` and a `rate`.
 * @internal
 * @example gammaCdf(1, 1, 1); // 1 - Math.exp(-1)
 */
export function gammaCdf(x: number, shape: number, rate: number): number {
  gammaCdfFn ??= requireStdlib('stats-base-dists-gamma-cdf') as Fn3;
  return gammaCdfFn(x, shape, rate);
}

/**
 * The normal distribution's CDF at `x` for a `mean` and a standard deviation `std`.
 * @internal
 * @example normalCdf(0, 0, 1); // 0.5
 */
export function normalCdf(x: number, mean: number, std: number): number {
  normalCdfFn ??= requireStdlib('stats-base-dists-normal-cdf') as Fn3;
  return normalCdfFn(x, mean, std);
}

/**
 * The normal distribution's quantile (inverse CDF) at probability `p` for a `mean` and a standard deviation `std`.
 * @internal
 * @example normalQuantile(0.5, 3, 1); // 3
 */
export function normalQuantile(p: number, mean: number, std: number): number {
  normalQuantileFn ??= requireStdlib('stats-base-dists-normal-quantile') as Fn3;
  return normalQuantileFn(p, mean, std);
}

/**
 * The quantile of Student's t distribution with `dof` degrees of freedom at probability `p`.
 * @internal
 * @example tQuantile(0.975, 9); // about 2.2622
 */
export function tQuantile(p: number, dof: number): number {
  tQuantileFn ??= requireStdlib('stats-base-dists-t-quantile') as (p: number, dof: number) => number;
  return tQuantileFn(p, dof);
}
