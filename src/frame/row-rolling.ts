// Rolling over the last `n` rows of one column, carried from frame to frame (the last n - 1 rows for sums, a ring
// of n for min and max): nothing is allocated per frame but the output. Results are those of `rollColumn` over
// [history, frame], bit for bit: sums restart at every frame over the rows still in the window (so error cannot
// build up across frames) and add then remove in the same order; min and max run van Herk/Gil-Werman over blocks
// of n rows.
import { fromJsonNumber, fromJsonNumbers, toJsonNumber, toJsonNumbers } from '../core/json-numbers.ts';
import { sampleVariance } from '../core/moments.ts';
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
  /** Min/max: the last `n` values, value of row `seq` at `seq % n` (NaN: no row yet). */
  private readonly ring: Float64Array;
  /** Rows seen so far. */
  private seen = 0;
  /** Sums: the last n - 1 rows (the first min(seen, n - 1) entries). */
  private readonly hist: Float64Array;
  // min/max: the suffix extremes of the last complete block (and the identity after them), the extreme of the
  // current block so far, and the non-NaN rows in the window.
  private readonly suffix: Float64Array;
  private prefix: number;
  private inWindow = 0;

  constructor(n: number, minPeriods: number, reduction: Reduction) {
    this.n = n;
    this.minPeriods = minPeriods;
    this.kind = kindOf(reduction);
    this.std = reduction === 'std';
    const extreme = this.kind === MIN || this.kind === MAX;
    this.ring = new Float64Array(extreme ? n : 0).fill(Number.NaN);
    this.hist = new Float64Array(extreme ? 0 : n - 1);
    const none = this.kind === MIN ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.suffix = new Float64Array(extreme ? n + 1 : 0).fill(none);
    this.prefix = none;
  }

  /** The state as JSON values (a checkpoint). @example new RowRolling(3, 3, 'mean').load(roll.save()) */
  save(): unknown {
    return {
      seen: this.seen,
      ring: toJsonNumbers(this.ring),
      hist: toJsonNumbers(this.hist),
      suffix: toJsonNumbers(this.suffix),
      prefix: toJsonNumber(this.prefix),
      inWindow: this.inWindow,
    };
  }

  /** Takes back what {@link RowRolling.save} gave (for the same `n` and reduction). */
  load(saved: unknown): void {
    const s = saved as {
      seen: number;
      ring: unknown;
      hist: unknown;
      suffix: unknown;
      prefix: unknown;
      inWindow: number;
    };
    this.seen = s.seen;
    this.ring.set(fromJsonNumbers(s.ring).subarray(0, this.ring.length));
    this.hist.set(fromJsonNumbers(s.hist).subarray(0, this.hist.length));
    this.suffix.set(fromJsonNumbers(s.suffix).subarray(0, this.suffix.length));
    this.prefix = fromJsonNumber(s.prefix);
    this.inWindow = s.inWindow;
  }

  /** The rolling values of one frame's column (a value per row; NaN before `minPeriods` rows). */
  next(values: NumericArray): Float64Array {
    const out = new Float64Array(values.length);
    if (this.kind === MIN) this.mins(values, out);
    else if (this.kind === MAX) this.maxes(values, out);
    else this.seen = this.sums(values, out);
    return out;
  }

  /**
   * Sums, means, counts, var and std: the frame's rows read where they are, the rows leaving the window from the
   * history (the last n - 1 rows before the frame) and then from the frame itself; no ring. The history is then
   * updated. Returns the rows seen after this frame.
   */
  private sums(values: NumericArray, out: Float64Array): number {
    const n = this.n;
    const hist = this.hist;
    const hl = Math.min(this.seen, n - 1);
    rollSums(hist, hl, values, n, this.minPeriods, this.kind, this.std, out);
    // The history: the last n - 1 rows (fewer at the start).
    const len = values.length;
    if (len >= n - 1) {
      for (let h = 0, j = len - (n - 1); h < n - 1; h++, j++) hist[h] = values[j]!;
    } else {
      const keep = Math.min(hl, n - 1 - len);
      hist.copyWithin(0, hl - keep, hl);
      for (let j = 0; j < len; j++) hist[keep + j] = values[j]!;
    }
    return this.seen + len;
  }

  /**
   * Min by van Herk/Gil-Werman: rows in blocks of `n` (by row number); a window ends in block B and starts in
   * block B - 1, so its extreme is that of the suffix of B - 1 (computed once per block, backwards) and the prefix
   * of B (running, reset at each block). Two comparisons per row and no data-dependent loop: a deque's pops
   * mispredict on noisy data. Among equal values the newest wins, as in a deque; NaN counts as nothing. The ring
   * starts as NaN (no row) and `suffix[n]` is the identity, so no row needs a test of where it is in its block.
   * Min and max are two copies of one loop: a choice between them per comparison costs a branch per row.
   */
  private mins(values: NumericArray, out: Float64Array): void {
    const n = this.n;
    const ring = this.ring;
    const suffix = this.suffix;
    const minP = this.minPeriods;
    const none = Number.POSITIVE_INFINITY;
    let k = this.inWindow;
    let off = this.seen % n;
    let prefix = this.prefix;
    const last = values.length - 1;
    for (let j = 0; j <= last; j++) {
      const x = values[j]!;
      // The row n rows back leaves the window: its value is in the ring slot this row takes.
      if (!Number.isNaN(ring[off]!)) k--;
      ring[off] = x;
      if (!Number.isNaN(x)) {
        k++;
        // On ties the newer value wins (as a deque keeps it), which tells -0 from 0.
        if (x <= prefix) prefix = x;
      }
      const e = suffix[off + 1]!;
      // biome-ignore lint/complexity/useMathMinMax: the prefix holds the newer rows and wins ties
      out[j] = k < minP || k === 0 ? Number.NaN : prefix <= e ? prefix : e;
      if (++off === n) {
        // The block is complete (the ring holds it in order): its suffix extremes, newest first among equals.
        let m = none;
        for (let p = n - 1; p >= 0; p--) {
          const v = ring[p]!;
          if (v < m) m = v;
          suffix[p] = m;
        }
        off = 0;
        prefix = none;
      }
      // The state is saved inside the loop, at the first row too: V8 enters this loop by on-stack replacement, and
      // a store after it, never run before that, deoptimized it at the end of every frame.
      if (j === 0 || j === last) {
        this.prefix = prefix;
        this.inWindow = k;
        this.seen += j === 0 ? 1 : last;
      }
    }
  }

  /** Max: `mins` with the comparisons turned round. */
  private maxes(values: NumericArray, out: Float64Array): void {
    const n = this.n;
    const ring = this.ring;
    const suffix = this.suffix;
    const minP = this.minPeriods;
    const none = Number.NEGATIVE_INFINITY;
    let k = this.inWindow;
    let off = this.seen % n;
    let prefix = this.prefix;
    const last = values.length - 1;
    for (let j = 0; j <= last; j++) {
      const x = values[j]!;
      if (!Number.isNaN(ring[off]!)) k--;
      ring[off] = x;
      if (!Number.isNaN(x)) {
        k++;
        if (x >= prefix) prefix = x;
      }
      const e = suffix[off + 1]!;
      // biome-ignore lint/complexity/useMathMinMax: the prefix holds the newer rows and wins ties
      out[j] = k < minP || k === 0 ? Number.NaN : prefix >= e ? prefix : e;
      if (++off === n) {
        let m = none;
        for (let p = n - 1; p >= 0; p--) {
          const v = ring[p]!;
          if (v > m) m = v;
          suffix[p] = m;
        }
        off = 0;
        prefix = none;
      }
      if (j === 0 || j === last) {
        this.prefix = prefix;
        this.inWindow = k;
        this.seen += j === 0 ? 1 : last;
      }
    }
  }
}

