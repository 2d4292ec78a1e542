import { badArgument, requireInteger } from '../../errors.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** The aggregates `rolling` keeps in O(1) per element. */
export type RollingAggregate = 'sum' | 'mean' | 'count' | 'min' | 'max' | 'var' | 'std';

export interface RollingOptions {
  /** Emit only once this many elements are in the window. Default: `n` (a full window). */
  minPeriods?: number;
}

// Sums drift when values enter and leave for ever; recomputing them from the ring every so often bounds the
// error at the cost of one pass over the window per `RESUM` windows.
const RESUM = 1024;

/** The state of one rolling aggregate over the last `n` numbers, each update O(1) (amortized for min/max). */
export class RollingState {
  readonly n: number;
  readonly kind: RollingAggregate;
  readonly ring: Float64Array;
  filled = 0;
  private head = 0;
  private sum = 0;
  private sumSq = 0;
  private untilResum: number;
  // min/max: a monotonic deque of ring positions and values, kept in two rings of the same size.
  private readonly dqValue: Float64Array;
  private readonly dqSeq: Float64Array;
  private dqHead = 0;
  private dqLen = 0;
  private seq = 0;

  constructor(n: number, kind: RollingAggregate) {
    this.n = n;
    this.kind = kind;
    this.ring = new Float64Array(n);
    const extreme = kind === 'min' || kind === 'max';
    this.dqValue = new Float64Array(extreme ? n : 0);
    this.dqSeq = new Float64Array(extreme ? n : 0);
    this.untilResum = RESUM * n;
  }

  add(x: number): void {
    const old = this.ring[this.head]!;
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.n ? 0 : this.head + 1;
    const full = this.filled === this.n;
    if (!full) this.filled++;
    if (this.kind === 'min' || this.kind === 'max') {
      this.pushExtreme(x, this.kind === 'min');
      return;
    }
    this.sum += full ? x - old : x;
    if (this.kind === 'var' || this.kind === 'std') this.sumSq += full ? x * x - old * old : x * x;
    if (--this.untilResum === 0) this.resum();
  }

  private pushExtreme(x: number, min: boolean): void {
    const n = this.n;
    const s = this.seq++;
    // Drop the front once it has left the window.
    if (this.dqLen > 0 && this.dqSeq[this.dqHead]! <= s - n) {
      this.dqHead = this.dqHead + 1 === n ? 0 : this.dqHead + 1;
      this.dqLen--;
    }
    // Drop from the back every value the new one dominates.
    while (this.dqLen > 0) {
      const back = (this.dqHead + this.dqLen - 1) % n;
      const v = this.dqValue[back]!;
      if (min ? v >= x : v <= x) this.dqLen--;
      else break;
    }
    const at = (this.dqHead + this.dqLen) % n;
    this.dqValue[at] = x;
    this.dqSeq[at] = s;
    this.dqLen++;
  }

  private resum(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.filled; i++) {
      const v = this.ring[i]!;
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
    this.untilResum = RESUM * this.n;
  }

  value(): number {
    const k = this.filled;
    switch (this.kind) {
      case 'sum':
        return this.sum;
      case 'mean':
        return this.sum / k;
      case 'count':
        return k;
      case 'min':
      case 'max':
        return this.dqValue[this.dqHead]!;
      default: {
        if (k < 2) return Number.NaN;
        const v = Math.max(0, (this.sumSq - (this.sum * this.sum) / k) / (k - 1));
        return this.kind === 'std' ? Math.sqrt(v) : v;
      }
    }
  }
}

/** Emits an aggregate of the last `n` numbers after each one. */
export class RollingNode extends Stream<number> implements Fusable {
  override kind = 'rolling';
  readonly state: RollingState;
  readonly minPeriods: number;

  constructor(upstream: Stream<number>, n: number, aggregate: RollingAggregate, options: RollingOptions) {
    requireInteger('rolling', 'n', n, 1);
    if (!['sum', 'mean', 'count', 'min', 'max', 'var', 'std'].includes(aggregate)) {
      badArgument('rolling', 'aggregate', aggregate, "'sum', 'mean', 'count', 'min', 'max', 'var' or 'std'");
    }
    const minPeriods = options.minPeriods ?? n;
    requireInteger('rolling', 'minPeriods', minPeriods, 1);
    super({ clock: upstream.clock });
    this.state = new RollingState(n, aggregate);
    this.minPeriods = Math.min(minPeriods, n);
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.state.add(x as number);
    if (this.state.filled < this.minPeriods) return;
    return this.emit(this.state.value(), metadata);
  }

  fuse(ctx: FuseContext): string {
    const s = ctx.bind(this.state);
    return `${s}.add(x); if (${s}.filled < ${this.minPeriods}) return; x = ${s}.value();`;
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
