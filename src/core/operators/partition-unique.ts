import { badArgument, requireInteger } from '../../errors.ts';
import { emitHeldBatch, type Held, hold } from '../held.ts';
import { hashKey, type KeySpec, toKeyFn } from '../key.ts';
import { type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface UniqueBufferOptions<T> {
  /** What makes two elements the same: a function, a field name or an index. Default: the element itself. */
  key?: KeySpec<T>;
  /** On a repeated key: keep the first element, or replace it with the last and move it to the end. */
  keep?: 'first' | 'last';
}

/** A buffer of elements with distinct keys, in arrival order; shared by partitionUnique and timedWindowUnique. */
export class UniqueBuffer<T> {
  private readonly keyOf: (x: T) => unknown;
  private readonly keepLast: boolean;
  readonly items = new Map<unknown, Held<T>>();

  constructor(where: string, options: UniqueBufferOptions<T>) {
    const keep = options.keep ?? 'first';
    if (keep !== 'first' && keep !== 'last') badArgument(where, 'keep', keep, "'first' or 'last'");
    this.keyOf = toKeyFn(where, options.key);
    this.keepLast = keep === 'last';
  }

  add(x: T, md: Metadata | undefined): void {
    const k = hashKey(this.keyOf(x));
    const old = this.items.get(k);
    if (old !== undefined) {
      if (!this.keepLast) return;
      this.items.delete(k);
      releaseRefs(old.md);
    }
    this.items.set(k, hold(x, md));
  }

  /** Empties the buffer, returning its held elements in order; the caller releases them. */
  take(): Held<T>[] {
    const held = [...this.items.values()];
    this.items.clear();
    return held;
  }
}

/** Emits an array once `n` distinct keys are buffered. */
export class PartitionUniqueNode<T> extends Stream<T[]> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'records until a batch is full';
  override kind = 'partitionUnique';
  readonly n: number;
  private readonly keys: UniqueBuffer<T>;

  constructor(upstream: Stream<T>, n: number, options: UniqueBufferOptions<T>) {
    requireInteger('partitionUnique', 'n', n, 1);
    const buffer = new UniqueBuffer<T>('partitionUnique', options);
    super({ clock: upstream.clock });
    this.n = n;
    this.keys = buffer;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.keys.add(x as T, metadata);
    if (this.keys.items.size < this.n) return;
    return emitHeldBatch(this, this.keys.take());
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits an array once `n` elements with distinct keys are buffered (`keep: 'first'` ignores repeats,
     * `'last'` replaces them and moves them to the end).
     * @example source.partitionUnique(3, { key: (r) => r.id, keep: 'last' })
     */
    partitionUnique(n: number, options?: UniqueBufferOptions<T>): Stream<T[]>;
  }
}

Stream.register(
  'partitionUnique',
  function partitionUnique(this: Stream<any>, n: number, options: UniqueBufferOptions<any> = {}) {
    return new PartitionUniqueNode(this, n, options);
  },
);
