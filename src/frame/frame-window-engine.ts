// The engine of event-time tumbling and hopping windows on frames: the open windows (their kernel blocks in one
// flat Float64Array of slots, reused when windows close), the row-at-a-time path (window assignment, lateness,
// generic aggregators), closing by watermark per key or partition, and the outputs. The vectorised scans over a
// frame's columns are in frame-time-window.ts.
import type { Checkpointable, CheckpointReader, CheckpointWriter } from '../core/checkpointable.ts';
import { both } from '../core/held.ts';
import { fromJsonNumber, fromJsonNumbers, toJsonNumber, toJsonNumbers } from '../core/json-numbers.ts';
import { concatMetadata, type Metadata, releaseRefs, retainRefs } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { TwinstreamError } from '../errors.ts';
import { kernelReset, kernelResult } from '../window/kernel.ts';
import { type OutputRecord, outputRecord } from '../window/output-record.ts';
import { MAX_TIMESTAMP } from '../window/timestamp.ts';
import { PARTITION_ENTRY, storeKey } from '../window/window-store.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import type { Frame } from './frame.ts';
import type { NumericArray } from './frame-column.ts';
import { badTime, type FrameWindowConfig, foldRun, NEG, POS, W, type Win, WindowKeys } from './frame-window-keys.ts';
import { moveCursor, type RowCursor } from './row-cursor.ts';

/**
 * What the engine keeps for one input partition (the Kafka partition its frames came from; 0 outside Kafka). The
 * current partition's fields live on the node itself (the hot loops read them there) and are written back here when
 * frames of another partition come.
 */
interface FramePartition {
  keys: WindowKeys;
  slots: Float64Array<ArrayBuffer>;
  free: number[];
  nextSlot: number;
  pMax: number;
  pNext: number;
  /** Key numbers whose windows or clock changed since the last checkpoint (marked once per window per frame, never
   * per row: the frame's touched windows say which keys it changed). */
  readonly dirty: Set<number>;
}

function emptyPartition(): FramePartition {
  return {
    keys: new WindowKeys(),
    slots: new Float64Array(0),
    free: [],
    nextSlot: 0,
    pMax: NEG,
    pNext: POS,
    dirty: new Set(),
  };
}

/** One key's entry in a checkpoint: its clock and open windows (their kernel slots as JSON numbers). */
interface KeyEntry {
  key: unknown;
  rank: number;
  maxT: number | string;
  windows: { start: number; end: number; slots: (number | string)[]; states: unknown[] | null }[];
}

/**
 * The state and row path of frame windows, shared by the vectorised node ({@link FrameTimeWindowNode}): same
 * closing, lateness and output rules as the row windows of src/window. {@link Checkpointable}: its state is kept per
 * input partition, and a checkpoint writes the keys whose windows changed since the last one.
 *
 * @example
 * const node: FrameWindowEngine = sf.tumblingWindow('1s').count().final();
 * node.late; // rows that came for closed windows
 */
export abstract class FrameWindowEngine<O = any> extends Stream<O> implements Checkpointable {
  /** What it keeps between elements (`KeepsInput`): open windows, checkpointed. */
  readonly keepsInput: string = 'open windows';
  readonly namespace: string;
  override kind: string;
  late = 0;
  skipped = 0;
  protected readonly c: FrameWindowConfig;
  protected readonly stride: number;
  /** Some aggregation is a generic aggregator (called per row); else every one is a vectorised kernel. */
  protected readonly generic: boolean;
  private readonly record: OutputRecord;
  /** Scratch for the results of one window (handed to `record`). */
  private readonly values: unknown[];
  protected slots = new Float64Array(0);
  private free: number[] = [];
  private nextSlot = 0;
  protected keys = new WindowKeys();
  protected pMax = NEG;
  protected pNext = POS;
  /** The partition whose state the fields above hold; the others wait in `parked`. */
  private part: FramePartition;
  private partId = 0;
  private readonly parked = new Map<number, FramePartition>();
  private closed: Win[] = [];
  private touched: Win[] = [];
  protected batch = 0;
  /** The keys whose newest window this frame made current (see `startBatch`). */
  private current: number[] = [];
  // The frame being folded, for the row path.
  protected frame: Frame | null = null;
  protected cols: (NumericArray | null)[] = [];
  protected valueCol: ReturnType<Frame['column']> | null = null;
  protected cursor: RowCursor | null = null;

