import { requireInteger } from '../../errors.ts';
import { type Held, hold } from '../held.ts';
import { HeldDrain } from '../held-drain.ts';
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
  private readonly consumer = new HeldDrain<T>(this, () => {
    const item = this.queue.shift();
    if (item === undefined) return null;
    this.waiting.shift()?.(); // a place is free
    return item;
  });

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
      this.consumer.kick();
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

  /** Busy from the first element queued until the queue is drained (elements left after a failure wait for more). */
  override whenIdle(): Promise<void> | null {
    return this.consumer.whenIdle();
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
