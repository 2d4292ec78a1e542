import type { CheckpointReader, CheckpointWriter } from './checkpointable.ts';

/** How a node makes, saves, takes back and lets go of the state of one input partition. */
export interface InputPartSpec<P extends { dirty: boolean }> {
  /** The store key of a partition's state (one entry per partition). */
  readonly key: string;
  /** A partition's empty state. */
  make(): P;
  save(p: P): unknown;
  /** Fills `p`, just made, with what `save` wrote. */
  load(p: P, saved: any): void;
  /** Lets go of the records `p` holds (its partition was dropped). */
  release?(p: P): void;
}

/**
 * @internal A node's states, one per input partition (the Kafka partition an element came from; 0 outside Kafka),
 * for a node whose state is a handful of records per partition (zip's queues, a sliding window, a join's
 * elements): one map lookup per change of partition, and a checkpoint writes the state of each partition whose
 * `dirty` the node set since the last one, one entry each.
 *
 * @example
 * const parts = new InputPartitions({ key: 'last', make: () => ({ values: [], dirty: false }), save, load });
 * const p = parts.get(partitionOf(metadata));
 * p.dirty = true;
 */
export class InputPartitions<P extends { dirty: boolean }> {
  private readonly map = new Map<number, P>();
  private readonly spec: InputPartSpec<P>;
  // Consecutive elements mostly come from one partition.
  private last: P | null = null;
  private lastId = -1;

  constructor(spec: InputPartSpec<P>) {
    this.spec = spec;
  }

  /** The state of partition `id` (an empty one the first time). */
  get(id: number): P {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.map.get(id);
    if (p === undefined) this.map.set(id, (p = this.spec.make()));
    this.last = p;
    this.lastId = id;
    return p;
  }

  values(): IterableIterator<P> {
    return this.map.values();
  }

  /** Writes the state of each partition that changed since the last call. */
  checkpoint(writer: CheckpointWriter, namespace: string): void {
    for (const [id, p] of this.map) {
      if (!p.dirty) continue;
      p.dirty = false;
      writer.set(namespace, id, this.spec.key, this.spec.save(p));
    }
  }

  /** Replaces the state of `partition` with the one `reader` has (none: it starts empty). */
  restore(reader: CheckpointReader, namespace: string, partition: number): void {
    this.drop(partition);
    for (const [k, v] of reader.entries(namespace, partition)) {
      if (k === this.spec.key) this.spec.load(this.get(partition), v);
    }
  }

  /** Forgets the state of `partition`, letting go of the records it holds. */
  drop(partition: number): void {
    const p = this.map.get(partition);
    if (p === undefined) return;
    this.spec.release?.(p);
    this.map.delete(partition);
    this.last = null;
    this.lastId = -1;
  }
}
