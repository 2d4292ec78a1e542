/** The piecewise methods that need no fitting, by number (kept small integers so the lookup switch stays cheap). */
export const PREVIOUS = 0;
export const NEXT = 1;
export const NEAREST = 2;
export const LINEAR = 3;

/**
 * The value at `t` of a step or linear interpolation of sorted `xs[lo..hi)`, `ys[lo..hi)`, given `i`, the last
 * index with `xs[i] <= t` (`lo - 1` when none). Outside the data the edge value holds. Where a time repeats, `i`
 * is the last of the repeats, so the value at that time is the one after the event and the interval before it
 * ends on the value before the event.
 *
 * @example
 * const xs = [0, 1, 2], ys = [0, 10, 20];
 * piecewiseAt(LINEAR, xs, ys, 0, 3, 0, 0.25);   // 2.5
 * piecewiseAt(PREVIOUS, xs, ys, 0, 3, 1, 1.75); // 10
 */
export function piecewiseAt(
  kind: number,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  lo: number,
  hi: number,
  i: number,
  t: number,
): number {
  if (i < lo) return ys[lo]!;
  if (i >= hi - 1) return ys[hi - 1]!;
  const x0 = xs[i]!;
  if (kind === PREVIOUS || t === x0) return ys[i]!;
  const x1 = xs[i + 1]!;
  if (kind === LINEAR) {
    // NumPy's interp, operation for operation, so results are the same to the last bit.
    const y0 = ys[i]!;
    const y1 = ys[i + 1]!;
    const slope = (y1 - y0) / (x1 - x0);
    const v = slope * (t - x0) + y0;
    if (!Number.isNaN(v)) return v;
    const w = slope * (t - x1) + y1;
    return Number.isNaN(w) && y0 === y1 ? y0 : w;
  }
  if (kind === NEXT) return ys[i + 1]!;
  // NEAREST: SciPy's rule, an exact midpoint goes to the lower neighbour.
  return t <= (x0 + x1) / 2 ? ys[i]! : ys[i + 1]!;
}
