// Event-time tumbling and hopping windows computed on frames: window assignment from the time column, keys from a
// dictionary- or number-coded column, built-in aggregations folded into one flat Float64Array of window slots.
// No row object is built: a row's window is found with two comparisons against its key's newest window, and only
// a row that leaves that window takes the slow path (open, late, close).
import { partitionOf } from '../core/checkpointable.ts';
import { addMoment } from '../core/moments.ts';
import type { Metadata } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import type { Frame } from './frame.ts';
import type { NumericArray } from './frame-column.ts';
import { FrameWindowEngine } from './frame-window-engine.ts';
import { foldRun, NEG, POS, W } from './frame-window-keys.ts';
import { RowCursor } from './row-cursor.ts';

/**
 * The node behind `sf.tumblingWindow(...)` / `sf.hoppingWindow(...)`. Same closing, lateness and output rules as
 * the row windows of src/window (watermark = greatest time per key or partition minus grace; a row for a closed
 * window is late and counted); results are emitted after each frame: `final()` the windows it closed, `current()`
 * each window it updated, once. NaN values are skipped (frames hold NaN for missing values).
 *
 * @example
 * const node = sf.tumblingWindow('1s', { key: 'sensor' }).agg({ n: count(), hi: max('v') }).final();
 * node.late; // rows that came for closed windows
 */
export class FrameTimeWindowNode<O = any> extends FrameWindowEngine<O> {
  /** The keyed one-column loop's record per key (see `scanKeyedColumn`). */
  private hot = new Float64Array(0);
  /** The keys whose record that loop loaded in this frame (some may be cold again). */
  private readonly hotKeys: number[] = [];
  /** Where that loop's row count and value blocks are in a window's slots (-1: no row count). */
  private readonly hotBlocks = [-1, -1];

  override update(x: unknown, _who?: Stream<any>, md?: Metadata): Pushed {
    const f = x as Frame;
    const n = f.length;
    if (n === 0) return;
    // Each input partition has its windows (Kafka records' metadata says which); no metadata: the last one.
    if (md !== undefined && md.length > 0) this.usePartition(partitionOf(md));
    const T = f.times(this.c.where);
    const keys = this.keys.codes(f, this.c.key);
    const cols = this.c.blocks.map((b) => (b === null ? null : f.numeric(b)));
    const value = this.c.value === null ? null : f.column(this.c.value);
    const cursor = this.generic && value === null ? new RowCursor(f) : null;
    this.startBatch();
    // The fast path folds built-in aggregations only; hopping windows and generic aggregators take the full path.
    const fast = this.c.step === this.c.duration && !this.generic;
    this.frame = f;
    this.cols = cols;
    this.valueCol = value;
    this.cursor = cursor;
    if (fast && keys !== null) this.scanKeyed(T, keys, cols);
    else if (fast) this.scanRuns(T, cols);
    else for (let i = 0; i < n; i++) this.slowRow(i, keys === null ? 0 : keys[i]!, T[i]!);
    this.frame = null;
    this.valueCol = null;
    this.cursor = null;
    return this.finishBatch(md);
  }

