import { emitHeldBatch, type Held, hold } from '../held.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** Holds every element until `flush()`, which emits them all as one array (possibly empty). */
export class CollectNode<T> extends Stream<T[]> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'records until flushed';
  override kind = 'collect';
  private items: Held<T>[] = [];

  constructor(upstream: Stream<T>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.items.push(hold(x as T, metadata));
  }

  /** Emits what was collected and starts over. Bound: it can be passed as a callback (`other.sink(c.flush)`). */
  readonly flush = (_ignored?: unknown): Pushed => {
    const items = this.items;
    this.items = [];
    return emitHeldBatch(this, items);
  };

  /** How many elements are held. */
  get size(): number {
    return this.items.length;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Holds elements until `flush()` is called, then emits them as one array.
     * @example const c = source.collect(); ticks.sink(c.flush);
     */
    collect(): CollectNode<T>;
  }
}

Stream.register('collect', function collect(this: Stream<any>) {
  return new CollectNode(this);
});