/**
 * The rolling sums of one frame's rows over `n` rows, given the `hl` rows before it (`hist`), in the order
 * `rollColumn` adds and removes them over [history, frame] (bit for bit): a row is added, then the row n back
 * removed; NaN counts as nothing. Three loops by where the leaving row is: none, the history, the frame.
 */
function rollSums(
  hist: Float64Array,
  hl: number,
  values: NumericArray,
  n: number,
  minP: number,
  kind: number,
  std: boolean,
  out: Float64Array,
): void {
  const len = values.length;
  const moments = kind === MOMENTS;
  let s = 0;
  let q = 0;
  let k = 0;
  for (let h = 0; h < hl; h++) {
    const x = hist[h]!;
    if (!Number.isNaN(x)) {
      s += x;
      if (moments) q += x * x;
      k++;
    }
  }
  const a = Math.min(len, n - hl);
  const b = Math.min(len, n);
  let j = 0;
  for (; j < a; j++) {
    const x = values[j]!;
    if (!Number.isNaN(x)) {
      s += x;
      if (moments) q += x * x;
      k++;
    }
    out[j] = k < minP ? Number.NaN : result(kind, std, s, q, k);
  }
  for (; j < b; j++) {
    const x = values[j]!;
    if (!Number.isNaN(x)) {
      s += x;
      if (moments) q += x * x;
      k++;
    }
    const old = hist[hl + j - n]!;
    if (!Number.isNaN(old)) {
      s -= old;
      if (moments) q -= old * old;
      k--;
    }
    out[j] = k < minP ? Number.NaN : result(kind, std, s, q, k);
  }
  if (kind === MEAN && !moments) {
    // The common case on its own: sum and count in locals, one division per row.
    for (; j < len; j++) {
      const x = values[j]!;
      if (!Number.isNaN(x)) {
        s += x;
        k++;
      }
      const old = values[j - n]!;
      if (!Number.isNaN(old)) {
        s -= old;
        k--;
      }
      out[j] = k < minP ? Number.NaN : s / k;
    }
  }
  for (; j < len; j++) {
    const x = values[j]!;
    if (!Number.isNaN(x)) {
      s += x;
      if (moments) q += x * x;
      k++;
    }
    const old = values[j - n]!;
    if (!Number.isNaN(old)) {
      s -= old;
      if (moments) q -= old * old;
      k--;
    }
    out[j] = k < minP ? Number.NaN : result(kind, std, s, q, k);
  }
}

/** A window's value from its sum, sum of squares and count (k >= minPeriods). */
function result(kind: number, std: boolean, s: number, q: number, k: number): number {
  if (kind === SUM) return s;
  if (kind === MEAN) return s / k;
  if (kind === COUNT) return k;
  const variance = sampleVariance(k, q - (s * s) / k);
  return std ? Math.sqrt(variance) : variance;
}
