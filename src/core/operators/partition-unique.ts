import { badArgument, requireInteger } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { emitHeldBatch, type Held, hold, releaseAll } from '../held.ts';
import { hashKey, type KeySpec, toKeyFn } from '../key.ts';
import { type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface UniqueBufferOptions<T> {
  /** What makes two elements the same: a function, a field name or an index. Default: the element itself. */
  key?: KeySpec<T>;
  /** On a repeated key: keep the first element, or replace it with the last and move it to the end. */
  keep?: 'first' | 'last';
}

export interface PartitionUniqueOptions<T> extends UniqueBufferOptions<T> {
  /** The store namespace of the elements buffered when an application checkpoints them. Default: `'partitionUnique'`. */
  namespace?: string;
}

/** A buffer of elements with distinct keys, in arrival order; shared by partitionUnique and timedWindowUnique. */
export class UniqueBuffer<T> {
  private readonly keyOf: (x: T) => unknown;
  private readonly keepLast: boolean;
  readonly items = new Map<unknown, Held<T>>();

  constructor(where: string, options: UniqueBufferOptions<T>) {
    const keep = options.keep ?? 'first';
    if (keep !== 'first' && keep !== 'last') badArgument(where, 'keep', keep, "'first' or 'last'");
    this.keyOf = toKeyFn(where, options.key);
    this.keepLast = keep === 'last';
  }

  add(x: T, md: Metadata | undefined): void {
    const k = hashKey(this.keyOf(x));
    const old = this.items.get(k);
    if (old !== undefined) {
      if (!this.keepLast) return;
      this.items.delete(k);
      releaseRefs(old.md);
    }
    this.items.set(k, hold(x, md));
  }

  /** Empties the buffer, returning its held elements in order; the caller releases them. */
  take(): Held<T>[] {
    const held = [...this.items.values()];
    this.items.clear();
    return held;
  }
}

/** The store key of a partition's buffer (one entry: at most `n` elements). */
const BUFFER = 'buffer';

/**
 * Emits an array once `n` distinct keys are buffered, per input partition for records from Kafka.
 * {@link Checkpointable}: the elements buffered (JSON values) with their origin go into an application's
 * checkpoints, one entry per partition.
 */
export class PartitionUniqueNode<T> extends Stream<T[]> implements Checkpointable {
  readonly keepsInput: string = 'records until a batch is full';
  override kind = 'partitionUnique';
  readonly namespace: string;
  readonly n: number;
  private readonly options: UniqueBufferOptions<T>;
  private readonly parts = new Map<number, UniqueBuffer<T>>();
  private last: UniqueBuffer<T> | null = null;
  private lastId = -1;
  /** Partitions whose buffer changed since the last checkpoint. */
  private readonly changed = new Set<number>();

  constructor(upstream: Stream<T>, n: number, options: PartitionUniqueOptions<T>) {
    requireInteger('partitionUnique', 'n', n, 1);
    new UniqueBuffer<T>('partitionUnique', options); // validates the options at construction
    const namespace = namespaceOption('partitionUnique', options.namespace, 'partitionUnique');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.n = n;
    this.options = options;
    upstream.connect(this);
  }

  private part(id: number): UniqueBuffer<T> {
    if (id === this.lastId && this.last !== null) return this.last;
    let b = this.parts.get(id);
    if (b === undefined) this.parts.set(id, (b = new UniqueBuffer<T>('partitionUnique', this.options)));
    this.last = b;
    // Noted once per change of partition: the partition noted last is in `changed` until the next checkpoint.
    this.changed.add(id);
    this.lastId = id;
    return b;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const keys = this.part(partitionOf(metadata));
    keys.add(x as T, metadata);
    if (keys.items.size < this.n) return;
    return emitHeldBatch(this, keys.take());
  }

  /** Writes the buffer of each partition that changed (empty: the entry is deleted). */
  checkpoint(writer: CheckpointWriter): void {
    for (const id of this.changed) {
      const b = this.parts.get(id);
      if (b === undefined || b.items.size === 0) writer.delete(this.namespace, id, BUFFER);
      else {
        const items = [...b.items.values()].map((h) => ({ x: h.x, from: metadataOrigin(h.md) }));
        writer.set(this.namespace, id, BUFFER, items);
      }
    }
    this.changed.clear();
    this.last = null;
    this.lastId = -1;
  }

  /** Takes back the buffer of `partition`, in its order; its elements keep their origin (partition and key). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== BUFFER) continue;
      const b = new UniqueBuffer<T>('partitionUnique', this.options);
      for (const e of v as { x: T; from: { partition: number; key: string | null } }[]) {
        b.add(e.x, restoredMetadata(e.from));
      }
      this.parts.set(partition, b);
    }
  }

  dropPartition(partition: number): void {
    const b = this.parts.get(partition);
    if (b !== undefined) releaseAll(b.take());
    this.parts.delete(partition);
    this.changed.delete(partition);
    this.last = null;
    this.lastId = -1;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits an array once `n` elements with distinct keys are buffered (`keep: 'first'` ignores repeats,
     * `'last'` replaces them and moves them to the end).
     * @example source.partitionUnique(3, { key: (r) => r.id, keep: 'last' })
     */
    partitionUnique(n: number, options?: PartitionUniqueOptions<T>): Stream<T[]>;
  }
}

Stream.register(
  'partitionUnique',
  function partitionUnique(this: Stream<any>, n: number, options: PartitionUniqueOptions<any> = {}) {
    return new PartitionUniqueNode(this, n, options);
  },
);
