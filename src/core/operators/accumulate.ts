import { requireFunction } from '../../errors.ts';
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
}

/** Carries a state across elements: `state = fn(state, x)`, emitting the state (or what `fn` says). */
export class AccumulateNode<T, S> extends Stream<any> implements Fusable {
  override kind = 'accumulate';
  readonly fn: (state: S, x: T, ...args: any[]) => any;
  readonly args: readonly unknown[];
  readonly returnsState: boolean;
  readonly withState: boolean;
  declare state: S | undefined;
  hasState: boolean;

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
    this.hasState = 'start' in options;
    this.state = options.start;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
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

  fuse(ctx: FuseContext): string {
    const n = ctx.bind(this);
    const call = `${ctx.bind(this.fn)}(${n}.state, x${this.args.map((a) => `, ${ctx.bind(a)}`).join('')})`;
    const step = this.returnsState
      ? `{ const r = ${call}; ${n}.state = r[0]; x = r[1]; }`
      : `{ x = ${n}.state = ${call}; }`;
    const wrap = this.withState ? `x = [${n}.state, x];` : '';
    // With a start the state always exists: no branch per element.
    if (this.hasState) return `${step} ${wrap}`;
    const first = `${n}.state = x; ${n}.hasState = true;${this.withState ? ' x = [x, x];' : ''}`;
    return `if (${n}.hasState) { ${step} ${wrap} } else { ${first} }`;
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
