// Rows meet frames: `stream.toFrames({ size | interval })` batches row objects into frames, `frames.rows()` turns
// frames back into rows.
import { type Held, hold, releaseAll } from '../core/held.ts';
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
}

/**
 * Collects rows and emits them as frames. Buffered rows are held with their metadata, and the frame is emitted
 * with the metadata of all its rows (so a source commits an offset only after the frame holding its row is done).
 * A row whose time is missing or unusable goes to the node's error branch with the reason, and is not buffered.
 * The buffer is bounded by `size`; with only `interval`, by what arrives within one interval.
 */
export class ToFramesNode extends Stream<Frame> {
  /** Rows waiting for a frame to fill (`KeepsInput`); with an interval only, the commit waits for its timer. */
  get keepsInput(): string | undefined {
    return this.interval > 0 ? undefined : 'rows until a frame is full';
  }

  override kind = 'toFrames';
  readonly size: number;
  readonly interval: number;
  private readonly options: FromRowsOptions;
  private readonly readTime: ((x: unknown) => unknown) | null;
  private pending: Held<unknown>[] = [];
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
    super({ clock: upstream.clock });
    this.size = o.size ?? Number.POSITIVE_INFINITY;
    this.interval = interval;
    const time = o.timestamp ?? o.time;
    this.options = { timestamp: time, key: o.key, columns: o.columns };
    this.readTime = time === undefined ? null : fieldReader(time);
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.readTime !== null) {
      const t = this.readTime(x);
      if (!(typeof t === 'number' && t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP))
        toTimestamp(t, `toFrames: field "${this.options.timestamp}"`);
    }
    this.pending.push(hold(x, metadata));
    if (this.pending.length >= this.size) return this.flush();
    if (this.interval > 0 && this.timer === null) {
      this.timer = this.clock.setTimer(this.interval, () => {
        this.timer = null;
        void this.inFlight.track(this.flush());
        this.idleSignal.idle();
      });
    }
  }

  /** Emits the buffered rows as one frame now (nothing when the buffer is empty). */
  flush(): Pushed {
    const held = this.pending;
    if (held.length === 0) return;
    this.pending = [];
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

  /**
   * Busy while rows wait for the interval's timer: up to `interval`. Rows that wait only for `size` more rows
   * leave it idle, as waiting would not help.
   */
  override whenIdle(): Promise<void> | null {
    return this.timer !== null && this.pending.length > 0 ? this.idleSignal.wait() : this.inFlight.wait();
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
