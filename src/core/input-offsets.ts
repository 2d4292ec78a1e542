import { offsetOf } from './checkpointable.ts';
import type { Metadata } from './refcount.ts';

/**
 * @internal What one input partition of a node with several inputs (zip, combineLatest, mergeSorted, a join)
 * knows of each input's Kafka offsets: partition p of each input meets partition p of the others, and an
 * application restores the node's state from the offsets of one topic only. The greatest offset taken from each
 * input goes into the checkpoint; after a restore, a record of another topic read again at or below it is already
 * in the state (or past it) and is skipped.
 *
 * @example
 * const offsets = new InputOffsets(2);
 * if (!offsets.take(i, metadata)) return; // read again after a restore
 */
export class InputOffsets {
  /** Per input (in input order): the greatest Kafka offset taken (-1: none). */
  readonly taken: number[];
  /** Per input: after a restore, the greatest offset the restored state covers (-1: none). */
  readonly replayed: number[];

  constructor(inputs: number) {
    this.taken = new Array(inputs).fill(-1);
    this.replayed = new Array(inputs).fill(-1);
  }

  /** Notes the offset of an element of input `i`; false when the restored state already covers it. */
  take(i: number, metadata: Metadata | undefined): boolean {
    const offset = offsetOf(metadata);
    if (offset < 0) return true;
    if (offset <= this.replayed[i]!) return false;
    if (offset > this.taken[i]!) this.taken[i] = offset;
    return true;
  }

  /** Input `i`'s greatest offset from a checkpoint: taken, and covered by the restored state. */
  restore(i: number, offset: number): void {
    this.taken[i] = this.replayed[i] = offset;
  }

  /** An input was connected. */
  add(): void {
    this.taken.push(-1);
    this.replayed.push(-1);
  }

  /** Input `i` was disconnected. */
  remove(i: number): void {
    this.taken.splice(i, 1);
    this.replayed.splice(i, 1);
  }
}