  /** Unkeyed: a row in the newest window starts a run that extends while rows stay in it, folded in one pass. */
  private scanRuns(T: Float64Array, cols: (NumericArray | null)[]): void {
    const n = T.length;
    const first = cols.findIndex((c) => c !== null);
    const col = first < 0 ? null : cols[first]!;
    const single = first >= 0 && !this.c.moments && cols.every((c, j) => c === null || j === first);
    let i = 0;
    while (i < n) {
      const t = T[i]!;
      const lo = this.keys.curStart[0]!;
      const hi = this.keys.curEnd[0]!;
      if (!(t >= lo && t < hi)) {
        this.slowRow(i, 0, t);
        i++;
        continue;
      }
      let j = i;
      let top = t;
      const slot = this.keys.curSlot[0]!;
      if (single) {
        // Window membership and the aggregation in one pass, the state in locals. The run also ends where time
        // goes back (it goes on as a new run): within it times ascend, so its greatest time is its last. No NaN
        // test per row: a NaN makes the sum NaN, and then the run is folded again skipping NaN (frames skip
        // missing values).
        const S = this.slots;
        const b = slot * this.stride + first * W;
        let sum = S[b + 1]!;
        let mn = S[b + 2]!;
        let mx = S[b + 3]!;
        for (; j < n; j++) {
          const u = T[j]!;
          if (!(u >= top && u < hi)) break;
          top = u;
          const x = col![j]!;
          sum += x;
          if (x < mn) mn = x;
          if (x > mx) mx = x;
        }
        if (!Number.isNaN(sum)) {
          S[b] += j - i;
          S[b + 1] = sum;
          S[b + 2] = mn;
          S[b + 3] = mx;
        } else foldRun(S, b, false, [col], i, j);
        for (let c = 0; c < cols.length; c++) if (cols[c] === null) S[slot * this.stride + c * W] += j - i;
      } else {
        for (j = i + 1; j < n; j++) {
          const u = T[j]!;
          if (!(u >= lo && u < hi)) break;
          if (u > top) top = u;
        }
        foldRun(this.slots, slot * this.stride, this.c.moments, cols, i, j);
      }
      if (top > this.keys.maxT[0]!) this.advance(0, top);
      i = j;
    }
  }

  /** Keyed: per row, two comparisons against the key's newest window, then the fold into its slots. */
  private scanKeyed(T: Float64Array, keys: Int32Array, cols: (NumericArray | null)[]): void {
    const n = T.length;
    const { curStart, curEnd, curSlot, maxT, nextClose } = this.keys;
    const stride = this.stride;
    const nb = cols.length;
    const moments = this.c.moments;
    const grace = this.c.grace;
    const partition = this.c.partition;
    let S = this.slots;
    const valueCols = cols.filter((c) => c !== null);
    const nulls = cols.filter((c) => c === null).length;
    const single = valueCols.length === 1 && nulls <= 1 && !moments ? valueCols[0]! : null;
    const valueBlock = cols.indexOf(single) * W;
    const rowBlock = cols.indexOf(null) * W;
    if (single instanceof Float64Array && !partition) {
      this.hotFor(this.keys.values.length);
      this.hotBlocks[0] = rowBlock;
      this.hotBlocks[1] = valueBlock;
      try {
        this.scanKeyedColumn(T, keys, single, rowBlock);
      } finally {
        this.coolAll();
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const t = T[i]!;
      if (k >= 0 && t >= curStart[k]! && t < curEnd[k]!) {
        let b = curSlot[k]! * stride;
        if (single !== null) {
          // One value column (plus row counts): no loop over blocks.
          const x = single[i]!;
          if (rowBlock >= 0) S[b + rowBlock]++;
          b += valueBlock;
          if (!Number.isNaN(x)) {
            S[b]++;
            S[b + 1] += x;
            if (x < S[b + 2]!) S[b + 2] = x;
            if (x > S[b + 3]!) S[b + 3] = x;
          }
          b = -1;
        }
        for (let c = 0; b >= 0 && c < nb; c++, b += W) {
          const col = cols[c]!;
          if (col === null) {
            S[b]++;
            continue;
          }
          const x = col[i]!;
          if (!Number.isNaN(x)) addMoment(S, b, x, moments);
        }
        if (t > maxT[k]!) {
          maxT[k] = t;
          if (t > this.pMax) this.pMax = t;
          if (t - grace >= (partition ? this.pNext : nextClose[k]!)) this.advance(k, t);
        }
        continue;
      }
      if (k < 0) this.skipped++;
      else this.slowRow(i, k, t);
      S = this.slots;
    }
  }

  /**
   * Keyed, one Float64Array column (plus row counts), each key closed by its own watermark: the common case in a
   * loop of its own over a record per key (`hot`: the newest window's bounds, the key's greatest time, the window's
   * row count, count, sum, min and max), as a hand-written loop keeps them: no slot lookup per row. The record is
   * loaded from the window's slots when a row takes the full path, and written back before it and after the frame
   * (`coolAll`), so the sums add in row order as on rows. Its upper bound is the window's end or the next close
   * (plus grace), whichever comes first, so a row the loop folds closes nothing. (No code after the loop: V8 enters
   * it by on-stack replacement, and a store after it that had no type feedback yet deoptimized it at every frame.)
   */
  private scanKeyedColumn(T: Float64Array, keys: Int32Array, V: Float64Array, rowBlock: number): void {
    const n = T.length;
    const H = this.hot;
    // Key numbers are checked against the keys known (a missing key is -1, a bad code may be anything): one
    // unsigned comparison, and the record is never read out of range.
    const nk = this.keys.values.length;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const t = T[i]!;
      const p = k * HOT;
      if (k >>> 0 < nk && t >= H[p]! && t < H[p + 1]!) {
        if (rowBlock >= 0) H[p + 3]++;
        const x = V[i]!;
        if (!Number.isNaN(x)) {
          H[p + 4]++;
          H[p + 5] += x;
          if (x < H[p + 6]!) H[p + 6] = x;
          if (x > H[p + 7]!) H[p + 7] = x;
        }
        if (t > H[p + 2]!) H[p + 2] = t;
        continue;
      }
      if (k < 0) {
        this.skipped++;
        continue;
      }
      // A window opens, closes or takes a late row: the full path on the key's state, then its record again (a
      // bad key number fails there).
      if (k < nk && H[p] !== POS) this.cool(k);
      this.slowRow(i, k, t);
      this.heat(k);
    }
  }

