import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { emitHeldBatch, type Held, hold } from '../held.ts';
import { IdleSignal } from '../idle.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';
import { UniqueBuffer, type UniqueBufferOptions } from './partition-unique.ts';

/**
 * Ticks on the graph's clock: once right after it is built, then every `interval`. A subclass says what it keeps
 * between ticks and what a tick emits.
 */
abstract class Ticker<T, R> extends Stream<R> {
  readonly interval: number;
  private timer: Timer | null = null;
  private ticks = 0;
  private readonly origin: number;
  private readonly idleSignal = new IdleSignal();

  constructor(upstream: Stream<T>, interval: number) {
    super({ clock: upstream.clock });
    this.interval = interval;
    this.origin = this.clock.now();
    upstream.connect(this);
    this.schedule();
  }

  private schedule(): void {
    // Ticks are placed on a grid from the start, so a slow tick does not push the later ones back.
    const at = this.origin + this.ticks * this.interval;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.ticks++;
      this.schedule();
      void this.tick();
      this.idleSignal.idle();
    });
  }

  protected abstract tick(): Pushed;

  /** True while elements wait for the next tick. */
  protected abstract holds(): boolean;

  /**
   * Busy while elements wait for the next tick: up to `interval`. Not sooner, as a tick out of turn would break
   * the grid the batches are cut on. A stopped ticker holds them for good: idle, as waiting would not help.
   */
  override whenIdle(): Promise<void> | null {
    return this.timer !== null && this.holds() ? this.idleSignal.wait() : null;
  }

  protected override flushOnEnd(): void {
    void this.tick();
    this.stop();
  }

  override stop(): void {
    this.timer?.cancel();
    this.timer = null;
    super.stop();
  }
}

/** Emits, on every tick, an array of the elements that arrived since the previous tick (empty ones too). */
export class TimedWindowNode<T> extends Ticker<T, T[]> {
  override kind = 'timedWindow';
  private items: Held<T>[] = [];

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.items.push(hold(x as T, metadata));
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
    const buffer = new UniqueBuffer<T>('timedWindowUnique', options);
    super(upstream, interval);
    this.keys = buffer;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.keys.add(x as T, metadata);
  }

  protected holds(): boolean {
    return this.keys !== undefined && this.keys.items.size > 0;
  }

  protected tick(): Pushed {
    // The first tick can come before the constructor has set the buffer (clocks that fire timers at once).
    if (this.keys === undefined) return this.pass([]);
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
