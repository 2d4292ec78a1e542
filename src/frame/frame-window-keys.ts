// The per-key state of frame windows (newest window bounds, greatest time, next close, open windows, in typed
// arrays indexed by a dense key number) and the configuration the frame window node runs with.
import { addMoment } from '../core/moments.ts';
import type { Metadata } from '../core/refcount.ts';
import { TwinstreamError } from '../errors.ts';
import type { Aggregator } from '../window/aggregator.ts';
import type { LateInfo } from '../window/event-time-window.ts';
import type { Kernel } from '../window/kernel.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import type { Frame } from './frame.ts';
import type { NumericArray } from './frame-column.ts';

/** How each output field is computed: a kernel on slot block `block`, or a generic aggregator. */
export type FieldPlan = { kernel: Kernel; block: number } | { agg: Aggregator };

/** What the engine needs, resolved at construction by the definition. */
export interface FrameWindowConfig {
  where: string;
  duration: number;
  step: number;
  grace: number;
  partition: boolean;
  current: boolean;
  key: string | null;
  /** The column read by each slot block (null: count rows). */
  blocks: (string | null)[];
  moments: boolean;
  names: string[];
  single: boolean;
  fields: FieldPlan[];
  value: string | null;
  onLate: ((info: LateInfo) => void) | null;
  /** The state namespace (checkpoints). Default: `'window'`. */
  namespace?: string;
}

/** @internal */
export const W = 6;
/** Whole number keys below this are numbered through a table. */
const SMALL_KEYS = 4096; // slots of one kernel block, laid out as src/window/kernel.ts lays them out
/** @internal */
export const NEG = Number.NEGATIVE_INFINITY;
/** @internal */
export const POS = Number.POSITIVE_INFINITY;

/** One open window: its slot in the node's Float64Array of states, the states of generic aggregators, the
 * metadata of the frames it holds, and the batch that last touched it. */
export interface Win {
  start: number;
  end: number;
  slot: number;
  key: number;
  states: unknown[] | null;
  held: Metadata[] | null;
  touched: number;
}

/**
 * Keys to dense numbers, and per key: the newest window's bounds and slot, the greatest time seen, the next close.
 * @example
 * const keys = new WindowKeys();
 * keys.codes(frame, 'sensor'); // Int32Array: one key number per row, -1 for a missing key
 */
export class WindowKeys {
  readonly index = new Map<unknown, number>();
  readonly values: unknown[] = [];
  curStart = new Float64Array(0);
  curEnd = new Float64Array(0);
  curSlot = new Int32Array(0);
  maxT = new Float64Array(0);
  nextClose = new Float64Array(0);
  /** The order keys were first seen in rows (-1: not yet): keys may be numbered earlier, from a dictionary. */
  rank = new Int32Array(0);
  ranked = 0;
  readonly open: Win[][] = [];

  /** The last dictionary found to number the keys as they are, and its length then. */
  private sameDict: readonly string[] | null = null;
  private sameLength = -1;
  /** Scratch for the key numbers of a frame whose key codes need translating (reused from frame to frame). */
  private scratch = new Int32Array(0);

