// Rows meet frames: `stream.toFrames({ size | interval })` batches row objects into frames, `frames.rows()` turns
// frames back into rows.
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../core/checkpointable.ts';
import { both, type Held, hold, releaseAll } from '../core/held.ts';
import { IdleSignal } from '../core/idle.ts';
import { InFlight } from '../core/in-flight.ts';
import { fieldReader } from '../core/key.ts';
import { concatMetadata, type Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import type { Timer } from '../time/clock.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { MAX_TIMESTAMP, toTimestamp } from '../window/timestamp.ts';
import { Frame } from './frame.ts';
import { FrameNode } from './frame-node.ts';
import type { FromRowsOptions } from './row-columns.ts';
import { StreamingFrame } from './streaming-frame.ts';

/** Options of `toFrames`: when a frame is cut (`size` rows, every `interval` on the graph's clock, or both), and
 * how rows become columns (`time`, `key`, `columns`, as `Frame.fromRows`). */
export interface ToFramesOptions<T = any> extends FromRowsOptions<T> {
  size?: number;
  interval?: Duration;
  /** The state namespace when an application checkpoints the rows waiting for a frame. Default: `'toFrames'`. */
  namespace?: string;
}

/** The rows of one input partition waiting for a frame, and what of them the last checkpoint wrote. */
interface Pending {
  rows: Held<unknown>[];
  /** Rows (from the first) whose store entries are up to date. */
  written: number;
  /** Entries the store holds (`r0`, `r1`, ...). */
  stored: number;
}

/**
 * Collects rows and emits them as frames. Buffered rows are held with their metadata, and the frame is emitted
 * with the metadata of all its rows (so a source commits an offset only after the frame holding its row is done).
 * A row whose time is missing or unusable goes to the node's error branch with the reason, and is not buffered.
 * The buffer is bounded by `size`; with only `interval`, by what arrives within one interval. Rows from Kafka carry
 * their partition: each partition fills its own frames, and its waiting rows are {@link Checkpointable} (rows must
 * be JSON-serializable): one store entry per row, so a checkpoint writes only the rows that came since the last.
 */
export class ToFramesNode extends Stream<Frame> implements Checkpointable {
  /** Rows waiting for a frame to fill (`KeepsInput`); with an interval only, the commit waits for its timer. */
  get keepsInput(): string | undefined {
    return this.interval > 0 ? undefined : 'rows until a frame is full';
  }

  override kind = 'toFrames';
  readonly namespace: string;
  readonly size: number;
  readonly interval: number;
  private readonly options: FromRowsOptions;
  private readonly readTime: ((x: unknown) => unknown) | null;
  private readonly parts = new Map<number, Pending>();
  private last: Pending | null = null;
  private lastId = -1;
  private timer: Timer | null = null;
  private readonly idleSignal = new IdleSignal();
  // What the interval timer flushed that is still settling downstream: nobody upstream waits for it.
  private readonly inFlight = new InFlight();

  constructor(upstream: Stream<unknown>, options: ToFramesOptions) {
    const o = options ?? {};
    if (o.size === undefined && o.interval === undefined) {
      badArgument('toFrames', 'options', o, '{ size } (rows per frame), { interval } (a duration), or both');
    }
    if (o.size !== undefined && !(Number.isInteger(o.size) && o.size >= 1)) {
      badArgument('toFrames', 'size', o.size, 'an integer >= 1');
    }
    const interval = o.interval === undefined ? 0 : toMillis(o.interval, 'toFrames: interval');
    const namespace = namespaceOption('toFrames', o.namespace, 'toFrames');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.size = o.size ?? Number.POSITIVE_INFINITY;
    this.interval = interval;
    const time = o.timestamp ?? o.time;
    this.options = { timestamp: time, key: o.key, columns: o.columns };
    this.readTime = time === undefined ? null : fieldReader(time);
    upstream.connect(this);
  }

  private part(id: number): Pending {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.parts.get(id);
    if (p === undefined) this.parts.set(id, (p = { rows: [], written: 0, stored: 0 }));
    this.last = p;
    this.lastId = id;
    return p;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.readTime !== null) {
      const t = this.readTime(x);
      if (!(typeof t === 'number' && t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP))
        toTimestamp(t, `toFrames: field "${this.options.timestamp}"`);
    }
    // No metadata: the partition of the last row that had some (0 before any).
    const p = this.part(
      metadata !== undefined && metadata.length > 0 ? partitionOf(metadata) : Math.max(0, this.lastId),
    );
    p.rows.push(hold(x, metadata));
    if (p.rows.length >= this.size) return this.cut(p);
    this.arm();
  }

  private arm(): void {
    if (this.interval > 0 && this.timer === null) {
      this.timer = this.clock.setTimer(this.interval, () => {
        this.timer = null;
        void this.inFlight.track(this.flush());
        this.idleSignal.idle();
      });
    }
  }

  /** Emits the buffered rows as frames now, one per input partition by number (nothing when the buffer is empty). */
  flush(): Pushed {
    let r: Pushed = undefined;
    for (const id of [...this.parts.keys()].sort((a, b) => a - b)) r = both(r, this.cut(this.parts.get(id)!));
    return r;
  }

  /** Emits one partition's rows as a frame. */
  private cut(p: Pending): Pushed {
    const held = p.rows;
    if (held.length === 0) return;
    p.rows = [];
    p.written = 0;
    const frame = Frame.fromRows(
      held.map((h) => h.x),
      this.options,
    );
    try {
      return this.pass(frame, concatMetadata(held.map((h) => h.md)));
    } finally {
      releaseAll(held);
    }
  }

  /** {@link Checkpointable}: the rows that came since the last call, and deletes the entries of rows emitted. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, p] of this.parts) {
      const n = p.rows.length;
      for (let i = p.written; i < n; i++) {
        const h = p.rows[i]!;
        writer.set(this.namespace, id, `r${i}`, { x: h.x, from: metadataOrigin(h.md) });
      }
      for (let i = n; i < p.stored; i++) writer.delete(this.namespace, id, `r${i}`);
      p.written = n;
      p.stored = n;
    }
  }

  /** {@link Checkpointable}: takes back the rows of `partition` waiting for a frame (without counters: covered). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    const rows: [number, { x: unknown; from: { partition: number; key: string | null } }][] = [];
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k.startsWith('r')) rows.push([Number(k.slice(1)), v as never]);
    }
    if (rows.length === 0) return;
    rows.sort((a, b) => a[0] - b[0]);
    const p = this.part(partition);
    for (const [, e] of rows) p.rows.push(hold(e.x, restoredMetadata(e.from)));
    p.written = p.rows.length;
    p.stored = p.rows.length;
    this.arm();
  }

  /** {@link Checkpointable}: forgets the rows of `partition` (its new owner reads them again or restores them). */
  dropPartition(partition: number): void {
    const p = this.parts.get(partition);
    if (p === undefined) return;
    releaseAll(p.rows);
    this.parts.delete(partition);
    this.last = null;
    this.lastId = -1;
  }

  /**
   * Busy while rows wait for the interval's timer: up to `interval`. Rows that wait only for `size` more rows
   * leave it idle, as waiting would not help.
   */
  override whenIdle(): Promise<void> | null {
    let waiting = false;
    for (const p of this.parts.values()) if (p.rows.length > 0) waiting = true;
    return this.timer !== null && waiting ? this.idleSignal.wait() : this.inFlight.wait();
  }

  protected override flushOnEnd(): Pushed {
    this.timer?.cancel();
    this.timer = null;
    return this.flush();
  }

  override stop(): void {
    this.timer?.cancel();
    this.timer = null;
    super.stop();
  }
}

function emitRows(frame: Frame, from: number, md: Metadata | undefined, out: Stream<Record<string, unknown>>): Pushed {
  for (let i = from; i < frame.length; i++) {
    const r = out.emit(frame.row(i), md);
    if (r !== undefined) return r.then(() => emitRows(frame, i + 1, md, out));
  }
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Batches rows into frames of `size` rows and/or every `interval`.
     * @example readings.toFrames({ size: 10_000, time: 'ts', key: 'sensor' }).col('value').mean()
     */
    toFrames(options: ToFramesOptions<T>): StreamingFrame;
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Every row of every frame as an object, in order, with its frame's metadata (back pressure honoured row by row).
     * @example sf.rows().sink(console.log)
     */
    rows(): Stream<Record<string, unknown>>;
  }
}

Stream.register('toFrames', function toFrames(this: Stream<any>, options: ToFramesOptions) {
  return new StreamingFrame(new ToFramesNode(this, options));
});

StreamingFrame.prototype.rows = function rows(this: StreamingFrame) {
  return new FrameNode<Frame, Record<string, unknown>>(this.stream, 'rows', {
    next: (f, md, out) => emitRows(f, 0, md, out),
  });
};
