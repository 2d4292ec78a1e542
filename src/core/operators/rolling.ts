import { badArgument, requireInteger } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../checkpointable.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import { fromJsonNumbers, toJsonNumbers } from '../json-numbers.ts';
import { AGGREGATES, type Aggregate, sampleVariance } from '../moments.ts';
import { PartitionStates } from '../partition-states.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** The aggregates `rolling` keeps in O(1) per element: the built-in ones of every layer (core/moments.ts). */
export type RollingAggregate = Aggregate;

export interface RollingOptions {
  /** Emit only once this many elements are in the window. Default: `n` (a full window). */
  minPeriods?: number;
  /** The state namespace when an application checkpoints it. Default: `'rolling'`. */
  namespace?: string;
}

// Sums drift when values enter and leave for ever; recomputing them from the ring every so often bounds the
// error at the cost of one pass over the window per `RESUM` windows.
const RESUM = 1024;

/**
 * The state of one rolling aggregate over the last `n` numbers, each update O(1) (amortized for min/max).
 * One class per family of aggregates keeps `add` small and monomorphic where it is inlined; running sums live in
 * a Float64Array, so updating them allocates nothing.
 */
export abstract class RollingState {
  readonly n: number;
  readonly kind: RollingAggregate;
  readonly ring: Float64Array;
  filled = 0;
  /** @internal Where the next number goes in the ring (read by fused code). */
  head = 0;

  constructor(n: number, kind: RollingAggregate) {
    this.n = n;
    this.kind = kind;
    this.ring = new Float64Array(n);
  }

  /** Takes one number into the window (the oldest leaves once the window is full). */
  abstract add(x: number): void;

  /** The aggregate of the numbers in the window now. */
  abstract value(): number;

  /** The state as JSON values (a copy: a checkpoint). */
  save(): Record<string, unknown> {
    return { ring: toJsonNumbers(this.ring), filled: this.filled, head: this.head };
  }

  /** Takes back what `save` gave (a state of the same `n` and kind). */
  load(saved: Record<string, unknown>): void {
    this.ring.set(fromJsonNumbers(saved.ring).subarray(0, this.n));
    this.filled = saved.filled as number;
    this.head = saved.head as number;
  }

  /** Fused code (see `RollingNode.fuse`) that adds `x` to the state bound as `s`, then sets `x` to the value or
   * returns while fewer than `minPeriods` numbers are in. */
  fuse(s: string, minPeriods: number): string {
    return `${s}.add(x); if (${s}.filled < ${minPeriods}) return; x = ${s}.value();`;
  }

  /** A state for `kind`. */
  static of(n: number, kind: RollingAggregate): RollingState {
    if (kind === 'min' || kind === 'max') return new RollingExtreme(n, kind);
    return new RollingSums(n, kind);
  }
}

/**
 * The sums behind sum, mean, count (`[Σx]`) and var, std (`[Σx, Σx²]`). The ring starts zeroed, so the number
 * that leaves while the window fills is 0 and one update serves both phases.
 */
class RollingSums extends RollingState {
  /** @internal Σx, and Σx² for var and std (read by fused code). */
  readonly acc: Float64Array;
  private readonly squares: boolean;
  /** @internal Updates left until the sums are recomputed from the ring. */
  untilResum: number;

  constructor(n: number, kind: RollingAggregate) {
    super(n, kind);
    this.squares = kind === 'var' || kind === 'std';
    this.acc = new Float64Array(this.squares ? 2 : 1);
    this.untilResum = RESUM * n;
  }

  add(x: number): void {
    const h = this.head;
    const old = this.ring[h]!;
    this.ring[h] = x;
    this.head = h + 1 === this.n ? 0 : h + 1;
    if (this.filled < this.n) this.filled++;
    this.acc[0]! += x - old;
    if (this.squares) this.acc[1]! += x * x - old * old;
    if (--this.untilResum === 0) this.resum();
  }

  // The update and the value written out for this kind, so the source loop does no call and no switch per element.
  override fuse(s: string, minPeriods: number): string {
    const sq = this.squares ? 'A[1] += x * x - old * old;' : '';
    const n = this.n;
    const value =
      this.kind === 'sum'
        ? 'A[0]'
        : this.kind === 'mean'
          ? `A[0] / ${s}.filled`
          : this.kind === 'count'
            ? `${s}.filled`
            : `${s}.value()`;
    return `{ const R = ${s}.ring; const h = ${s}.head; const old = R[h]; R[h] = x;
      ${s}.head = h + 1 === ${n} ? 0 : h + 1;
      if (${s}.filled < ${n}) ${s}.filled++;
      const A = ${s}.acc; A[0] += x - old; ${sq}
      if (--${s}.untilResum === 0) ${s}.resum();
      if (${s}.filled < ${minPeriods}) return;
      x = ${value}; }`;
  }

  override save(): Record<string, unknown> {
    return { ...super.save(), acc: toJsonNumbers(this.acc), untilResum: this.untilResum };
  }

  override load(saved: Record<string, unknown>): void {
    super.load(saved);
    this.acc.set(fromJsonNumbers(saved.acc).subarray(0, this.acc.length));
    this.untilResum = saved.untilResum as number;
  }

  /** @internal Recomputes the sums from the ring (bounds the drift of adding and taking away for ever). */
  resum(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.filled; i++) {
      const v = this.ring[i]!;
      s += v;
      q += v * v;
    }
    this.acc[0] = s;
    if (this.squares) this.acc[1] = q;
    this.untilResum = RESUM * this.n;
  }

  value(): number {
    const k = this.filled;
    const sum = this.acc[0]!;
    switch (this.kind) {
      case 'sum':
        return sum;
      case 'mean':
        return sum / k;
      case 'count':
        return k;
      default: {
        // var and std from the window's Σx and Σx² (values leave the window: no Welford here), M2 = Σx² − (Σx)²/k
        const v = sampleVariance(k, this.acc[1]! - (sum * sum) / k);
        return this.kind === 'std' ? Math.sqrt(v) : v;
      }
    }
  }
}