  /**
   * The key number of every row (null without a key column: every row is key 0): -1 for a missing key. Valid until
   * the next call (it may be the column's own codes, or a buffer reused per frame; it may be longer than the frame).
   * A dictionary holding exactly the keys, numbered as they are (every frame after the first, usually), gives its
   * codes as they are; a code with no entry becomes a number no key has, for the caller to report.
   */
  codes(f: Frame, key: string | null): Int32Array | null {
    if (key === null) {
      this.ensure(null);
      return null;
    }
    const col = f.column(key);
    if (col instanceof DictionaryColumn) {
      const dict = col.dictionary;
      // Frames often share one dictionary array: its numbering is looked up once (dictionaries are not changed
      // in place; a new key is a new dictionary).
      if (dict === this.sameDict && dict.length === this.sameLength && this.values.length === dict.length)
        return col.codes;
      let same = dict.length === this.values.length;
      const remap = new Int32Array(dict.length);
      for (let d = 0; d < dict.length; d++) {
        remap[d] = this.ensure(dict[d]);
        if (remap[d] !== d) same = false;
      }
      if (same) {
        this.sameDict = dict;
        this.sameLength = dict.length;
        return col.codes;
      }
      const codes = col.codes;
      const out = this.buffer(codes.length);
      const size = remap.length;
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i]!;
        out[i] = c < 0 ? -1 : c < size ? remap[c]! : 0x7fffffff;
      }
      return out;
    }
    const out = this.buffer(col.length);
    const small = this.small;
    let lastV = Number.NaN;
    let lastK = -1;
    for (let i = 0; i < col.length; i++) {
      const v = col[i]!;
      if (v !== lastV) {
        lastV = v;
        // Small whole numbers (sensor ids) through a table, not a Map lookup per change of key.
        if (v >= 0 && v < small.length && v === Math.floor(v)) {
          lastK = small[v]!;
          if (lastK < 0) lastK = small[v] = this.ensure(v);
        } else lastK = Number.isNaN(v) ? -1 : this.ensure(v);
      }
      out[i] = lastK;
    }
    return out;
  }

  /** The key number of each whole number key below its length (-1: not seen yet). */
  private readonly small = new Int32Array(SMALL_KEYS).fill(-1);

  private buffer(n: number): Int32Array {
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, 2 * this.scratch.length));
    return this.scratch;
  }

  /** The number of key `v`, registering it (and growing the per-key arrays) the first time. */
  ensure(v: unknown): number {
    let k = this.index.get(v);
    if (k !== undefined) return k;
    k = this.values.length;
    this.index.set(v, k);
    this.values.push(v);
    if (k >= this.curStart.length) {
      const cap = Math.max(4, k * 2);
      const grow = <A extends Float64Array | Int32Array>(a: A, fill: number): A => {
        const b = new (a.constructor as new (n: number) => A)(cap);
        b.fill(fill);
        b.set(a);
        return b;
      };
      this.curStart = grow(this.curStart, POS);
      this.curEnd = grow(this.curEnd, NEG);
      this.curSlot = grow(this.curSlot, -1);
      this.maxT = grow(this.maxT, NEG);
      this.nextClose = grow(this.nextClose, POS);
      this.rank = grow(this.rank, -1);
    }
    this.open.push([]);
    return k;
  }
}

/** Folds rows `[from, to)` into the kernel blocks of the window whose slots start at `b`: per column, one pass
 * @internal
 * with the state in locals (NaN skipped); a null column counts rows. */
export function foldRun(
  S: Float64Array,
  b: number,
  moments: boolean,
  cols: readonly (NumericArray | null)[],
  from: number,
  to: number,
): void {
  for (let c = 0; c < cols.length; c++, b += W) {
    const col = cols[c]!;
    if (col === null) {
      S[b] += to - from;
      continue;
    }
    if (moments) {
      foldMoments(S, b, col, from, to);
      continue;
    }
    let k = S[b]!;
    let sum = S[b + 1]!;
    let lo = S[b + 2]!;
    let hi = S[b + 3]!;
    for (let i = from; i < to; i++) {
      const x = col[i]!;
      if (Number.isNaN(x)) continue;
      k++;
      sum += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    S[b] = k;
    S[b + 1] = sum;
    S[b + 2] = lo;
    S[b + 3] = hi;
  }
}

/** @internal Folds rows `[from, to)` of `col` into a kernel block with Welford's update (var, std); NaN is skipped. */
export function foldMoments(S: Float64Array, b: number, col: NumericArray, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const x = col[i]!;
    if (!Number.isNaN(x)) addMoment(S, b, x, true);
  }
}

/** @internal The error for a row whose time is not a finite number (rows before it were folded; none after it). */
export function badTime(where: string, t: number, row: number): TwinstreamError {
  return new TwinstreamError(
    'TS_BAD_TIMESTAMP',
    `${where}: time ${t} at row ${row} is not a usable timestamp (a number of ms within ±8.64e15, the range of a Date); the rows after it were not folded`,
    {
      context: { row, timestamp: t },
    },
  );
}
