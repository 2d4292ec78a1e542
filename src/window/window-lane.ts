// The fast lane of tumbling windows on rows. For the last few keys it caches, in one Float64Array, where the key's
// newest window is, what would close it, and the window's numeric state; code fused into the source loop (see
// `TimeWindowNode.fuse`) folds the common element — a number for a key's newest window, closing nothing — into
// that cache without a call or an object store. Everything else takes the full path, which first writes the
// key's entry back into its window (`evict`) and afterwards caches it again (`install`). `persist` and the end of
// the input write every entry back (`flush`).
import { MOMENT_SLOTS } from '../core/moments.ts';
import type { KeyWindows, OpenWindow } from './window-node.ts';

/** Keys the lane caches; the full path takes the others (an entry is replaced round-robin). */
export const LANE_KEYS = 8;
/** Numbers per entry in `cells`. */
export const LANE_STRIDE = 16;
// Per entry: the newest window's start and end, the close time of the key's oldest open window, the window's
// greatest and smallest timestamp, the kernel's count when cached; then the kernel (src/window/kernel.ts layout).
export const LANE_START = 0;
export const LANE_END = 1;
export const LANE_CLOSE = 2;
export const LANE_MAX_TS = 3;
export const LANE_MIN_TS = 4;
const COUNT_AT_INSTALL = 5;
export const LANE_KERNEL = 8;

/**
 * The cached entries. Entry `e` promises: an element of key `keys[e]` with a numeric value and a finite timestamp
 * `t` in `[start, end)` with `t - grace < close` belongs to the cached window and closes nothing.
 *
 * @example
 * const lane = new WindowLane();
 * lane.evict(kw); // before the full path changes the windows of kw
 * lane.install(kw); // after
 */
export class WindowLane {
  /** Entries in use. */
  size = 0;
  readonly keys: unknown[] = [];
  readonly cells = new Float64Array(LANE_KEYS * LANE_STRIDE);
  private readonly owners: (KeyWindows | null)[] = [];
  private readonly windows: (OpenWindow | null)[] = [];
  private victim = 0;

  constructor() {
    for (let e = 0; e < LANE_KEYS; e++) {
      this.keys.push(undefined);
      this.owners.push(null);
      this.windows.push(null);
    }
  }

  /** Writes the entry of `kw` back into its window and forgets it. */
  evict(kw: KeyWindows): void {
    for (let e = 0; e < this.size; e++) {
      if (this.owners[e] === kw) {
        this.writeBack(e);
        this.remove(e);
        return;
      }
    }
  }

  /** Caches the newest window of `kw`, if the lane can take it. */
  install(kw: KeyWindows): void {
    const ws = kw.windows;
    const w = ws.length > 0 ? ws[ws.length - 1]! : undefined;
    if (w === undefined || w.values !== null || kw.floor !== Number.NEGATIVE_INFINITY) return;
    const k = w.states[0];
    if (w.states.length !== 1 || !(k instanceof Float64Array)) return;
    let e = this.size;
    if (e < LANE_KEYS) this.size++;
    else {
      e = this.victim;
      this.victim = (this.victim + 1) % LANE_KEYS;
      this.writeBack(e);
    }
    this.keys[e] = kw.key;
    this.owners[e] = kw;
    this.windows[e] = w;
    const C = this.cells;
    const b = e * LANE_STRIDE;
    C[b + LANE_START] = w.start;
    C[b + LANE_END] = w.end;
    C[b + LANE_CLOSE] = ws[0]!.closeAt;
    C[b + LANE_MAX_TS] = w.maxTs;
    C[b + LANE_MIN_TS] = w.minTs;
    C[b + COUNT_AT_INSTALL] = k[0]!;
    C.set(k, b + LANE_KERNEL);
  }

  /** Writes every entry back into its window (the entries stay cached). */
  flush(): void {
    for (let e = 0; e < this.size; e++) this.writeBack(e);
  }

  /** Writes every entry back and forgets them all. */
  clear(): void {
    this.flush();
    while (this.size > 0) this.remove(this.size - 1);
  }

  private writeBack(e: number): void {
    const C = this.cells;
    const b = e * LANE_STRIDE;
    const added = C[b + LANE_KERNEL]! - C[b + COUNT_AT_INSTALL]!;
    if (added === 0) return;
    const w = this.windows[e]!;
    const kw = this.owners[e]!;
    (w.states[0] as Float64Array).set(C.subarray(b + LANE_KERNEL, b + LANE_KERNEL + MOMENT_SLOTS));
    w.n += added;
    w.maxTs = C[b + LANE_MAX_TS]!;
    w.minTs = C[b + LANE_MIN_TS]!;
    C[b + COUNT_AT_INSTALL] = C[b + LANE_KERNEL]!;
    kw.dirty = true;
    if (w.maxTs > kw.maxTs) kw.maxTs = w.maxTs;
    const p = kw.partition;
    if (kw.maxTs > p.maxTs) p.maxTs = kw.maxTs;
  }

  private remove(e: number): void {
    const last = --this.size;
    if (e !== last) {
      this.keys[e] = this.keys[last];
      this.owners[e] = this.owners[last]!;
      this.windows[e] = this.windows[last]!;
      this.cells.copyWithin(e * LANE_STRIDE, last * LANE_STRIDE, (last + 1) * LANE_STRIDE);
    }
    this.keys[last] = undefined;
    this.owners[last] = null;
    this.windows[last] = null;
  }
}
