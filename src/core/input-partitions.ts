import { type CheckpointReader, type CheckpointWriter, offsetOf } from './checkpointable.ts';
import type { Metadata } from './refcount.ts';

/** What each input partition of a node with several inputs keeps, besides its own state. */
export interface InputPart {
  /** Per input (in input order): the greatest Kafka offset taken (-1: none). */
  readonly offsets: number[];
  /** Per input: after a restore, the greatest offset the restored state covers (-1: none). */
  readonly replayed: number[];
  /** The state changed since the last checkpoint. */
  dirty: boolean;
}

/** How a node makes, saves, takes back and lets go of the state of one partition. */
export interface InputPartSpec<P extends InputPart> {
  /** The store key of a partition's state (one entry per partition). */
  readonly key: string;
  /** A partition's empty state (its `offsets` and `replayed` filled with -1, one per input). */
  make(): P;
  save(p: P): unknown;
  /** Fills `p`, just made, with what `save` wrote. */
  load(p: P, saved: any): void;
  /** Lets go of the records `p` holds (its partition was dropped). */
  release?(p: P): void;
}

/**
 * @internal The states of a node with several inputs (zip, combineLatest, mergeSorted, a join), one per input
 * partition (the Kafka partition an element came from; 0 outside Kafka): partition p of each input meets partition
 * p of the others. Each partition keeps the greatest offset taken from each input, so that after a restore the
 * records the state already covers, read again from the other topics, are skipped. A checkpoint writes the state
 * of each partition that changed since the last one.
 *
 * @example
 * const parts = new InputPartitions({ key: 'queues', make: () => newPart(n), save: (p) => p.items, load: fill });
 * const p = parts.get(partitionOf(md));
 * if (!InputPartitions.take(p, i, md)) return; // already in the restored state
 */
export class InputPartitions<P extends InputPart> {
  private readonly map = new Map<number, P>();
  private readonly spec: InputPartSpec<P>;
  // The partition of the last element: consecutive elements mostly come from one partition.
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

  /**
   * Notes the offset of an element of input `i` in partition state `p` and marks `p` changed; false when the
   * restored state already covers it (a record read again after a restore), which the node then skips.
   */
  static take(p: InputPart, i: number, metadata: Metadata | undefined): boolean {
    const offset = offsetOf(metadata);
    if (offset >= 0) {
      if (offset <= p.replayed[i]!) return false;
      if (offset > p.offsets[i]!) p.offsets[i] = offset;
    }
    p.dirty = true;
    return true;
  }

  values(): IterableIterator<P> {
    return this.map.values();
  }

  /** An input was connected: every partition gets its offsets (the node adds its own slot for it). */
  addInput(): void {
    for (const p of this.map.values()) {
      p.offsets.push(-1);
      p.replayed.push(-1);
    }
  }

  /** Input `i` was disconnected: every partition forgets its offsets (the node drops its own slot). */
  removeInput(i: number): void {
    for (const p of this.map.values()) {
      p.offsets.splice(i, 1);
      p.replayed.splice(i, 1);
    }
  }

  /** Writes the state of each partition that changed since the last call, one entry each. */
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
