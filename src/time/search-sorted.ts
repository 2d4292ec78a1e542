/**
 * The last index `i` in `[lo, hi)` with `xs[i] <= t`, or `lo - 1` when every element is greater: a binary search
 * over a sorted (non-decreasing) array. Among equal times it lands on the last one, which is how a repeated time
 * reads as a discontinuity: the value after the event.
 *
 * @example
 * searchSorted([0, 1, 1, 2], 0, 4, 1);   // 2
 * searchSorted([0, 1, 1, 2], 0, 4, -5);  // -1
 */
export function searchSorted(xs: ArrayLike<number>, lo: number, hi: number, t: number): number {
  let a = lo;
  let b = hi;
  // Invariant: xs[a - 1] <= t (or a === lo) and xs[b] > t (or b === hi).
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (xs[mid]! <= t) a = mid + 1;
    else b = mid;
  }
  return a - 1;
}
