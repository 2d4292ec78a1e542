import { badArgument } from '../../errors.ts';
import { hashKey, type KeySpec, toKeyFn } from '../key.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface UniqueOptions<T> {
  /** How many recent keys to remember (least recently seen forgotten first). Default: all of them (unbounded). */
  maxsize?: number;
  /** What makes two elements the same: a function, a field name or an index. Default: the element, by value. */
  key?: KeySpec<T>;
}

/** Passes an element only if its key is not among the remembered ones; keys compare by value. */
export class UniqueNode<T> extends Stream<T> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'the elements seen';
  override kind = 'unique';
  private readonly keyOf: (x: T) => unknown;
  private readonly maxsize: number;
  // A Map keeps insertion order: re-inserting a key on every sighting makes it an LRU.
  private readonly seen = new Map<unknown, true>();

  constructor(upstream: Stream<T>, options: UniqueOptions<T>) {
    const maxsize = options.maxsize ?? Number.POSITIVE_INFINITY;
    if (!(maxsize === Number.POSITIVE_INFINITY || (Number.isInteger(maxsize) && maxsize >= 1))) {
      badArgument('unique', 'maxsize', options.maxsize, 'an integer >= 1, or nothing for no limit');
    }
    const keyOf = toKeyFn('unique', options.key);
    super({ clock: upstream.clock });
    this.keyOf = keyOf;
    this.maxsize = maxsize;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const k = hashKey(this.keyOf(x as T));
    const known = this.seen.delete(k);
    this.seen.set(k, true);
    if (known) return;
    if (this.seen.size > this.maxsize) this.seen.delete(this.seen.keys().next().value);
    return this.pass(x as T, metadata);
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Drops elements whose key was seen recently (among the last `maxsize` distinct keys).
     * @example source.unique({ key: (r) => r.id, maxsize: 1000 })
     */
    unique(options?: UniqueOptions<T>): Stream<T>;
  }
}

Stream.register('unique', function unique(this: Stream<any>, options: UniqueOptions<any> = {}) {
  return new UniqueNode(this, options);
});
