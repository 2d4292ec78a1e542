import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { emitHeldBatch, type Held, hold } from '../held.ts';
import { IdleSignal } from '../idle.ts';
import { InFlight } from '../in-flight.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';
import { UniqueBuffer, type UniqueBufferOptions } from './partition-unique.ts';

/**
 * Ticks on the graph's clock: once when the graph starts, then every `interval`. The graph starts when a source
 * upstream starts, or at the first element for a graph fed by hand with `emit`; nothing runs at construction. A
 * subclass says what it keeps between ticks and what a tick emits.
 */
abstract class Ticker<T, R> extends Stream<R> {
  readonly interval: number;
  private timer: Timer | null = null;
  private ticks = 0;
  private origin = 0;
  // Set by stop(): a stopped ticker does not start again with the graph.
  private stopped = false;
  private readonly idleSignal = new IdleSignal();
  // What a tick emitted that is still settling (an async sink): nobody upstream waits for it.
  private readonly inFlight = new InFlight();

  constructor(upstream: Stream<T>, interval: number) {
    super({ clock: upstream.clock });
    this.interval = interval;
    upstream.connect(this);
  }

  /** @internal Starts ticking, the grid's origin now. */
  override graphStarted(): void {
    if (this.timer !== null || this.stopped) return;
    this.origin = this.clock.now();
    this.ticks = 0;
    this.schedule();
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.timer === null) this.graphStarted();
    return this.keep(x as T, metadata);
  }

  /** Keeps an element until the next tick. */
  protected abstract keep(x: T, metadata: Metadata | undefined): Pushed;

  private schedule(): void {
    // Ticks are placed on a grid from the start, so a slow tick does not push the later ones back.
    const at = this.origin + this.ticks * this.interval;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.ticks++;
      this.schedule();
      void this.inFlight.track(this.tick());
      this.idleSignal.idle();
    });
  }

  protected abstract tick(): Pushed;

  /** True while elements wait for the next tick. */
  protected abstract holds(): boolean;

  /**
   * Busy while elements wait for the next tick (up to `interval`; not sooner, as a tick out of turn would break
   * the grid the batches are cut on), or what a tick emitted is still settling. A stopped ticker holds them for
   * good: idle, as waiting would not help.
   */
  override whenIdle(): Promise<void> | null {
    if (this.timer !== null && this.holds()) return this.idleSignal.wait();
    return this.inFlight.wait();
  }

  protected override flushOnEnd(): Pushed {
    const r = this.tick();
    this.stop();
    return r;
  }

  override stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    super.stop();
  }
}

/** Emits, on every tick, an array of the elements that arrived since the previous tick (empty ones too). */
export class TimedWindowNode<T> extends Ticker<T, T[]> {
  override kind = 'timedWindow';
  private items: Held<T>[] = [];

  protected keep(x: T, metadata: Metadata | undefined): Pushed {
    this.items.push(hold(x, metadata));
  }

  protected holds(): boolean {
    return this.items.length > 0;
  }

  protected tick(): Pushed {
    const items = this.items;
    this.items = [];
    return emitHeldBatch(this, items);
  }
}

/** Like timedWindow, keeping one element per key (the first, or the last moved to the end). */
export class TimedWindowUniqueNode<T> extends Ticker<T, T[]> {
  override kind = 'timedWindowUnique';
  private readonly keys: UniqueBuffer<T>;

  constructor(upstream: Stream<T>, interval: number, options: UniqueBufferOptions<T>) {
    const keys = new UniqueBuffer<T>('timedWindowUnique', options);
    super(upstream, interval);
    this.keys = keys;
  }

  protected keep(x: T, metadata: Metadata | undefined): Pushed {
    this.keys.add(x, metadata);
  }

  protected holds(): boolean {
    return this.keys.items.size > 0;
  }

  protected tick(): Pushed {
    return emitHeldBatch(this, this.keys.take());
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits every `interval` the array of elements that arrived since the last emission, empty arrays included.
     * @example source.timedWindow('1s').map((batch) => batch.length)
     */
    timedWindow(interval: Duration): Stream<T[]>;
    /**
     * Like `timedWindow`, with one element per key in each array.
     * @example source.timedWindowUnique('1s', { key: 'id', keep: 'last' })
     */
    timedWindowUnique(interval: Duration, options?: UniqueBufferOptions<T>): Stream<T[]>;
  }
}

Stream.register('timedWindow', function timedWindow(this: Stream<any>, interval: Duration) {
  return new TimedWindowNode(this, toMillis(interval, 'timedWindow: interval'));
});
Stream.register(
  'timedWindowUnique',
  function timedWindowUnique(this: Stream<any>, interval: Duration, options: UniqueBufferOptions<any> = {}) {
    return new TimedWindowUniqueNode(this, toMillis(interval, 'timedWindowUnique: interval'), options);
  },
);
