import { requireFunction } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../checkpointable.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface AccumulateOptions<S> {
  /** The first state. Without it, the first element becomes the state and passes on unchanged. */
  start?: S;
  /** `fn` returns `[newState, emitted]` instead of the new state (which is then also what is emitted). */
  returnsState?: boolean;
  /** Emit `[state, result]` instead of the result. */
  withState?: boolean;
  /** The store namespace of the state when an application checkpoints it. Default: `'accumulate'`. */
  namespace?: string;
}

/** The store key of a partition's state. */
const STATE = 'state';

/**
 * Carries a state across elements: `state = fn(state, x)`, emitting the state (or what `fn` says). Elements from
 * Kafka carry their partition: each partition has its own state (as Quix keeps state per partition), which is
 * {@link Checkpointable}. The state must be JSON-serializable to be checkpointed.
 */
export class AccumulateNode<T, S> extends Stream<any> implements Fusable, Checkpointable {
  override kind = 'accumulate';
  readonly namespace: string;
  readonly keepsInput = 'a running state';
  readonly fn: (state: S, x: T, ...args: any[]) => any;
  readonly args: readonly unknown[];
  readonly returnsState: boolean;
  readonly withState: boolean;
  declare state: S | undefined;
  hasState: boolean;
  /** The partition whose state `state` and `hasState` are; the others wait in `parked`. */
  current = 0;
  private parked: Map<number, { state: S | undefined; has: boolean }> | null = null;
  /** The current partition's state changed since the last checkpoint (one field write per element). */
  dirty = false;
  /** Other partitions whose state changed since the last checkpoint. */
  private readonly changed = new Set<number>();
  private readonly initial: { state: S | undefined; has: boolean };

  constructor(
    upstream: Stream<T>,
    fn: (state: S, x: T, ...args: any[]) => any,
    options: AccumulateOptions<S>,
    args: readonly unknown[],
  ) {
    requireFunction('accumulate', 'fn', fn);
    super({ clock: upstream.clock });
    this.fn = fn;
    this.args = args;
    this.returnsState = options.returnsState === true;
    this.withState = options.withState === true;
    this.namespace = namespaceOption('accumulate', options.namespace, 'accumulate');
    this.hasState = 'start' in options;
    this.state = options.start;
    this.initial = { state: options.start, has: this.hasState };
    upstream.connect(this);
  }

  /** Makes `state` the state of partition `p` (a new partition starts from `start`). */
  switchTo(p: number): void {
    if (p === this.current) return;
    const parked = (this.parked ??= new Map());
    parked.set(this.current, { state: this.state, has: this.hasState });
    if (this.dirty) this.changed.add(this.current);
    this.dirty = false;
    const next = parked.get(p) ?? this.initial;
    parked.delete(p);
    this.current = p;
    this.state = next.state;
    this.hasState = next.has;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (metadata !== undefined) this.switchTo(partitionOf(metadata));
    this.dirty = true;
    if (!this.hasState) {
      this.state = x as S;
      this.hasState = true;
      return this.pass(this.withState ? [x, x] : x, metadata);
    }
    const r = (this.fn as (s: unknown, x: unknown, ...a: unknown[]) => any)(this.state, x, ...this.args);
    let out: unknown;
    if (this.returnsState) {
      this.state = r[0];
      out = r[1];
    } else {
      this.state = r;
      out = r;
    }
    return this.pass(this.withState ? [this.state, out] : out, metadata);
  }

  /**
   * Writes the state of each partition that changed since the last call (one entry each). Only those: a partition
   * not restored yet holds the start state, which must not overwrite its stored one.
   */
  checkpoint(writer: CheckpointWriter): void {
    const write = (p: number, e: { state: S | undefined; has: boolean }) => {
      if (e.has) writer.set(this.namespace, p, STATE, { state: e.state ?? null });
      else writer.delete(this.namespace, p, STATE);
    };
    if (this.dirty) write(this.current, { state: this.state, has: this.hasState });
    for (const p of this.changed) {
      const e = this.parked?.get(p);
      if (e !== undefined) write(p, e);
    }
    this.dirty = false;
    this.changed.clear();
  }

  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== STATE) continue;
      const e = { state: (v as { state: S }).state, has: true };
      if (partition === this.current) {
        this.state = e.state;
        this.hasState = true;
      } else (this.parked ??= new Map()).set(partition, e);
    }
  }

  dropPartition(partition: number): void {
    this.parked?.delete(partition);
    this.changed.delete(partition);
    if (partition === this.current) {
      this.dirty = false;
      this.state = this.initial.state;
      this.hasState = this.initial.has;
    }
  }

  fuse(ctx: FuseContext): string {
    const n = ctx.bind(this);
    // Elements with metadata (Kafka records) may come from another partition: its own state.
    const part = `if (md !== undefined) ${n}.switchTo(${ctx.bind(partitionOf)}(md));`;
    const call = `${ctx.bind(this.fn)}(${n}.state, x${this.args.map((a) => `, ${ctx.bind(a)}`).join('')})`;
    const step = this.returnsState
      ? `{ const r = ${call}; ${n}.state = r[0]; x = r[1]; ${n}.dirty = true; }`
      : `{ x = ${n}.state = ${call}; ${n}.dirty = true; }`;
    const wrap = this.withState ? `x = [${n}.state, x];` : '';
    // With a start the state always exists: no branch per element.
    if (this.initial.has) return `${part} ${step} ${wrap}`;
    const first = `${n}.state = x; ${n}.hasState = true; ${n}.dirty = true;${this.withState ? ' x = [x, x];' : ''}`;
    return `${part} if (${n}.hasState) { ${step} ${wrap} } else { ${first} }`;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Accumulates a state: emits `state = fn(state, x)` for each element (streamz's `accumulate` / `scan`).
     * @example source.accumulate((sum, x) => sum + x, { start: 0 })
     */
    accumulate<S>(
      fn: (state: S, x: T, ...args: any[]) => S,
      options?: AccumulateOptions<S> & { returnsState?: false },
      ...args: unknown[]
    ): Stream<S>;
    accumulate<S, R>(
      fn: (state: S, x: T, ...args: any[]) => [S, R],
      options: AccumulateOptions<S> & { returnsState: true },
      ...args: unknown[]
    ): Stream<R>;
    /** Another name for `accumulate`. */
    scan<S>(
      fn: (state: S, x: T, ...args: any[]) => S,
      options?: AccumulateOptions<S> & { returnsState?: false },
      ...args: unknown[]
    ): Stream<S>;
    scan<S, R>(
      fn: (state: S, x: T, ...args: any[]) => [S, R],
      options: AccumulateOptions<S> & { returnsState: true },
      ...args: unknown[]
    ): Stream<R>;
  }
}

function accumulate(
  this: Stream<any>,
  fn: (s: any, x: any, ...a: any[]) => any,
  options: AccumulateOptions<any> = {},
  ...args: unknown[]
) {
  return new AccumulateNode(this, fn, options ?? {}, args);
}
Stream.register('accumulate', accumulate);
Stream.register('scan', accumulate);
