export * from './clock.ts';
export * from './duration.ts';
export { BSpline } from './bspline.ts';
export type {
  FallbackReport,
  InterpolationFunction,
  InterpolationMethod,
  InterpolatorOptions,
} from './interpolator.ts';
export { Interpolator } from './interpolator.ts';
export { searchSorted } from './search-sorted.ts';
export type { TimeTolerance } from './time-tolerance.ts';