  /** Loads key `k`'s record from its newest window, if this frame made it current (else leaves it cold). */
  private heat(k: number): void {
    const H = this.hot;
    const p = k * HOT;
    const { curStart, curEnd, curSlot, maxT, nextClose } = this.keys;
    if (curEnd[k] === NEG) return;
    if (H[p] === POS) this.hotKeys.push(k);
    const S = this.slots;
    const b = curSlot[k]! * this.stride;
    const rowBlock = this.hotBlocks[0]!;
    const valueBlock = this.hotBlocks[1]!;
    H[p] = curStart[k]!;
    H[p + 1] = Math.min(curEnd[k]!, nextClose[k]! + this.c.grace);
    H[p + 2] = maxT[k]!;
    H[p + 3] = rowBlock >= 0 ? S[b + rowBlock]! : 0;
    const v = b + valueBlock;
    H[p + 4] = S[v]!;
    H[p + 5] = S[v + 1]!;
    H[p + 6] = S[v + 2]!;
    H[p + 7] = S[v + 3]!;
  }

  /** Writes key `k`'s record back into its window's slots and its greatest time, and marks it cold. */
  private cool(k: number): void {
    const H = this.hot;
    const p = k * HOT;
    const S = this.slots;
    const b = this.keys.curSlot[k]! * this.stride;
    const rowBlock = this.hotBlocks[0]!;
    const valueBlock = this.hotBlocks[1]!;
    this.keys.maxT[k] = H[p + 2]!;
    if (rowBlock >= 0) S[b + rowBlock] = H[p + 3]!;
    const v = b + valueBlock;
    S[v] = H[p + 4]!;
    S[v + 1] = H[p + 5]!;
    S[v + 2] = H[p + 6]!;
    S[v + 3] = H[p + 7]!;
    H[p] = POS;
    H[p + 1] = NEG;
  }

  /** After a frame (or an error in it): every record back into its window. */
  private coolAll(): void {
    const H = this.hot;
    const keys = this.hotKeys;
    for (let i = 0; i < keys.length; i++) if (H[keys[i]! * HOT] !== POS) this.cool(keys[i]!);
    keys.length = 0;
  }

  /** The records of the keyed one-column loop, one per key (all cold), grown as keys come. */
  private hotFor(keys: number): Float64Array {
    if (this.hot.length < keys * HOT) {
      const grown = new Float64Array(Math.max(keys, 2 * (this.hot.length / HOT)) * HOT);
      for (let p = 0; p < grown.length; p += HOT) {
        grown[p] = POS;
        grown[p + 1] = NEG;
      }
      this.hot = grown;
    }
    return this.hot;
  }
}

/** The length of a key's record in the keyed one-column loop. */
const HOT = 8;
