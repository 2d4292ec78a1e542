// Clocks and durations (browser-safe). Re-exports only, by name.

export type { Clock, Timer } from './clock.ts';
export { RealClock, realClock, VirtualClock } from './clock.ts';
export type { Duration, DurationUnit } from './duration.ts';
export { toMillis } from './duration.ts';
export type {
  FallbackReport,
  InterpolationFunction,
  InterpolationMethod,
  InterpolatorOptions,
} from './interpolator.ts';
export { Interpolator } from './interpolator.ts';
export type { TimeIndexOptions } from './time-index.ts';
export { TimeIndex } from './time-index.ts';
export type { TimeTolerance } from './time-tolerance.ts';
