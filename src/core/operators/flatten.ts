import { describe, TwinstreamError } from '../../errors.ts';
import type { Metadata } from '../refcount.ts';
import { noop, type Pushed, Stream } from '../stream.ts';

/** Emits each item of every element (any iterable: arrays, sets, generators). */
export class FlattenNode<T> extends Stream<T> {
  override kind = 'flatten';

  constructor(upstream: Stream<Iterable<T>>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (x === null || typeof (x as any)?.[Symbol.iterator] !== 'function') {
      throw new TwinstreamError(
        'TS_NOT_ITERABLE',
        `flatten: element ${describe(x)} is not iterable; expected an array or another iterable`,
      );
    }
    let pending: Promise<void>[] | undefined;
    for (const item of x as Iterable<T>) {
      const r = this.pass(item, metadata);
      if (r !== undefined) (pending ??= []).push(r);
    }
    if (pending === undefined) return;
    return Promise.all(pending).then(noop);
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits the items of every element one by one.
     * @example source.flatten() // [1, 2], [3] -> 1, 2, 3
     */
    flatten(): Stream<T extends Iterable<infer U> ? U : unknown>;
  }
}

Stream.register('flatten', function flatten(this: Stream<any>) {
  return new FlattenNode(this);
});
