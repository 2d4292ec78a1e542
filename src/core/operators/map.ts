import { requireFunction } from '../../errors.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** Applies `fn(x, ...args)` to every element. */
export class MapNode<T, R> extends Stream<R> implements Fusable {
  override kind = 'map';
  readonly fn: (x: T, ...args: any[]) => R;
  readonly args: readonly unknown[];

  constructor(upstream: Stream<T>, fn: (x: T, ...args: any[]) => R, args: readonly unknown[]) {
    requireFunction('map', 'fn', fn);
    super({ clock: upstream.clock });
    this.fn = fn;
    this.args = args;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const fn = this.fn as (x: unknown, ...a: unknown[]) => R;
    return this.pass(this.args.length === 0 ? fn(x) : fn(x, ...this.args), metadata);
  }

  fuse(ctx: FuseContext): string {
    const extra = this.args.map((a) => `, ${ctx.bind(a)}`).join('');
    return `x = ${ctx.bind(this.fn)}(x${extra});`;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Applies `fn` to every element; extra arguments are passed after it.
     * @example source.map((x) => x * 2)
     * @example source.map(Math.pow, 2) // x ** 2
     */
    map<R, A extends unknown[] = []>(fn: (x: T, ...args: A) => R, ...args: A): Stream<R>;
  }
}

Stream.register('map', function map(this: Stream<any>, fn: (x: any, ...a: any[]) => any, ...args: unknown[]) {
  return new MapNode(this, fn, args);
});
