import { requireInteger } from '../../errors.ts';
import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { both, emitHeldBatch, type Held, hold, releaseAll } from '../held.ts';
import { InFlight } from '../in-flight.ts';
import { hashKey, type KeySpec, toKeyFn } from '../key.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface PartitionOptions<T> {
  /** Emit a partial partition when it has waited this long since its first element (on the graph's clock). */
  timeout?: Duration;
  /** Partition per key: a function, field name or index. One buffer per key. */
  key?: KeySpec<T>;
  /** The store namespace of the held elements when an application checkpoints them. Default: `'partition'`. */
  namespace?: string;
}

interface Bucket<T> {
  /** The key as the key function gave it (stored with the elements). */
  key: unknown;
  items: Held<T>[];
  timer: Timer | null;
  /** Changed since the last checkpoint. */
  dirty: boolean;
}

/** The buckets of one input partition (a Kafka partition; 0 outside Kafka), and the keys emitted since the last checkpoint. */
interface Part<T> {
  readonly buckets: Map<unknown, Bucket<T>>;
  readonly emptied: Set<unknown>;
}

/**
 * Groups elements into arrays of `n` (per key, if keyed, and per Kafka partition for records from Kafka); holds
 * each element until its array is emitted. {@link Checkpointable}: the held elements (JSON-serializable) go into
 * an application's checkpoints, so a restore resumes the arrays being filled.
 */
export class PartitionNode<T> extends Stream<T[]> implements Checkpointable {
  override kind = 'partition';
  readonly namespace: string;
  readonly keepsInput = 'records until an array is full';
  readonly n: number;
  private readonly timeout: number | null;
  private readonly keyOf: ((x: T) => unknown) | null;
  // Bounded by n elements per key; the number of keys is the caller's (each key's bucket empties at n).
  private readonly parts = new Map<number, Part<T>>();
  private last: Part<T> | null = null;
  private lastId = -1;
  // What a timeout flushed that is still settling downstream: nobody upstream waits for it.
  private readonly inFlight = new InFlight();

  constructor(upstream: Stream<T>, n: number, options: PartitionOptions<T>) {
    requireInteger('partition', 'n', n, 1);
    const timeout = options.timeout === undefined ? null : toMillis(options.timeout, 'partition: timeout');
    const keyOf = options.key === undefined ? null : toKeyFn('partition', options.key);
    const namespace = namespaceOption('partition', options.namespace, 'partition');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.n = n;
    this.timeout = timeout;
    this.keyOf = keyOf;
    upstream.connect(this);
  }

  private part(id: number): Part<T> {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.parts.get(id);
    if (p === undefined) {
      p = { buckets: new Map(), emptied: new Set() };
      this.parts.set(id, p);
    }
    this.last = p;
    this.lastId = id;
    return p;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const key = this.keyOf === null ? undefined : this.keyOf(x as T);
    const k = this.keyOf === null ? undefined : hashKey(key);
    const id = partitionOf(metadata);
    const part = this.part(id);
    let b = part.buckets.get(k);
    if (b === undefined) {
      b = { key, items: [], timer: null, dirty: false };
      part.buckets.set(k, b);
    }
    b.items.push(hold(x as T, metadata));
    b.dirty = true;
    if (b.items.length === 1) this.arm(id, k, b);
    if (b.items.length >= this.n) return this.flushKey(part, k);
  }

  private arm(id: number, k: unknown, b: Bucket<T>): void {
    if (this.timeout === null) return;
    b.timer = this.clock.setTimer(this.timeout, () => void this.inFlight.track(this.flushKey(this.part(id), k)));
  }

  private flushKey(part: Part<T>, k: unknown): Pushed {
    const b = part.buckets.get(k);
    if (b === undefined || b.items.length === 0) return;
    part.buckets.delete(k);
    part.emptied.add(k);
    b.timer?.cancel();
    return emitHeldBatch(this, b.items);
  }

  protected override flushOnEnd(): Pushed {
    let r: Pushed = undefined;
    for (const part of this.parts.values())
      for (const k of [...part.buckets.keys()]) r = both(r, this.flushKey(part, k));
    return r;
  }

  /** Writes the arrays being filled that changed, and deletes those emitted, since the last call. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, part] of this.parts) {
      for (const k of part.emptied) if (!part.buckets.has(k)) writer.delete(this.namespace, id, storeKey(k));
      part.emptied.clear();
      for (const [k, b] of part.buckets) {
        if (!b.dirty) continue;
        b.dirty = false;
        writer.set(this.namespace, id, storeKey(k), {
          key: b.key ?? null,
          items: b.items.map((h) => ({ x: h.x, from: metadataOrigin(h.md) })),
        });
      }
    }
  }

  /** Takes back the arrays being filled of `partition` (their elements without metadata: their offsets are covered). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    const part = this.part(partition);
    for (const [, v] of reader.entries(this.namespace, partition)) {
      const e = v as { key: unknown; items: { x: T; from: { partition: number; key: string | null } }[] };
      const k = this.keyOf === null ? undefined : hashKey(e.key);
      // Each element keeps where it came from (partition, record key), not its counters (its offset is covered).
      const items = e.items.map((i) => hold(i.x, restoredMetadata(i.from)));
      const b: Bucket<T> = { key: e.key, items, timer: null, dirty: false };
      part.buckets.set(k, b);
      this.arm(partition, k, b);
    }
  }

  /** Forgets the arrays of `partition` (its records are read again by its new owner). */
  dropPartition(partition: number): void {
    const part = this.parts.get(partition);
    if (part === undefined) return;
    for (const b of part.buckets.values()) {
      b.timer?.cancel();
      releaseAll(b.items);
    }
    this.parts.delete(partition);
    this.last = null;
    this.lastId = -1;
  }

  /** Busy while what a timeout flushed is still settling downstream; buckets that wait for more input are not. */
  override whenIdle(): Promise<void> | null {
    return this.inFlight.wait();
  }

  override stop(): void {
    for (const part of this.parts.values()) for (const b of part.buckets.values()) b.timer?.cancel();
    super.stop();
  }
}

/** The store key of a bucket: its hashed key as JSON (undefined, without a key function, as null). */
function storeKey(k: unknown): string {
  return JSON.stringify(k ?? null);
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