/** min and max: a monotonic deque of (sequence number, value) in two rings of size n. */
class RollingExtreme extends RollingState {
  private readonly dqValue: Float64Array;
  private readonly dqSeq: Float64Array;
  private readonly isMin: boolean;
  private dqHead = 0;
  private dqLen = 0;
  private seq = 0;

  constructor(n: number, kind: RollingAggregate) {
    super(n, kind);
    this.dqValue = new Float64Array(n);
    this.dqSeq = new Float64Array(n);
    this.isMin = kind === 'min';
  }

  add(x: number): void {
    const n = this.n;
    if (this.filled < n) this.filled++;
    const s = this.seq++;
    // Drop the front once it has left the window.
    if (this.dqLen > 0 && this.dqSeq[this.dqHead]! <= s - n) {
      this.dqHead = this.dqHead + 1 === n ? 0 : this.dqHead + 1;
      this.dqLen--;
    }
    // Drop from the back every value the new one dominates.
    while (this.dqLen > 0) {
      let back = this.dqHead + this.dqLen - 1;
      if (back >= n) back -= n;
      const v = this.dqValue[back]!;
      if (this.isMin ? v >= x : v <= x) this.dqLen--;
      else break;
    }
    let at = this.dqHead + this.dqLen;
    if (at >= n) at -= n;
    this.dqValue[at] = x;
    this.dqSeq[at] = s;
    this.dqLen++;
  }

  value(): number {
    return this.dqValue[this.dqHead]!;
  }

  override save(): Record<string, unknown> {
    return {
      ...super.save(),
      dqValue: toJsonNumbers(this.dqValue),
      dqSeq: toJsonNumbers(this.dqSeq),
      dqHead: this.dqHead,
      dqLen: this.dqLen,
      seq: this.seq,
    };
  }

  override load(saved: Record<string, unknown>): void {
    super.load(saved);
    this.dqValue.set(fromJsonNumbers(saved.dqValue).subarray(0, this.n));
    this.dqSeq.set(fromJsonNumbers(saved.dqSeq).subarray(0, this.n));
    this.dqHead = saved.dqHead as number;
    this.dqLen = saved.dqLen as number;
    this.seq = saved.seq as number;
  }
}

/**
 * Emits an aggregate of the last `n` numbers after each one. Elements from Kafka carry their partition: each
 * partition has its own window, which is {@link Checkpointable} (a checkpoint writes the window of each partition
 * that took a number since the last one: the whole ring, as every number changes it).
 */
export class RollingNode extends Stream<number> implements Fusable, Checkpointable {
  /** What it keeps between elements (`KeepsInput`): the last `n` numbers, checkpointed. */
  readonly keepsInput: string = 'a rolling window of values';
  override kind = 'rolling';
  readonly namespace: string;
  /** @internal The window of each partition (fused code reads the current one through it: it changes with the partition). */
  readonly states: PartitionStates<RollingState>;
  readonly minPeriods: number;

  constructor(upstream: Stream<number>, n: number, aggregate: RollingAggregate, options: RollingOptions) {
    requireInteger('rolling', 'n', n, 1);
    if (!AGGREGATES.includes(aggregate)) {
      badArgument('rolling', 'aggregate', aggregate, `one of ${AGGREGATES.join(', ')}`);
    }
    const minPeriods = options.minPeriods ?? n;
    requireInteger('rolling', 'minPeriods', minPeriods, 1);
    const namespace = namespaceOption('rolling', options.namespace, 'rolling');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.states = new PartitionStates(() => RollingState.of(n, aggregate));
    this.minPeriods = Math.min(minPeriods, n);
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const states = this.states;
    if (metadata !== undefined) states.switchTo(partitionOf(metadata));
    states.dirty = true;
    const state = states.state;
    state.add(x as number);
    if (state.filled < this.minPeriods) return;
    return this.pass(state.value(), metadata);
  }

  fuse(ctx: FuseContext): string {
    const p = ctx.bind(this.states);
    // Elements with metadata (Kafka records) may come from another partition: its own window.
    const part = `if (md !== undefined) ${p}.switchTo(${ctx.bind(partitionOf)}(md)); ${p}.dirty = true;`;
    return `${part} { const S = ${p}.state; ${this.states.state.fuse('S', this.minPeriods)} }`;
  }

  /** {@link Checkpointable}: the window of each partition that changed since the last call, one entry each. */
  checkpoint(writer: CheckpointWriter): void {
    this.states.checkpoint(writer, this.namespace);
  }

  /** {@link Checkpointable}: replaces the window of `partition` with the one `reader` has (none: empty). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.states.restore(reader, this.namespace, partition);
  }

  /** {@link Checkpointable}: forgets the window of `partition`. */
  dropPartition(partition: number): void {
    this.states.drop(partition);
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * A rolling aggregate of the last `n` numbers, O(1) per element.
     * @example prices.rolling(100, 'mean')
     */
    rolling(n: number, aggregate: RollingAggregate, options?: RollingOptions): Stream<number>;
  }
}

Stream.register(
  'rolling',
  function rolling(this: Stream<any>, n: number, aggregate: RollingAggregate, options: RollingOptions = {}) {
    return new RollingNode(this, n, aggregate, options);
  },
);
