import { badArgument } from '../../errors.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';
import { isStatefulOptions, StatefulNode } from './stateful.ts';

/** Passes the elements for which `predicate(x, ...args)` is truthy (`keep`), or falsy (`remove`). */
export class FilterNode<T> extends Stream<T> implements Fusable {
  override kind: string;
  readonly predicate: ((x: T, ...args: any[]) => unknown) | null;
  readonly args: readonly unknown[];
  readonly keep: boolean;

  constructor(
    upstream: Stream<T>,
    predicate: ((x: T, ...args: any[]) => unknown) | null | undefined,
    args: readonly unknown[],
    keep: boolean,
  ) {
    const kind = keep ? 'filter' : 'remove';
    if (predicate != null && typeof predicate !== 'function')
      badArgument(kind, 'predicate', predicate, 'a function, or nothing to keep truthy elements');
    if (!keep && predicate == null) badArgument(kind, 'predicate', predicate, 'a function');
    super({ clock: upstream.clock });
    this.kind = kind;
    this.predicate = predicate ?? null;
    this.args = args;
    this.keep = keep;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const p = this.predicate as ((x: unknown, ...a: unknown[]) => unknown) | null;
    const ok = p === null ? x : this.args.length === 0 ? p(x) : p(x, ...this.args);
    if (!ok === this.keep) return;
    return this.pass(x as T, metadata);
  }

  fuse(ctx: FuseContext): string {
    const test =
      this.predicate === null
        ? 'x'
        : `${ctx.bind(this.predicate)}(x${this.args.map((a) => `, ${ctx.bind(a)}`).join('')})`;
    return this.keep ? `if (!${test}) return;` : `if (${test}) return;`;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Keeps the elements for which `predicate(x, ...args)` is truthy; with no predicate, the truthy elements.
     * @example source.filter((x) => x % 2 === 0)
     */
    filter<S extends T>(predicate: (x: T) => x is S): Stream<S>;
    filter<A extends unknown[] = []>(predicate?: ((x: T, ...args: A) => unknown) | null, ...args: A): Stream<T>;
    /**
     * Drops the elements for which `predicate(x)` is truthy.
     * @example source.remove((x) => x < 0)
     */
    remove(predicate: (x: T) => unknown): Stream<T>;
  }
}

Stream.register(
  'filter',
  function filter(this: Stream<any>, predicate?: (x: any, ...a: any[]) => unknown, ...args: unknown[]) {
    // `filter(fn, { stateful: true })` is Quix's stateful filter, not an extra argument.
    if (args.length === 1 && isStatefulOptions(args[0])) return new StatefulNode(this, 'filter', predicate!, args[0]);
    return new FilterNode(this, predicate, args, true);
  },
);
Stream.register('remove', function remove(this: Stream<any>, predicate: (x: any) => unknown) {
  return new FilterNode(this, predicate, [], false);
});
