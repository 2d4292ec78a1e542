export { BSpline } from './bspline.ts';
export * from './clock.ts';
export * from './duration.ts';
export type {
  FallbackReport,
  InterpolationFunction,
  InterpolationMethod,
  InterpolatorOptions,
} from './interpolator.ts';
export { Interpolator } from './interpolator.ts';
export { searchSorted } from './search-sorted.ts';
export type { TimeIndexOptions } from './time-index.ts';
export { TimeIndex } from './time-index.ts';
export type { TimeTolerance } from './time-tolerance.ts';
