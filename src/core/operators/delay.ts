import { requireInteger } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { emitHeld, type Held, hold, sleep } from '../held.ts';
import { IdleSignal } from '../idle.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface DelayOptions {
  /** How many elements may wait; beyond it `emit` returns a promise until there is room. Default: no limit. */
  maxsize?: number;
}

/**
 * Paces elements: each one goes on at least `interval` after the previous one was taken from the queue (so after
 * an idle spell the first two pass at once, as in streamz). `emit` into it only queues.
 */
export class DelayNode<T> extends Stream<T> {
  override kind = 'delay';
  readonly interval: number;
  private readonly maxsize: number;
  private readonly queue: Held<T>[] = [];
  private readonly waiting: (() => void)[] = [];
  private running = false;
  // True while the element taken from the queue goes on: with the queue empty, the node is idle after it.
  private sending = false;
  private readonly idleSignal = new IdleSignal();
  private last: number;

  constructor(upstream: Stream<T>, interval: number, options: DelayOptions) {
    const maxsize = options.maxsize ?? Number.POSITIVE_INFINITY;
    if (maxsize !== Number.POSITIVE_INFINITY) requireInteger('delay', 'maxsize', maxsize, 1);
    super({ clock: upstream.clock });
    this.interval = interval;
    this.maxsize = maxsize;
    this.last = this.clock.now();
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.queue.push(hold(x as T, metadata));
    if (!this.running) {
      this.running = true;
      this.clock.setTimer(0, () => void this.run());
    }
    if (this.queue.length > this.maxsize) return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private async run(): Promise<void> {
    for (;;) {
      const item = this.queue.shift();
      if (item === undefined) {
        this.running = false;
        this.last = this.clock.now();
        return;
      }
      this.waiting.shift()?.();
      this.sending = true;
      try {
        await emitHeld(this, item);
      } finally {
        this.sending = false;
      }
      // Idle before the pause that spaces it from a next element: a commit waiting for it need not wait that out.
      if (this.queue.length === 0) this.idleSignal.idle();
      const wait = this.interval - (this.clock.now() - this.last);
      if (wait > 0) await sleep(this.clock, wait);
      this.last = this.clock.now();
    }
  }

  /** Busy while elements wait in the queue or one goes on: up to the queue's length times `interval`. */
  override whenIdle(): Promise<void> | null {
    return this.queue.length === 0 && !this.sending ? null : this.idleSignal.wait();
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Spaces elements by `interval` on the graph's clock.
     * @example source.delay('100ms')
     */
    delay(interval: Duration, options?: DelayOptions): Stream<T>;
  }
}

Stream.register('delay', function delay(this: Stream<any>, interval: Duration, options: DelayOptions = {}) {
  return new DelayNode(this, toMillis(interval, 'delay: interval'), options);
});
