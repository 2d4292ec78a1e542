// Rolling over the last `n` rows of one column, carried from frame to frame in rings of `n` numbers: nothing is
// copied or allocated per frame but the output. Results are those of `rollColumn` over [history, frame], bit for
// bit: sums restart at every frame over the rows still in the window (so error cannot build up across frames) and
// add then remove in the same order; min and max run van Herk/Gil-Werman over blocks of n rows.
import type { NumericArray } from './frame-column.ts';
import type { Reduction } from './moments.ts';

const SUM = 0;
const MEAN = 1;
const COUNT = 2;
const MIN = 3;
const MAX = 4;
const MOMENTS = 5; // var and std (and anything else, as rollColumn does)

function kindOf(r: Reduction): number {
  if (r === 'sum') return SUM;
  if (r === 'mean') return MEAN;
  if (r === 'count') return COUNT;
  if (r === 'min') return MIN;
  if (r === 'max') return MAX;
  return MOMENTS;
}

/**
 * The rolling state of one column over `n` rows.
 *
 * @example
 * const roll = new RowRolling(3, 3, 'mean');
 * roll.next(new Float64Array([1, 2, 3, 4])); // Float64Array [NaN, NaN, 2, 3]
 */
export class RowRolling {
  readonly n: number;
  readonly minPeriods: number;
  private readonly kind: number;
  private readonly std: boolean;
  /** The last `n` values, value of row `seq` at `seq % n`. */
  private readonly ring: Float64Array;
  /** Rows seen so far. */
  private seen = 0;
  // min/max: the suffix extremes of the last complete block, the extreme of the current block so far, and the
  // non-NaN rows in the window.
  private readonly suffix: Float64Array;
  private prefix: number;
  private inWindow = 0;

  constructor(n: number, minPeriods: number, reduction: Reduction) {
    this.n = n;
    this.minPeriods = minPeriods;
    this.kind = kindOf(reduction);
    this.std = reduction === 'std';
    this.ring = new Float64Array(n);
    const extreme = this.kind === MIN || this.kind === MAX;
    const none = this.kind === MIN ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.suffix = new Float64Array(extreme ? n : 0).fill(none);
    this.prefix = none;
  }

  /** The rolling values of one frame's column (a value per row; NaN before `minPeriods` rows). */
  next(values: NumericArray): Float64Array {
    const out = new Float64Array(values.length);
    if (this.kind === MIN || this.kind === MAX) this.extremes(values, out, this.kind === MIN);
    else this.seen = this.sums(values, out);
    return out;
  }

  /** Returns the rows seen after this frame (no store after the loop: see `extremes`). */
  private sums(values: NumericArray, out: Float64Array): number {
    const n = this.n;
    const ring = this.ring;
    const minP = this.minPeriods;
    const kind = this.kind;
    const moments = kind === MOMENTS;
    const seen = this.seen;
    // Computed before the loops: an operation after the hot loop, without type feedback yet, deoptimizes it.
    const after = seen + values.length;
    const hl = Math.min(seen, n - 1);
    let s = 0;
    let q = 0;
    let k = 0;
    // The history: the rows before this frame still in the window of its first row.
    let slot = (seen - hl) % n;
    for (let h = 0; h < hl; h++) {
      const x = ring[slot]!;
      if (!Number.isNaN(x)) {
        s += x;
        if (moments) q += x * x;
        k++;
      }
      slot = slot + 1 === n ? 0 : slot + 1;
    }
    // `slot` is now seen % n: where this frame's first row goes, and where the row leaving the window was.
    for (let j = 0; j < values.length; j++) {
      const x = values[j]!;
      if (!Number.isNaN(x)) {
        s += x;
        if (moments) q += x * x;
        k++;
      }
      if (hl + j >= n) {
        const old = ring[slot]!;
        if (!Number.isNaN(old)) {
          s -= old;
          if (moments) q -= old * old;
          k--;
        }
      }
      ring[slot] = x;
      slot = slot + 1 === n ? 0 : slot + 1;
      let v: number;
      if (k < minP) v = Number.NaN;
      else if (kind === SUM) v = s;
      else if (kind === MEAN) v = s / k;
      else if (kind === COUNT) v = k;
      else if (k < 2) v = Number.NaN;
      else {
        const variance = Math.max(0, (q - (s * s) / k) / (k - 1));
        v = this.std ? Math.sqrt(variance) : variance;
      }
      out[j] = v;
    }
    return after;
  }

  /**
   * Min or max by van Herk/Gil-Werman: rows in blocks of `n` (by row number); a window ends in block B and starts
   * in block B - 1, so its extreme is that of the suffix of B - 1 (computed once per block, backwards) and the
   * prefix of B (running). Three comparisons per row and no data-dependent loop: a deque's pops mispredict on
   * noisy data. Among equal values the newest wins, as in a deque; NaN counts as nothing.
   */
  private extremes(values: NumericArray, out: Float64Array, min: boolean): void {
    const n = this.n;
    const ring = this.ring;
    const suffix = this.suffix;
    const minP = this.minPeriods;
    const none = min ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    let k = this.inWindow;
    let seq = this.seen;
    let off = seq % n;
    let prefix = this.prefix;
    const last = values.length - 1;
    for (let j = 0; j <= last; j++, seq++) {
      const x = values[j]!;
      // The row n rows back leaves the window: its value is in the ring slot this row takes.
      if (seq >= n && !Number.isNaN(ring[off]!)) k--;
      ring[off] = x;
      let m: number;
      if (Number.isNaN(x)) m = off === 0 ? none : prefix;
      else {
        k++;
        // Not Math.min/max: on ties the newer value wins (as a deque keeps it), which tells -0 from 0.
        // biome-ignore lint/complexity/useMathMinMax: tie order matters (see above)
        m = off === 0 ? x : min ? (x <= prefix ? x : prefix) : x >= prefix ? x : prefix;
      }
      prefix = m;
      if (off + 1 < n) {
        const s = suffix[off + 1]!;
        // biome-ignore lint/complexity/useMathMinMax: the prefix holds the newer rows and wins ties
        m = min ? (m <= s ? m : s) : m >= s ? m : s;
      }
      out[j] = k < minP || k === 0 ? Number.NaN : m;
      if (++off === n) {
        // The block is complete (the ring holds it in order): its suffix extremes, newest first among equals.
        let e = none;
        for (let p = n - 1; p >= 0; p--) {
          const v = ring[p]!;
          if (min ? v < e : v > e) e = v;
          suffix[p] = e;
        }
        off = 0;
      }
      // The state is saved inside the loop, at the first row too: V8 enters this loop by on-stack replacement, and
      // a store after it, never run before that, deoptimized it at the end of every frame.
      if (j === 0 || j === last) {
        this.prefix = prefix;
        this.inWindow = k;
        this.seen = seq + 1;
      }
    }
  }
}
