import { BSpline } from './bspline.ts';
import { LINEAR, piecewiseAt } from './piecewise.ts';

/**
 * A spline through sorted data that may hold repeated times: each run between repeats (a discontinuity) gets its
 * own B-spline, and a run too short for the degree is joined linearly. Outside the data it holds the edge values,
 * or extrapolates the end pieces when `extrapolate` is set (SciPy's `make_interp_spline`, CoFmuPy's `spline`).
 *
 * @example
 * const c = new SplineCurve(Float64Array.of(0, 1, 2, 3), Float64Array.of(0, 1, 8, 27), 0, 4, 3, false);
 * c.at(2.5, 2); // 15.625
 */
export class SplineCurve {
  private readonly xs: ArrayLike<number>;
  private readonly ys: ArrayLike<number>;
  private readonly lo: number;
  private readonly hi: number;
  private readonly extrapolate: boolean;
  /** First index of each run. */
  private readonly starts: number[] = [];
  /** The spline of each run, or null when the run is too short (linear there). */
  private readonly splines: (BSpline | null)[] = [];

  constructor(
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    lo: number,
    hi: number,
    degree: 2 | 3,
    extrapolate: boolean,
  ) {
    this.xs = xs;
    this.ys = ys;
    this.lo = lo;
    this.hi = hi;
    this.extrapolate = extrapolate;
    let start = lo;
    for (let i = lo + 1; i <= hi; i++) {
      if (i < hi && xs[i] !== xs[i - 1]) continue;
      this.starts.push(start);
      this.splines.push(i - start > degree ? BSpline.interpolate(xs, ys, start, i, degree) : null);
      start = i;
    }
  }

  /** The value at `t`, given `i`, the last index with `xs[i] <= t` (`lo - 1` when none). */
  at(t: number, i: number): number {
    const { lo, hi } = this;
    if (i < lo || (i === hi - 1 && t > this.xs[i]!)) {
      const run = i < lo ? 0 : this.starts.length - 1;
      const s = this.splines[run]!;
      if (this.extrapolate && s !== null) return s.at(t);
      return this.ys[i < lo ? lo : hi - 1]!;
    }
    let a = 0;
    let b = this.starts.length; // starts[a] <= i < starts[b]
    while (b - a > 1) {
      const mid = (a + b) >>> 1;
      if (this.starts[mid]! <= i) a = mid;
      else b = mid;
    }
    const s = this.splines[a]!;
    if (s !== null) return s.at(t);
    const end = a + 1 < this.starts.length ? this.starts[a + 1]! : hi;
    return piecewiseAt(LINEAR, this.xs, this.ys, this.starts[a]!, end, i, t);
  }
}
