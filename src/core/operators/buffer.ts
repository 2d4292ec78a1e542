import { requireInteger } from '../../errors.ts';
import { emitHeld, type Held, hold } from '../held.ts';
import { IdleSignal } from '../idle.ts';
import type { NodeProbe } from '../node-metrics.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/**
 * Lets up to `n` elements wait between a fast producer and a slower consumer: `emit` into it returns at once
 * while there is room, and a promise (back pressure) when it is full. Elements go on asynchronously, in order.
 */
export class BufferNode<T> extends Stream<T> {
  override kind = 'buffer';
  readonly n: number;
  // Bounded: at most n elements; further puts wait in `waiting` (each is one suspended emitter).
  private readonly queue: Held<T>[] = [];
  private readonly waiting: (() => void)[] = [];
  private draining = false;
  private readonly idleSignal = new IdleSignal();

  constructor(upstream: Stream<T>, n: number) {
    requireInteger('buffer', 'n', n, 1);
    super({ clock: upstream.clock });
    this.n = n;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const item = hold(x as T, metadata);
    if (this.queue.length < this.n) {
      this.queue.push(item);
      this.kick();
      return;
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(() => {
        this.queue.push(item);
        resolve();
      });
    });
  }

  override probe(): NodeProbe {
    return { queueDepth: this.queue.length };
  }

  /** How many elements wait. */
  get size(): number {
    return this.queue.length;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // The consumer starts on the next turn of the clock, as a task would: emits in a burst all get queued first.
    this.clock.setTimer(0, () => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        this.waiting.shift()?.();
        await emitHeld(this, item);
      }
    } finally {
      this.draining = false;
      this.idleSignal.idle();
    }
  }

  /** Busy from the first element queued until the queue is drained (elements left after a failure wait for more). */
  override whenIdle(): Promise<void> | null {
    return this.draining ? this.idleSignal.wait() : null;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Lets `n` elements wait before back pressure reaches the emitter.
     * @example source.buffer(1000).sink(async (x) => await db.write(x))
     */
    buffer(n: number): Stream<T>;
  }
}

Stream.register('buffer', function buffer(this: Stream<any>, n: number) {
  return new BufferNode(this, n);
});
