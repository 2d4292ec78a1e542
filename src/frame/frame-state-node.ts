import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../core/checkpointable.ts';
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

/** The store key of a partition's state. */
const STATE = 'state';

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
  private readonly make: () => FrameState<I, O>;
  private step: FrameState<I, O>;
  private current = 0;
  private readonly parked = new Map<number, FrameState<I, O>>();
  /** The current partition took a frame since the last checkpoint (one field write per frame). */
  private dirty = false;
  /** Other partitions that did. */
  private readonly changed = new Set<number>();

  constructor(upstream: Stream<I>, kind: string, make: () => FrameState<I, O>, options: FrameStateOptions = {}) {
    const namespace = namespaceOption(kind, options?.namespace, kind);
    super({ clock: upstream.clock });
    this.kind = kind;
    this.namespace = namespace;
    this.make = make;
    this.step = make();
    this.keepsInput = this.step.keeps ?? 'a running state';
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    // No metadata: the partition of the last frame that had some (0 before any).
    if (metadata !== undefined && metadata.length > 0) {
      const p = partitionOf(metadata);
      if (p !== this.current) this.switchTo(p);
    }
    this.dirty = true;
    return this.step.next(x as I, metadata, this);
  }

  private switchTo(p: number): void {
    this.parked.set(this.current, this.step);
    if (this.dirty) this.changed.add(this.current);
    this.dirty = false;
    const next = this.parked.get(p);
    if (next === undefined) this.step = this.make();
    else {
      this.parked.delete(p);
      this.step = next;
    }
    this.current = p;
  }

  /** Each partition's step flushes what it holds, partition after partition by number. */
  protected override flushOnEnd(): void {
    const ids = [this.current, ...this.parked.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      if (id !== this.current) this.switchTo(id);
      this.step.end?.(this);
    }
  }

  /** {@link Checkpointable}: the state of each partition that took a frame since the last call, one entry each. */
  checkpoint(writer: CheckpointWriter): void {
    if (this.dirty) writer.set(this.namespace, this.current, STATE, this.step.save());
    for (const p of this.changed) {
      const s = this.parked.get(p);
      if (s !== undefined) writer.set(this.namespace, p, STATE, s.save());
    }
    this.dirty = false;
    this.changed.clear();
  }

  /** {@link Checkpointable}: a fresh step for `partition`, with the state `reader` has for it (none: from nothing). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== STATE) continue;
      const s = this.make();
      s.load(v);
      if (partition === this.current) this.step = s;
      else this.parked.set(partition, s);
    }
  }

  /** {@link Checkpointable}: forgets the state of `partition`, letting go of the elements it holds. */
  dropPartition(partition: number): void {
    this.changed.delete(partition);
    if (partition === this.current) {
      this.step.release?.();
      this.step = this.make();
      this.dirty = false;
      return;
    }
    this.parked.get(partition)?.release?.();
    this.parked.delete(partition);
  }
}
