import { requireInteger } from '../../errors.ts';
import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { both, emitHeldBatch, type Held, hold } from '../held.ts';
import { InFlight } from '../in-flight.ts';
import { hashKey, type KeySpec, toKeyFn } from '../key.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface PartitionOptions<T> {
  /** Emit a partial partition when it has waited this long since its first element (on the graph's clock). */
  timeout?: Duration;
  /** Partition per key: a function, field name or index. One buffer per key. */
  key?: KeySpec<T>;
}

interface Bucket<T> {
  items: Held<T>[];
  timer: Timer | null;
}

/** Groups elements into arrays of `n` (per key, if keyed); holds each element until its partition is emitted. */
export class PartitionNode<T> extends Stream<T[]> {
  override kind = 'partition';
  readonly n: number;
  private readonly timeout: number | null;
  private readonly keyOf: ((x: T) => unknown) | null;
  // Bounded by n elements per key; the number of keys is the caller's (each key's bucket empties at n).
  private readonly buckets = new Map<unknown, Bucket<T>>();
  // What a timeout flushed that is still settling downstream: nobody upstream waits for it.
  private readonly inFlight = new InFlight();

  constructor(upstream: Stream<T>, n: number, options: PartitionOptions<T>) {
    requireInteger('partition', 'n', n, 1);
    const timeout = options.timeout === undefined ? null : toMillis(options.timeout, 'partition: timeout');
    const keyOf = options.key === undefined ? null : toKeyFn('partition', options.key);
    super({ clock: upstream.clock });
    this.n = n;
    this.timeout = timeout;
    this.keyOf = keyOf;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const k = this.keyOf === null ? undefined : hashKey(this.keyOf(x as T));
    let b = this.buckets.get(k);
    if (b === undefined) {
      b = { items: [], timer: null };
      this.buckets.set(k, b);
    }
    b.items.push(hold(x as T, metadata));
    if (b.items.length === 1 && this.timeout !== null) {
      b.timer = this.clock.setTimer(this.timeout, () => void this.inFlight.track(this.flushKey(k)));
    }
    if (b.items.length >= this.n) return this.flushKey(k);
  }

  private flushKey(k: unknown): Pushed {
    const b = this.buckets.get(k);
    if (b === undefined || b.items.length === 0) return;
    this.buckets.delete(k);
    b.timer?.cancel();
    return emitHeldBatch(this, b.items);
  }

  protected override flushOnEnd(): Pushed {
    let r: Pushed = undefined;
    for (const k of [...this.buckets.keys()]) r = both(r, this.flushKey(k));
    return r;
  }

  /** Busy while what a timeout flushed is still settling downstream; buckets that wait for more input are not. */
  override whenIdle(): Promise<void> | null {
    return this.inFlight.wait();
  }

  override stop(): void {
    for (const b of this.buckets.values()) b.timer?.cancel();
    super.stop();
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits arrays of `n` consecutive elements (per key with `key`); with `timeout`, a partial array once its
     * first element has waited that long.
     * @example source.partition(100, { timeout: '1s' })
     */
    partition(n: number, options?: PartitionOptions<T>): Stream<T[]>;
  }
}

Stream.register('partition', function partition(this: Stream<any>, n: number, options: PartitionOptions<any> = {}) {
  return new PartitionNode(this, n, options);
});
