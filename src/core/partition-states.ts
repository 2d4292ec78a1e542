import type { CheckpointReader, CheckpointWriter } from './checkpointable.ts';

/** A state kept per input partition: what it saves to a checkpoint, and how it takes that back. */
export interface PartitionState {
  save(): unknown;
  load(saved: any): void;
  /** Lets go of what it holds (its partition was dropped). */
  release?(): void;
}

/** The store key of a partition's state. */
const STATE = 'state';

/**
 * @internal One state per input partition (the Kafka partition an element came from; 0 outside Kafka), for a node
 * whose state changes with every element (a rolling window, a running sum): the current partition's state is a
 * field the node's hot path reads, the others wait in a map, and a checkpoint writes the whole state of each
 * partition that took an element since the last one. `dirty` is the one field the hot path writes per element.
 *
 * @example
 * const states = new PartitionStates(() => RollingState.of(10, 'mean'));
 * states.switchTo(partitionOf(md));
 * states.dirty = true;
 * states.state.add(x);
 */
export class PartitionStates<S extends PartitionState> {
  /** The current partition's state. */
  state: S;
  /** The partition `state` belongs to. */
  current = 0;
  /** The current partition's state changed since the last checkpoint. */
  dirty = false;
  private readonly parked = new Map<number, S>();
  /** Other partitions whose state changed since the last checkpoint. */
  private readonly changed = new Set<number>();

  private readonly make: () => S;

  constructor(make: () => S) {
    this.make = make;
    this.state = make();
  }

  /** Makes `state` the state of partition `p` (a new partition starts from `make`). */
  switchTo(p: number): void {
    if (p === this.current) return;
    this.parked.set(this.current, this.state);
    if (this.dirty) this.changed.add(this.current);
    this.dirty = false;
    const next = this.parked.get(p);
    if (next === undefined) this.state = this.make();
    else {
      this.parked.delete(p);
      this.state = next;
    }
    this.current = p;
  }

  /** Every partition with a state, by number. */
  partitions(): number[] {
    return [this.current, ...this.parked.keys()].sort((a, b) => a - b);
  }

  /** Writes the state of each partition that changed since the last call, one entry each. */
  checkpoint(writer: CheckpointWriter, namespace: string): void {
    if (this.dirty) writer.set(namespace, this.current, STATE, this.state.save());
    for (const p of this.changed) {
      const s = this.parked.get(p);
      if (s !== undefined) writer.set(namespace, p, STATE, s.save());
    }
    this.dirty = false;
    this.changed.clear();
  }

  /** Replaces the state of `partition` with the one `reader` has (none: a fresh one). */
  restore(reader: CheckpointReader, namespace: string, partition: number): void {
    this.drop(partition);
    for (const [k, v] of reader.entries(namespace, partition)) {
      if (k !== STATE) continue;
      const s = this.make();
      s.load(v);
      if (partition === this.current) this.state = s;
      else this.parked.set(partition, s);
    }
  }

  /** Forgets the state of `partition`, letting go of what it holds. */
  drop(partition: number): void {
    this.changed.delete(partition);
    if (partition === this.current) {
      this.state.release?.();
      this.state = this.make();
      this.dirty = false;
      return;
    }
    this.parked.get(partition)?.release?.();
    this.parked.delete(partition);
  }
}
