import { badArgument } from '../errors.ts';

/**
 * How close two times must be to count as the same instant. A number is an absolute tolerance in the unit of the
 * times; `'auto'` (the default) is `1e-13 × max(1, |t|)`: a few hundred ulps, enough for a master that adds 0.1
 * eight times (0.7999999999999999) to land on 0.8, and 0.17 ms at today's epoch in milliseconds.
 */
export type TimeTolerance = number | 'auto';

/** The relative part of the `'auto'` tolerance. */
export const AUTO_TOLERANCE = 1e-13;

/**
 * Checks a tolerance option and returns it as a number, `-1` standing for `'auto'` (kept a number so the
 * lookup path stays monomorphic).
 *
 * @example
 * toleranceOption(undefined, 'TimeIndex'); // -1 ('auto')
 * toleranceOption(1e-9, 'TimeIndex');      // 1e-9
 */
export function toleranceOption(value: unknown, where: string): number {
  if (value === undefined || value === 'auto') return -1;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    badArgument(where, 'tolerance', value, "'auto' or a finite number >= 0 (an absolute time difference)");
  }
  return value;
}

/**
 * The tolerance that applies at time `t` for an option from `toleranceOption`.
 *
 * @example
 * toleranceAt(0.8, -1);  // 1e-13
 * toleranceAt(5, 1e-6);  // 1e-6
 */
export function toleranceAt(t: number, option: number): number {
  if (option >= 0) return option;
  const a = t < 0 ? -t : t;
  return a > 1 ? a * AUTO_TOLERANCE : AUTO_TOLERANCE;
}