  constructor(upstream: Stream<Frame>, config: FrameWindowConfig) {
    super({ clock: upstream.clock });
    this.kind = config.where;
    this.namespace = config.namespace ?? 'window';
    this.c = config;
    this.part = emptyPartition();
    this.load(this.part);
    this.stride = config.blocks.length * W;
    this.generic = config.fields.some((p) => 'agg' in p);
    this.record = outputRecord(config.single ? ['value'] : config.names);
    this.values = config.fields.map(() => undefined);
    upstream.connect(this);
  }

  /** Makes partition `id` the current one (a frame of it came): one comparison per frame when it already is. */
  protected usePartition(id: number): void {
    if (id === this.partId) return;
    this.uncurrent();
    this.save();
    this.parked.set(this.partId, this.part);
    let next = this.parked.get(id);
    if (next === undefined) next = emptyPartition();
    else this.parked.delete(id);
    this.partId = id;
    this.part = next;
    this.load(next);
  }

  /** Writes the current partition's fields back into its record. */
  private save(): void {
    const p = this.part;
    p.keys = this.keys;
    p.slots = this.slots;
    p.free = this.free;
    p.nextSlot = this.nextSlot;
    p.pMax = this.pMax;
    p.pNext = this.pNext;
  }

  private load(p: FramePartition): void {
    this.keys = p.keys;
    this.slots = p.slots;
    this.free = p.free;
    this.nextSlot = p.nextSlot;
    this.pMax = p.pMax;
    this.pNext = p.pNext;
  }

  /** Resets the newest-window bounds the last frame set (see `startBatch`). */
  private uncurrent(): void {
    const curEnd = this.keys.curEnd;
    const current = this.current;
    for (let i = 0; i < current.length; i++) curEnd[current[i]!] = NEG;
    current.length = 0;
  }

  /**
   * A new frame: no key's newest window is trusted until the frame touches it (so that the window holds the
   * frame's metadata). Only the keys the last frame made current are reset: a frame costs nothing per idle key.
   */
  protected startBatch(): void {
    this.batch++;
    this.uncurrent();
  }

  /** A row outside its key's newest window (or any row of a hopping window): late, or into its windows. */
  protected slowRow(i: number, k: number, t: number): void {
    if (k < 0) {
      this.skipped++;
      return;
    }
    if (!(k < this.keys.values.length)) throw badKey(this.c.key, this.frame!, i);
    // A key's first row always comes here (it has no window yet): windows of one start close in this order.
    if (this.keys.rank[k]! < 0) this.keys.rank[k] = this.keys.ranked++;
    if (!(t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP)) throw badTime(this.c.where, t, i);
    const { duration, step } = this.c;
    // Counted, not stepped (see TimeWindowNode.place): each start is its index times the step.
    let first = Math.floor((t - duration) / step) + 1;
    const last = Math.floor(t / step);
    if (first < 0 && last >= 0) first = 0;
    const count = Math.min(last - first + 1, Math.ceil(duration / step));
    const wm = this.watermark(k);
    let reported = false;
    let previous = Number.NaN;
    for (let n = 0; n < count; n++) {
      const start = (first + n) * step;
      if (start === previous) continue;
      previous = start;
      const end = start + duration;
      if (end <= wm) {
        if (!reported) {
          this.late++;
          this.part.dirty.add(k);
        }
        reported = true;
        this.c.onLate?.({
          element: this.frame!.row(i),
          key: this.keys.values[k],
          timestamp: t,
          start,
          end,
          lateBy: wm - t,
        });
        continue;
      }
      const w = this.windowAt(k, start, end);
      foldRun(this.slots, w.slot * this.stride, this.c.moments, this.cols, i, i + 1);
      if (w.states !== null) this.foldGeneric(w, this.valueCol, this.cursor, i, t);
    }
    if (t > this.keys.maxT[k]!) this.advance(k, t);
  }

  private foldGeneric(
    w: Win,
    value: ReturnType<Frame['column']> | null,
    cursor: RowCursor | null,
    i: number,
    t: number,
  ): void {
    let v: unknown;
    if (value !== null) v = value instanceof DictionaryColumn ? value.get(i) : value[i];
    else {
      moveCursor(cursor!, i);
      v = cursor;
    }
    const fields = this.c.fields;
    for (let j = 0; j < fields.length; j++) {
      const p = fields[j]!;
      if ('agg' in p) w.states![j] = p.agg.add(w.states![j], v, t);
    }
  }

  private watermark(k: number): number {
    return (this.c.partition ? this.pMax : this.keys.maxT[k]!) - this.c.grace;
  }

