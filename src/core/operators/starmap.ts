import { requireFunction } from '../../errors.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** Spreads every element (an array) into the arguments of `fn`. */
export class StarmapNode<R> extends Stream<R> implements Fusable {
  override kind = 'starmap';
  readonly fn: (...args: any[]) => R;
  readonly args: readonly unknown[];

  constructor(upstream: Stream<any>, fn: (...args: any[]) => R, args: readonly unknown[]) {
    requireFunction('starmap', 'fn', fn);
    super({ clock: upstream.clock });
    this.fn = fn;
    this.args = args;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    return this.pass(this.fn(...(x as unknown[]), ...this.args), metadata);
  }

  fuse(ctx: FuseContext): string {
    const extra = this.args.map((a) => `, ${ctx.bind(a)}`).join('');
    return `x = ${ctx.bind(this.fn)}(...x${extra});`;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Calls `fn(...x, ...args)` for every element `x` (an array standing for a tuple).
     * @example source.starmap((a, b) => a + b) // [1, 10] -> 11
     */
    starmap<R>(fn: (...args: any[]) => R, ...args: unknown[]): Stream<R>;
  }
}

Stream.register('starmap', function starmap(this: Stream<any>, fn: (...a: any[]) => any, ...args: unknown[]) {
  return new StarmapNode(this, fn, args);
});
