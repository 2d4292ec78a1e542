import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { emitHeldBatch } from '../held.ts';
import { type Metadata, releaseRefs, retainRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface CollectOptions {
  /** The store namespace of the elements held when an application checkpoints them. Default: `'collect'`. */
  namespace?: string;
}

/** An element held, with its input partition and its place in arrival order (kept in checkpoints). */
interface Item<T> {
  readonly x: T;
  readonly md: Metadata | undefined;
  readonly p: number;
  readonly seq: number;
}

/** The store key of a partition's held elements (one entry per partition). */
const ITEMS = 'items';

/**
 * Holds every element until `flush()`, which emits them all as one array (possibly empty), in arrival order.
 * {@link Checkpointable}: the elements held (JSON values) go into an application's checkpoints, one entry per
 * input partition, each with its origin and its place in the order; a restored partition's elements take their
 * place among those held.
 */
export class CollectNode<T> extends Stream<T[]> implements Checkpointable {
  readonly keepsInput: string = 'records until flushed';
  override kind = 'collect';
  readonly namespace: string;
  private items: Item<T>[] = [];
  private seq = 0;
  /** The input partitions whose held elements changed since the last checkpoint. */
  private readonly changed = new Set<number>();
  private lastChanged = -1;

  constructor(upstream: Stream<T>, options: CollectOptions = {}) {
    const namespace = namespaceOption('collect', options.namespace, 'collect');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const p = partitionOf(metadata);
    retainRefs(metadata);
    this.items.push({ x: x as T, md: metadata, p, seq: this.seq++ });
    // A Set add per element is a hash lookup: skipped while elements come from the partition noted last.
    if (p !== this.lastChanged) {
      this.changed.add(p);
      this.lastChanged = p;
    }
  }

  /** Emits what was collected and starts over. Bound: it can be passed as a callback (`other.sink(c.flush)`). */
  readonly flush = (_ignored?: unknown): Pushed => {
    const items = this.items;
    this.items = [];
    for (const it of items) this.changed.add(it.p);
    return emitHeldBatch(this, items);
  };

  /** How many elements are held. */
  get size(): number {
    return this.items.length;
  }

  /** Writes the held elements of each partition that changed (none: the entry is deleted). */
  checkpoint(writer: CheckpointWriter): void {
    if (this.changed.size === 0) return;
    const byPart = new Map<number, { seq: number; x: T; from: ReturnType<typeof metadataOrigin> }[]>();
    for (const it of this.items) {
      if (!this.changed.has(it.p)) continue;
      let list = byPart.get(it.p);
      if (list === undefined) byPart.set(it.p, (list = []));
      list.push({ seq: it.seq, x: it.x, from: metadataOrigin(it.md) });
    }
    for (const p of this.changed) {
      const list = byPart.get(p);
      if (list === undefined) writer.delete(this.namespace, p, ITEMS);
      else writer.set(this.namespace, p, ITEMS, list);
    }
    this.changed.clear();
    this.lastChanged = -1;
  }

  /** Takes back the held elements of `partition`, in their place in arrival order among those held. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== ITEMS) continue;
      const list = v as { seq: number; x: T; from: { partition: number; key: string | null } }[];
      for (const e of list) {
        this.items.push({ x: e.x, md: restoredMetadata(e.from), p: partition, seq: e.seq });
        if (e.seq >= this.seq) this.seq = e.seq + 1;
      }
      this.items.sort((a, b) => a.seq - b.seq);
    }
  }

  dropPartition(partition: number): void {
    const kept: Item<T>[] = [];
    for (const it of this.items) {
      if (it.p === partition) releaseRefs(it.md);
      else kept.push(it);
    }
    this.items = kept;
    this.changed.delete(partition);
    this.lastChanged = -1;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Holds elements until `flush()` is called, then emits them as one array.
     * @example const c = source.collect(); ticks.sink(c.flush);
     */
    collect(options?: CollectOptions): CollectNode<T>;
  }
}

Stream.register('collect', function collect(this: Stream<any>, options: CollectOptions = {}) {
  return new CollectNode(this, options);
});
