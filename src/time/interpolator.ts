import { badArgument } from '../errors.ts';
import { LINEAR, NEAREST, NEXT, PREVIOUS, piecewiseAt } from './piecewise.ts';
import { searchSorted } from './search-sorted.ts';
import { SplineCurve } from './spline-curve.ts';
import { type TimeTolerance, toleranceAt, toleranceOption } from './time-tolerance.ts';

/** The built-in interpolation methods. */
export type InterpolationMethod = 'previous' | 'next' | 'nearest' | 'linear' | 'quadratic' | 'cubic' | 'spline';

/** A registered method: sorted, distinct-or-repeated `xs` with `ys`, and the times to evaluate; one value each. */
export type InterpolationFunction = (xs: Float64Array, ys: Float64Array, xNew: Float64Array) => ArrayLike<number>;

/** What an interpolator reports when it has fewer points than its method needs and uses `linear` instead. */
export interface FallbackReport {
  method: string;
  minPoints: number;
  points: number;
  used: 'linear';
}

export interface InterpolatorOptions {
  /** When two times are the same instant (default `'auto'`, see `TimeTolerance`). */
  tolerance?: TimeTolerance;
  /** Told once per interpolator the first time a call falls back to `linear` (default: `console.warn`). */
  onFallback?: (report: FallbackReport) => void;
}

/** A method as the lookup code sees it. `kind` 0–3 are piecewise, 4–6 splines, 7 a registered function. */
export interface MethodEntry {
  readonly name: string;
  readonly kind: number;
  readonly minPoints: number;
  readonly fn: InterpolationFunction | null;
}

export const QUADRATIC = 4;
export const CUBIC = 5;
export const SPLINE = 6;
export const CUSTOM = 7;

const registry = new Map<string, MethodEntry>();
for (const [name, kind, minPoints] of [
  ['previous', PREVIOUS, 1],
  ['next', NEXT, 1],
  ['nearest', NEAREST, 1],
  ['linear', LINEAR, 1],
  ['quadratic', QUADRATIC, 3],
  ['cubic', CUBIC, 4],
  ['spline', SPLINE, 4],
] as const) {
  registry.set(name, { name, kind, minPoints, fn: null });
}

/**
 * Interpolates sampled values at new times: `previous` (the default, a step holding the last value), `next`,
 * `nearest`, `linear`, `quadratic`, `cubic` and `spline`, plus methods added with `Interpolator.register`.
 * Results match CoFmuPy's (NumPy's `interp`, SciPy's `interp1d` and `make_interp_spline`). Outside the data every
 * method holds the edge value except `spline`, which extrapolates. With fewer points than its method needs, a
 * call uses `linear` (that call only) and the first such call is reported. Unsorted input is sorted first; a
 * repeated time is a discontinuity: at that time the value is the last one given for it.
 *
 * @example
 * const y = new Interpolator('linear').interpolate([0, 1, 2], [0, 10, 20], [0.5, 1.5, 9]);
 * // Float64Array [5, 15, 20]
 */
export class Interpolator {
  readonly method: string;
  private readonly entry: MethodEntry;
  private readonly tolerance: number;
  private readonly onFallback: (report: FallbackReport) => void;
  private reported = false;

  constructor(method: string = 'previous', options: InterpolatorOptions = {}) {
    this.entry = Interpolator.lookup(method, 'Interpolator');
    this.method = method;
    this.tolerance = toleranceOption(options.tolerance, 'Interpolator');
    this.onFallback =
      options.onFallback ??
      ((r) =>
        console.warn(
          `twinstream: interpolation '${r.method}' needs ${r.minPoints} points, got ${r.points}: using 'linear' for such calls`,
        ));
  }

  /** The method registered under `name`, or a `TS_BAD_ARGUMENT` error listing the known names. */
  static lookup(name: unknown, where: string): MethodEntry {
    const entry = typeof name === 'string' ? registry.get(name) : undefined;
    if (entry === undefined) badArgument(where, 'interpolation', name, `one of ${Interpolator.methods().join(', ')}`);
    return entry;
  }

  /** The names of every method, built-in first. */
  static methods(): string[] {
    return [...registry.keys()];
  }

