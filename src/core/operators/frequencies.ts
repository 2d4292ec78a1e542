import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../checkpointable.ts';
import { hashKey } from '../key.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** Options of `frequencies`. */
export interface FrequenciesOptions {
  /** The state namespace when an application checkpoints it. Default: `'frequencies'`. */
  namespace?: string;
}

/** The counts of one input partition: by hashed value, with the value first seen for each. */
interface Counts<T> {
  counts: Map<unknown, number>;
  values: Map<unknown, T>;
  dirty: boolean;
}

/** The store key of a partition's counts. */
const STATE = 'state';

/**
 * Counts how often each value was seen; emits a fresh `Map` of the counts after every element. Elements from Kafka
 * carry their partition: each has its own counts, {@link Checkpointable} (values must be JSON-serializable). A
 * checkpoint writes the counts of each partition that changed, whole: the map it emits is rebuilt per element
 * anyway, so a finer record would save little.
 */
export class FrequenciesNode<T> extends Stream<Map<T, number>> implements Checkpointable {
  /** What it keeps between elements (`KeepsInput`): counts, checkpointed. */
  readonly keepsInput: string = 'counts';
  override kind = 'frequencies';
  readonly namespace: string;
  private readonly parts = new Map<number, Counts<T>>();
  private last: Counts<T> | null = null;
  private lastId = -1;

  constructor(upstream: Stream<T>, options: FrequenciesOptions = {}) {
    const namespace = namespaceOption('frequencies', options?.namespace, 'frequencies');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    upstream.connect(this);
  }

  private part(id: number): Counts<T> {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.parts.get(id);
    if (p === undefined) this.parts.set(id, (p = { counts: new Map(), values: new Map(), dirty: false }));
    this.last = p;
    this.lastId = id;
    return p;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    // No metadata: the partition of the last element that had some (0 before any).
    const p = this.part(
      metadata !== undefined && metadata.length > 0 ? partitionOf(metadata) : Math.max(0, this.lastId),
    );
    p.dirty = true;
    const k = hashKey(x);
    p.counts.set(k, (p.counts.get(k) ?? 0) + 1);
    if (!p.values.has(k)) p.values.set(k, x as T);
    const out = new Map<T, number>();
    for (const [key, n] of p.counts) out.set(p.values.get(key)!, n);
    return this.pass(out, metadata);
  }

  /** {@link Checkpointable}: the counts of each partition that changed since the last call, in first-seen order. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, p] of this.parts) {
      if (!p.dirty) continue;
      p.dirty = false;
      const counts = [...p.counts].map(([k, n]) => [structuredClone(p.values.get(k)), n]);
      writer.set(this.namespace, id, STATE, { counts });
    }
  }

  /** {@link Checkpointable}: replaces the counts of `partition` with those `reader` has (none: empty). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== STATE) continue;
      const p = this.part(partition);
      for (const [x, n] of (v as { counts: [T, number][] }).counts) {
        const h = hashKey(x);
        p.counts.set(h, n);
        p.values.set(h, structuredClone(x));
      }
    }
  }

  /** {@link Checkpointable}: forgets the counts of `partition`. */
  dropPartition(partition: number): void {
    this.parts.delete(partition);
    this.last = null;
    this.lastId = -1;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits the running count of each distinct value, as a `Map` from value to count.
     * @example source.frequencies() // 'a', 'b', 'a' -> ..., Map { 'a' => 2, 'b' => 1 }
     */
    frequencies(options?: FrequenciesOptions): Stream<ReadonlyMap<T, number>>;
  }
}

Stream.register('frequencies', function frequencies(this: Stream<any>, options?: FrequenciesOptions) {
  return new FrequenciesNode(this, options);
});