  private windowAt(k: number, start: number, end: number): Win {
    const ws = this.keys.open[k]!;
    let i = ws.length;
    while (i > 0 && ws[i - 1]!.start > start) i--;
    let w = i > 0 && ws[i - 1]!.start === start ? ws[i - 1]! : undefined;
    if (w === undefined) {
      w = this.openWindow(k, start, end);
      // Splicing allocates the removed (empty) array: push when appending, the common case.
      if (i === ws.length) ws.push(w);
      else ws.splice(i, 0, w);
      if (end < this.keys.nextClose[k]!) this.keys.nextClose[k] = end;
      if (end < this.pNext) this.pNext = end;
    }
    if (w.touched !== this.batch) {
      w.touched = this.batch;
      this.touched.push(w);
    }
    if (w === ws[ws.length - 1]) {
      this.keys.curStart[k] = start;
      if (this.keys.curEnd[k] === NEG) this.current.push(k);
      this.keys.curEnd[k] = end;
      this.keys.curSlot[k] = w.slot;
    }
    return w;
  }

  private openWindow(k: number, start: number, end: number): Win {
    const slot = this.free.pop() ?? this.nextSlot++;
    if ((slot + 1) * this.stride > this.slots.length) {
      const grown = new Float64Array(Math.max(64, this.slots.length * 2, (slot + 1) * this.stride));
      grown.set(this.slots);
      this.slots = grown;
    }
    for (let b = 0; b < this.c.blocks.length; b++) kernelReset(this.slots, slot * this.stride + b * W);
    const generic = this.generic;
    const w: Win = {
      start,
      end,
      slot,
      key: k,
      states: generic ? this.c.fields.map((p) => ('agg' in p ? p.agg.init() : null)) : null,
      held: null,
      touched: 0,
    };
    return w;
  }

  protected advance(k: number, t: number): void {
    this.keys.maxT[k] = t;
    if (t > this.pMax) this.pMax = t;
    const wm = this.watermark(k);
    if (this.c.partition) {
      if (wm >= this.pNext) this.closePartition(wm);
    } else if (wm >= this.keys.nextClose[k]!) this.closeKey(k, wm, this.closed);
  }

  private closeKey(k: number, wm: number, into: Win[]): void {
    const ws = this.keys.open[k]!;
    let i = 0;
    while (i < ws.length && ws[i]!.end <= wm) into.push(ws[i++]!);
    if (i === 0) return;
    if (i === 1) ws.shift();
    else ws.splice(0, i);
    this.keys.nextClose[k] = ws.length > 0 ? ws[0]!.end : POS;
    if (ws.length === 0 || ws[ws.length - 1]!.slot !== this.keys.curSlot[k]) {
      this.keys.curEnd[k] = NEG;
      this.keys.curStart[k] = POS;
    }
  }

  private closePartition(wm: number): void {
    const due: Win[] = [];
    for (let k = 0; k < this.keys.open.length; k++) this.closeKey(k, wm, due);
    const rank = this.keys.rank;
    due.sort((a, b) => a.start - b.start || rank[a.key]! - rank[b.key]!);
    for (const w of due) this.closed.push(w);
    let next = POS;
    for (let k = 0; k < this.keys.open.length; k++) if (this.keys.nextClose[k]! < next) next = this.keys.nextClose[k]!;
    this.pNext = next;
  }

  protected finishBatch(md: Metadata | undefined): Pushed {
    const touched = this.touched;
    this.touched = [];
    if (md !== undefined && md.length > 0) {
      for (const w of touched) {
        retainRefs(md);
        (w.held ??= []).push(md);
      }
    }
    const dirty = this.part.dirty;
    for (let i = 0; i < touched.length; i++) dirty.add(touched[i]!.key);
    let r: Pushed = undefined;
    if (this.c.current) for (const w of touched) r = both(r, this.pass(this.output(w), md));
    return both(r, this.emitClosed());
  }

  private emitClosed(): Pushed {
    const closed = this.closed;
    this.closed = [];
    let r: Pushed = undefined;
    const dirty = this.part.dirty;
    for (const w of closed) {
      dirty.add(w.key);
      const held = w.held;
      w.held = null;
      if (!this.c.current) {
        const out = this.output(w);
        r = both(r, held === null ? this.pass(out) : this.pass(out, concatMetadata(held)));
      }
      if (held !== null) for (const h of held) releaseRefs(h);
      this.free.push(w.slot);
    }
    return r;
  }

  private output(w: Win): O {
    const fields = this.c.fields;
    const v = this.values;
    for (let j = 0; j < fields.length; j++) {
      const p = fields[j]!;
      v[j] =
        'agg' in p
          ? p.agg.result(w.states![j])
          : kernelResult(this.slots, p.kernel, w.slot * this.stride + p.block * W);
    }
    return this.record(this.keys.values[w.key], w.start, w.end, v);
  }

