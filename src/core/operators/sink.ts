import { requireFunction } from '../../errors.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { isThenable, type Pushed, Stream } from '../stream.ts';

/**
 * Calls `fn(x)` for every element and emits nothing. When `fn` returns a promise, the element (and its
 * metadata) is held until it settles, and the promise goes back to the emitter: end-to-end back pressure.
 */
export class SinkNode<T> extends Stream<unknown> implements Fusable {
  override kind = 'sink';
  readonly fn: (x: T, ...args: any[]) => unknown;
  readonly args: readonly unknown[];

  constructor(upstream: Stream<T>, fn: (x: T, ...args: any[]) => unknown, args: readonly unknown[]) {
    requireFunction('sink', 'fn', fn);
    super({ clock: upstream.clock });
    this.fn = fn;
    this.args = args;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const r = (this.fn as (x: unknown, ...a: unknown[]) => unknown)(x, ...this.args);
    if (!isThenable(r)) return;
    return holdWhile(r, metadata);
  }

  fuse(ctx: FuseContext): string {
    const extra = this.args.map((a) => `, ${ctx.bind(a)}`).join('');
    return `{ const r = ${ctx.bind(this.fn)}(x${extra}); if (r !== undefined && r !== null && typeof r.then === 'function') return md === undefined && r instanceof Promise ? r : ${ctx.hold}(r, md); return; }`;
  }
}

function holdWhile(p: PromiseLike<unknown>, metadata: Metadata | undefined): Promise<void> {
  if (metadata !== undefined) for (const m of metadata) m.ref?.retain();
  const release = () => {
    if (metadata !== undefined) for (const m of metadata) m.ref?.release();
  };
  return Promise.resolve(p).then(release, (e) => {
    release();
    throw e;
  });
}

/** Collects every element into `list`. */
export class SinkToListNode<T> extends Stream<unknown> implements Fusable {
  override kind = 'sinkToList';
  readonly list: T[] = [];

  constructor(upstream: Stream<T>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(x: unknown): Pushed {
    this.list.push(x as T);
  }

  fuse(ctx: FuseContext): string {
    return `${ctx.bind(this.list)}.push(x); return;`;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Calls `fn(x, ...args)` on every element; a returned promise is awaited by the emitter (back pressure).
     * @example source.sink((x) => console.log(x))
     */
    sink(fn: (x: T, ...args: any[]) => unknown, ...args: unknown[]): Stream<unknown>;
    /**
     * Collects every element into an array, returned at once and filled as elements arrive.
     * @example const out = source.map((x) => x + 1).sinkToList();
     */
    sinkToList(): T[];
  }
}

Stream.register('sink', function sink(this: Stream<any>, fn: (x: any, ...a: any[]) => unknown, ...args: unknown[]) {
  return new SinkNode(this, fn, args);
});
Stream.register('sinkToList', function sinkToList(this: Stream<any>) {
  return new SinkToListNode(this).list;
});
