/**
 * An interpolating B-spline of degree 2 or 3 through sorted, distinct points, built the way SciPy's
 * `make_interp_spline` builds it (the results match SciPy's to a few ulps): degree 3 with not-a-knot ends (the
 * interior knots are `x[2] … x[n-3]`), degree 2 with knots at the midpoints of the inner intervals. `at(x)`
 * evaluates it, extrapolating the end pieces outside the data.
 *
 * @example
 * const s = BSpline.interpolate(Float64Array.of(0, 1, 2, 3), Float64Array.of(0, 1, 8, 27), 0, 4, 3);
 * s.at(1.5); // 3.375 (a cubic through four points of x³ is x³)
 */
export class BSpline {
  readonly degree: number;
  /** Knots, `n + degree + 1` of them. */
  readonly knots: Float64Array;
  /** Coefficients, one per data point. */
  readonly coefficients: Float64Array;
  private readonly basis: Float64Array;
  private readonly scratch: Float64Array;

  private constructor(degree: number, knots: Float64Array, coefficients: Float64Array) {
    this.degree = degree;
    this.knots = knots;
    this.coefficients = coefficients;
    this.basis = new Float64Array(degree + 1);
    this.scratch = new Float64Array(degree + 1);
  }

  /** Fits the spline through `xs[lo..hi)`, `ys[lo..hi)` (at least `degree + 1` points, strictly increasing). */
  static interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, hi: number, degree: 2 | 3): BSpline {
    const n = hi - lo;
    const k = degree;
    const t = new Float64Array(n + k + 1);
    for (let i = 0; i <= k; i++) {
      t[i] = xs[lo]!;
      t[n + i] = xs[hi - 1]!;
    }
    if (k === 3) for (let i = 2; i <= n - 3; i++) t[i + 2] = xs[lo + i]!;
    else for (let i = 1; i <= n - 3; i++) t[i + 2] = (xs[lo + i]! + xs[lo + i + 1]!) / 2;
    const spline = new BSpline(k, t, new Float64Array(n));
    spline.solve(xs, ys, lo, n);
    return spline;
  }

  /** The spline's value at `x` (the end pieces extended outside the knots). */
  at(x: number): number {
    const k = this.degree;
    const ell = this.interval(x);
    this.evaluateBasis(x, ell);
    let sum = 0;
    for (let a = 0; a <= k; a++) sum += this.coefficients[ell - k + a]! * this.basis[a]!;
    return sum;
  }

  private interval(x: number): number {
    const t = this.knots;
    const k = this.degree;
    const n = this.coefficients.length;
    if (!(x >= t[k]!)) return k;
    if (x >= t[n]!) return n - 1;
    let a = k;
    let b = n; // t[a] <= x < t[b]
    while (b - a > 1) {
      const mid = (a + b) >>> 1;
      if (t[mid]! <= x) a = mid;
      else b = mid;
    }
    return a;
  }

  // The k+1 non-zero basis functions at x in knot interval ell (Cox–de Boor, in SciPy's order of operations).
  private evaluateBasis(x: number, ell: number): void {
    const h = this.basis;
    const hh = this.scratch;
    const t = this.knots;
    h[0] = 1;
    for (let j = 1; j <= this.degree; j++) {
      for (let i = 0; i < j; i++) hh[i] = h[i]!;
      h[0] = 0;
      for (let m = 1; m <= j; m++) {
        const xb = t[ell + m]!;
        const xa = t[ell + m - j]!;
        if (xb === xa) {
          h[m] = 0;
          continue;
        }
        const w = hh[m - 1]! / (xb - xa);
        h[m - 1]! += w * (xb - x);
        h[m] = w * (x - xa);
      }
    }
  }

  // Collocation: row i holds B_j(x_i), non-zero for j in [ell-k, ell]. The matrix is banded and totally positive,
  // so Gaussian elimination without pivoting is stable (de Boor) and fills nothing outside the band.
  private solve(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, n: number): void {
    const k = this.degree;
    const w = 2 * k + 1;
    const a = new Float64Array(n * w); // a[i*w + (j - i + k)] = A[i][j]
    const c = this.coefficients;
    for (let i = 0; i < n; i++) {
      const x = xs[lo + i]!;
      const ell = this.interval(x);
      this.evaluateBasis(x, ell);
      for (let m = 0; m <= k; m++) {
        const j = ell - k + m;
        a[i * w + (j - i + k)] = this.basis[m]!;
      }
      c[i] = ys[lo + i]!;
    }
    for (let col = 0; col < n; col++) {
      const pivot = a[col * w + k]!;
      const last = Math.min(n - 1, col + k);
      for (let r = col + 1; r <= last; r++) {
        const f = a[r * w + (col - r + k)]! / pivot;
        if (f === 0) continue;
        for (let j = col; j <= last; j++) a[r * w + (j - r + k)]! -= f * a[col * w + (j - col + k)]!;
        c[r]! -= f * c[col]!;
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = c[i]!;
      const last = Math.min(n - 1, i + k);
      for (let j = i + 1; j <= last; j++) s -= a[i * w + (j - i + k)]! * c[j]!;
      c[i] = s / a[i * w + k]!;
    }
  }
}