  /** Every open window closes when the input ends, oldest first (partition after partition, by number). */
  protected override flushOnEnd(): Pushed {
    let r: Pushed = undefined;
    for (const id of [this.partId, ...this.parked.keys()].sort((a, b) => a - b)) {
      this.usePartition(id);
      for (let k = 0; k < this.keys.open.length; k++) {
        this.closed.push(...this.keys.open[k]!);
        this.keys.open[k] = [];
        this.keys.nextClose[k] = POS;
        this.keys.curEnd[k] = NEG;
      }
      this.pNext = POS;
      const rank = this.keys.rank;
      this.closed.sort((a, b) => a.start - b.start || rank[a.key]! - rank[b.key]!);
      r = both(r, this.emitClosed());
    }
    return r;
  }

  /**
   * {@link Checkpointable}: writes, per partition, the keys whose windows or clock changed since the last call (one
   * entry per key: its greatest time, rank and open windows with their kernel slots) and the partition's clock.
   */
  checkpoint(writer: CheckpointWriter): void {
    this.save();
    for (const [id, p] of [[this.partId, this.part] as const, ...this.parked]) {
      if (p.dirty.size === 0) continue;
      const { keys, slots } = p;
      for (const k of p.dirty) {
        const entry: KeyEntry = {
          key: keys.values[k],
          rank: keys.rank[k]!,
          maxT: toJsonNumber(keys.maxT[k]!),
          windows: keys.open[k]!.map((w) => ({
            start: w.start,
            end: w.end,
            slots: toJsonNumbers(slots.subarray(w.slot * this.stride, (w.slot + 1) * this.stride)),
            states: w.states === null ? null : structuredClone(w.states),
          })),
        };
        writer.set(this.namespace, id, storeKey(keys.values[k]), entry);
      }
      p.dirty.clear();
      writer.set(this.namespace, id, PARTITION_ENTRY, { pMax: toJsonNumber(p.pMax), ranked: keys.ranked });
    }
  }

  /** {@link Checkpointable}: replaces what the node holds for `partition` with the windows `reader` has for it. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    this.usePartition(partition);
    const keys = this.keys;
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k === PARTITION_ENTRY) {
        const e = v as { pMax: number | string; ranked: number };
        this.pMax = fromJsonNumber(e.pMax);
        keys.ranked = e.ranked;
        continue;
      }
      const e = v as KeyEntry;
      const key = keys.ensure(e.key);
      keys.rank[key] = e.rank;
      keys.maxT[key] = fromJsonNumber(e.maxT);
      const ws = keys.open[key]!;
      for (const saved of e.windows) {
        const w = this.openWindow(key, saved.start, saved.end);
        this.slots.set(fromJsonNumbers(saved.slots).subarray(0, this.stride), w.slot * this.stride);
        if (saved.states !== null && w.states !== null) w.states = structuredClone(saved.states);
        // Its rows' offsets are covered by the checkpoint: it holds only where they came from (for later nodes).
        w.held = [[{ partition }]];
        ws.push(w);
      }
      keys.nextClose[key] = ws.length > 0 ? ws[0]!.end : POS;
    }
    let next = POS;
    for (let k = 0; k < keys.open.length; k++) if (keys.nextClose[k]! < next) next = keys.nextClose[k]!;
    this.pNext = next;
    this.part.dirty.clear();
  }

  /** {@link Checkpointable}: forgets the windows of `partition`, letting go of the elements they hold. */
  dropPartition(partition: number): void {
    const p = partition === this.partId ? this.part : this.parked.get(partition);
    if (p === undefined) return;
    if (p === this.part) this.uncurrent();
    for (const ws of (p === this.part ? this.keys : p.keys).open) {
      for (const w of ws) if (w.held !== null) for (const h of w.held) releaseRefs(h);
    }
    if (p === this.part) {
      this.part = emptyPartition();
      this.load(this.part);
    } else this.parked.delete(partition);
  }
}

/** The error for a dictionary code with no entry in its dictionary. */
function badKey(key: string | null, f: Frame, row: number): TwinstreamError {
  const col = key === null ? null : f.column(key);
  const size = col instanceof DictionaryColumn ? col.dictionary.length : 0;
  const code = col instanceof DictionaryColumn ? col.codes[row] : Number.NaN;
  return new TwinstreamError(
    'TS_FRAME_BAD_VALUE',
    `key column "${key}": code ${code} at row ${row} has no dictionary entry; expected -1 (missing) or 0 to ${size - 1}`,
    { context: { row, code } },
  );
}
