import { hashKey } from '../key.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/** Counts how often each value was seen; emits a fresh `Map` of the counts after every element. */
export class FrequenciesNode<T> extends Stream<Map<T, number>> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'counts';
  override kind = 'frequencies';
  private readonly counts = new Map<unknown, number>();
  private readonly values = new Map<unknown, T>();

  constructor(upstream: Stream<T>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const k = hashKey(x);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    if (!this.values.has(k)) this.values.set(k, x as T);
    const out = new Map<T, number>();
    for (const [key, n] of this.counts) out.set(this.values.get(key)!, n);
    return this.pass(out, metadata);
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits the running count of each distinct value, as a `Map` from value to count.
     * @example source.frequencies() // 'a', 'b', 'a' -> ..., Map { 'a' => 2, 'b' => 1 }
     */
    frequencies(): Stream<ReadonlyMap<T, number>>;
  }
}

Stream.register('frequencies', function frequencies(this: Stream<any>) {
  return new FrequenciesNode(this);
});
