import { badArgument } from '../../errors.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/**
 * Passes element number `i` (counting from 0) when `i >= start` and `i % step === 0`; after `end` elements it
 * detaches from its upstreams. As in streamz, `step` applies to the absolute count, not relative to `start`.
 */
export class SliceNode<T> extends Stream<T> {
  override kind = 'slice';
  readonly first: number;
  readonly last: number | null;
  readonly step: number;
  private count = 0;

  constructor(upstream: Stream<T>, start: number | null, end: number | null, step: number | null) {
    const check = (name: string, v: number | null, min: number) => {
      if (v !== null && (!Number.isInteger(v) || v < min))
        badArgument('slice', name, v, `null or an integer >= ${min}`);
    };
    check('start', start, 0);
    check('end', end, 0);
    check('step', step, 1);
    super({ clock: upstream.clock });
    this.first = start ?? 0;
    this.last = end;
    this.step = step ?? 1;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const i = this.count++;
    const pass = i >= this.first && i % this.step === 0;
    if (this.last !== null && this.count >= this.last) {
      for (const up of [...this.upstreams]) up.disconnect(this);
    }
    return pass ? this.pass(x as T, metadata) : undefined;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Like `Array.prototype.slice` with a step, on a stream: `slice(start, end, step)`, each `null` for none.
     * @example source.slice(null, 4) // the first four elements, then detaches
     */
    slice(start?: number | null, end?: number | null, step?: number | null): Stream<T>;
  }
}

Stream.register('slice', function slice(this: Stream<any>, start = null, end = null, step = null) {
  return new SliceNode(this, start, end, step);
});
