import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../core/checkpointable.ts';
import { PartitionStates } from '../core/partition-states.ts';
import type { Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import type { FrameStep } from './frame-node.ts';

/**
 * A frame step whose state survives a restart: `save` gives it as JSON values (a copy: the step goes on changing
 * its own), `load` takes it back into a fresh step, `release` lets go of the elements it holds (a dropped
 * partition).
 */
export interface FrameState<I, O> extends FrameStep<I, O> {
  save(): unknown;
  load(saved: unknown): void;
  release?(): void;
}

/** Options of a stateful frame operator. */
export interface FrameStateOptions {
  /** The state namespace (an application's checkpoints). Default: the operator's kind (`'cumsum'`, `'ewm.mean'`). */
  namespace?: string;
}

/**
 * The node behind the frame operators that carry a running state across frames (cumulative sums, ewm, rolling,
 * running reductions, row windows, value counts): one step per input partition (the Kafka partition a frame came
 * from; 0 outside Kafka), made by `make`, and {@link Checkpointable}. A checkpoint writes the whole state of each
 * partition that took a frame since the last one: these states change with every frame (a rolling window's rows,
 * a running sum), so a finer record of changes would save nothing.
 *
 * @example
 * const rows = new FrameStateNode<Frame, number>(frames, 'rowCount', () => {
 *   let n = 0;
 *   return { keeps: 'a row count', next: (f, md, out) => out.emit((n += f.length), md), save: () => n, load: (v) => { n = v as number; } };
 * });
 */
export class FrameStateNode<I, O> extends Stream<O> implements Checkpointable {
  override kind: string;
  readonly namespace: string;
  readonly keepsInput: string;
  private readonly states: PartitionStates<FrameState<I, O>>;

  constructor(upstream: Stream<I>, kind: string, make: () => FrameState<I, O>, options: FrameStateOptions = {}) {
    const namespace = namespaceOption(kind, options?.namespace, kind);
    super({ clock: upstream.clock });
    this.kind = kind;
    this.namespace = namespace;
    this.states = new PartitionStates(make);
    this.keepsInput = this.states.state.keeps ?? 'a running state';
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const states = this.states;
    // No metadata: the partition of the last frame that had some (0 before any).
    if (metadata !== undefined && metadata.length > 0) states.switchTo(partitionOf(metadata));
    states.dirty = true;
    return states.state.next(x as I, metadata, this);
  }

  /** Each partition's step flushes what it holds, partition after partition by number. */
  protected override flushOnEnd(): void {
    for (const p of this.states.partitions()) {
      this.states.switchTo(p);
      this.states.state.end?.(this);
    }
  }

  /** {@link Checkpointable}: the state of each partition that took a frame since the last call, one entry each. */
  checkpoint(writer: CheckpointWriter): void {
    this.states.checkpoint(writer, this.namespace);
  }

  /** {@link Checkpointable}: a fresh step for `partition`, with the state `reader` has for it (none: from nothing). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.states.restore(reader, this.namespace, partition);
  }

  /** {@link Checkpointable}: forgets the state of `partition`, letting go of the elements it holds. */
  dropPartition(partition: number): void {
    this.states.drop(partition);
  }
}
