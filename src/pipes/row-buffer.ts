import type { Block } from './block.ts';
import type { DataArray, Layout } from './layout.ts';

/**
 * A pipe's rows between writer and reader. Writes copy each block once (into the free tail, or, when the tail is
 * short, into a pending copy); `view` hands the reader subarrays of the storage (no copy); `consume` moves an index
 * (Joule rolls its whole buffer there). Stored rows never move while the reader may hold views of them: the
 * unconsumed rows are compacted to the front only inside `view`, the reader's own call.
 * Interval breaks are absolute row numbers, out of band: no marker row can be mistaken for data.
 */
export class RowBuffer {
  readonly #layout: Layout;
  #ts: Float64Array;
  #data: DataArray;
  /** Absolute row number of storage index 0. */
  #base = 0;
  #start = 0;
  #end = 0;
  /** Storage end of what the last view returned. */
  #visible = 0;
  readonly #pending: Block[] = [];
  #pendingRows = 0;
  /** Absolute row numbers after which an interval ends, ascending. */
  readonly #breaks: number[] = [];
  /** The break last reported to the reader, so it is reported once. */
  #reported = -1;

  constructor(layout: Layout) {
    this.#layout = layout;
    this.#ts = new Float64Array(0);
    this.#data = new layout.DataArray(0);
  }

  /** Rows written and not yet consumed. */
  get unconsumed(): number {
    return this.#end - this.#start + this.#pendingRows;
  }

  /**
   * Something the reader has not been shown: rows, or a break not yet reported. Rows behind a reported break are not
   * news until the reader has consumed up to that break (so a reader loop waiting for news does not spin on it).
   */
  hasNews(): boolean {
    const brk = this.#breaks[0];
    if (brk !== undefined && brk === this.#base + this.#visible) {
      if (this.#reported !== brk) return true;
      if (this.#start < this.#visible) return false;
    }
    return this.#pendingRows > 0 || this.#end > this.#visible;
  }

  append(block: Block): void {
    const n = block.timestamps.length;
    if (n === 0) return;
    const w = this.#layout.width;
    if (this.#pending.length === 0) {
      if (this.#start === this.#end) {
        // Nothing unconsumed: the reader let go of every view, so the storage can be reused from its start.
        this.#base += this.#end;
        this.#start = this.#end = this.#visible = 0;
        if (this.#ts.length < n) this.#allocate(n);
      }
      if (this.#ts.length - this.#end >= n) {
        this.#ts.set(block.timestamps, this.#end);
        (this.#data as Float64Array).set(block.data as Float64Array, this.#end * w);
        this.#end += n;
        return;
      }
    }
    this.#pending.push({ timestamps: block.timestamps.slice(), data: block.data.slice() as DataArray });
    this.#pendingRows += n;
  }

  closeInterval(): void {
    const at = this.#base + this.#end + this.#pendingRows;
    if (this.#breaks.at(-1) !== at) this.#breaks.push(at);
  }

  /**
   * Rows from the first unconsumed one up to the next break. `pull` false keeps the rows of the last view (Joule's
   * reread). Returns the block and whether it ends an interval.
   */
  view(pull: boolean): { block: Block; endOfInterval: boolean } {
    if (pull && this.#pendingRows > 0) this.#merge();
    const startAbs = this.#base + this.#start;
    // A break already reported and consumed up to is behind the reader: drop it.
    while (
      this.#breaks.length > 0 &&
      this.#breaks[0]! <= startAbs &&
      !(this.#breaks[0] === startAbs && this.#reported !== startAbs)
    ) {
      this.#breaks.shift();
    }
    let end = pull ? this.#end : this.#visible;
    let endOfInterval = false;
    const brk = this.#breaks[0];
    if (brk !== undefined && brk <= this.#base + end) {
      end = brk - this.#base;
      endOfInterval = true;
      this.#reported = brk;
    }
    this.#visible = end;
    const w = this.#layout.width;
    return {
      block: {
        timestamps: this.#ts.subarray(this.#start, end),
        data: this.#data.subarray(this.#start * w, end * w) as DataArray,
      },
      endOfInterval,
    };
  }

  /** Drops the first `n` rows of the last view (at most what it showed). */
  consume(n: number): number {
    const k = Math.min(n, this.#visible - this.#start);
    this.#start += k;
    return k;
  }

  /** How many rows of the last view, from the first, have a timestamp up to `t` (binary search). */
  countThrough(t: number): number {
    let lo = this.#start;
    let hi = this.#visible;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.#start;
  }

  #allocate(rows: number): void {
    const cap = Math.max(rows, 1024);
    this.#ts = new Float64Array(cap);
    this.#data = new this.#layout.DataArray(cap * this.#layout.width);
  }

  #merge(): void {
    const w = this.#layout.width;
    const kept = this.#end - this.#start;
    const need = kept + this.#pendingRows;
    let ts = this.#ts;
    let data = this.#data;
    if (ts.length < need) {
      ts = new Float64Array(Math.max(need, ts.length * 2));
      data = new this.#layout.DataArray(ts.length * w);
    }
    if (ts === this.#ts) ts.copyWithin(0, this.#start, this.#end);
    else ts.set(this.#ts.subarray(this.#start, this.#end));
    if (data === this.#data) data.copyWithin(0, this.#start * w, this.#end * w);
    else (data as Float64Array).set(this.#data.subarray(this.#start * w, this.#end * w) as Float64Array);
    let at = kept;
    for (const b of this.#pending) {
      ts.set(b.timestamps, at);
      (data as Float64Array).set(b.data as Float64Array, at * w);
      at += b.timestamps.length;
    }
    this.#base += this.#start;
    this.#ts = ts;
    this.#data = data;
    this.#visible -= this.#start;
    this.#start = 0;
    this.#end = at;
    this.#pending.length = 0;
    this.#pendingRows = 0;
  }
}