  /**
   * Adds a method. `fn` receives the sorted times and values and the times to evaluate; `minPoints` (default 1)
   * is how many points it needs (with fewer, `linear` is used). Built-in names cannot be replaced.
   *
   * @example
   * Interpolator.register('zero', (xs, ys, xNew) => new Float64Array(xNew.length));
   * new Interpolator('zero').interpolate([0, 1], [5, 6], [0.5]); // Float64Array [0]
   */
  static register(name: string, fn: InterpolationFunction, options: { minPoints?: number } = {}): void {
    if (typeof name !== 'string' || name === '')
      badArgument('Interpolator.register', 'name', name, 'a non-empty string');
    if (typeof fn !== 'function') badArgument('Interpolator.register', 'fn', fn, 'a function (xs, ys, xNew) => values');
    const minPoints = options.minPoints ?? 1;
    if (!Number.isInteger(minPoints) || minPoints < 1) {
      badArgument('Interpolator.register', 'minPoints', minPoints, 'an integer >= 1');
    }
    const existing = registry.get(name);
    if (existing !== undefined && existing.kind !== CUSTOM) {
      badArgument('Interpolator.register', 'name', name, 'a name other than the built-in methods');
    }
    registry.set(name, { name, kind: CUSTOM, minPoints, fn });
  }

  /** How many points `method` needs. */
  static minPoints(method: string): number {
    return Interpolator.lookup(method, 'Interpolator.minPoints').minPoints;
  }

  /** The method a call with `points` points uses: the configured one, or `linear` (reported once). */
  resolve(points: number): MethodEntry {
    if (points >= this.entry.minPoints) return this.entry;
    if (!this.reported) {
      this.reported = true;
      this.onFallback({ method: this.method, minPoints: this.entry.minPoints, points, used: 'linear' });
    }
    return registry.get('linear')!;
  }

  /** Interpolates `ys` sampled at `xs` at each of `xNew`. Arrays or typed arrays in, a new `Float64Array` out. */
  interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, xNew: ArrayLike<number>): Float64Array {
    if (xs.length === 0 || ys.length === 0 || xNew.length === 0) {
      badArgument(
        'Interpolator.interpolate',
        'the lengths of xs, ys and xNew',
        [xs.length, ys.length, xNew.length],
        'at least one value in each',
      );
    }
    if (xs.length !== ys.length) {
      badArgument('Interpolator.interpolate', 'the lengths of xs and ys', [xs.length, ys.length], 'the same length');
    }
    const [sx, sy] = sortedPairs(xs, ys);
    const n = sx.length;
    const entry = this.resolve(n);
    const out = new Float64Array(xNew.length);
    if (entry.kind === CUSTOM) {
      const r = entry.fn!(sx, sy, Float64Array.from(xNew));
      if (r.length !== xNew.length) {
        badArgument(
          `Interpolator method '${entry.name}'`,
          'its result length',
          r.length,
          `${xNew.length} values, one per time`,
        );
      }
      out.set(r);
      return out;
    }
    const curve =
      entry.kind >= QUADRATIC
        ? new SplineCurve(sx, sy, 0, n, entry.kind === QUADRATIC ? 2 : 3, entry.kind === SPLINE)
        : null;
    for (let q = 0; q < xNew.length; q++) {
      let t = xNew[q]!;
      const tol = toleranceAt(t, this.tolerance);
      const i = searchSorted(sx, 0, n, t + tol);
      if (i >= 0 && sx[i]! >= t - tol) t = sx[i]!; // within the tolerance of a sample: that sample's time
      out[q] = curve === null ? piecewiseAt(entry.kind, sx, sy, 0, n, i, t) : curve.at(t, i);
    }
    return out;
  }
}

// Copies to Float64Arrays, sorted by time (stable, so repeated times keep their order) when they are not already.
function sortedPairs(xs: ArrayLike<number>, ys: ArrayLike<number>): [Float64Array, Float64Array] {
  const n = xs.length;
  const sx = Float64Array.from(xs);
  const sy = Float64Array.from(ys);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const x = sx[i]!;
    if (!Number.isFinite(x)) {
      badArgument('Interpolator.interpolate', `xs[${i}]`, xs[i], 'a finite number');
    }
    if (i > 0 && x < sx[i - 1]!) sorted = false;
  }
  if (sorted) return [sx, sy];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => sx[a]! - sx[b]! || a - b);
  return [Float64Array.from(order, (i) => sx[i]!), Float64Array.from(order, (i) => sy[i]!)];
}
