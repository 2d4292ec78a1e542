import { requireInteger } from '../../errors.ts';
import { concatMetadata, type Metadata, releaseRefs, retainRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface SlidingWindowOptions {
  /** Emit the window before it holds `n` elements too. Default: true. */
  returnPartial?: boolean;
}

/**
 * Emits the last `n` elements as an array after every element. An element's metadata is held until the window
 * that first holds it full has been emitted (the next element would push it out).
 */
export class SlidingWindowNode<T> extends Stream<T[]> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'the last n records';
  override kind = 'slidingWindow';
  readonly n: number;
  private readonly returnPartial: boolean;
  private readonly values: T[] = [];
  private readonly metas: (Metadata | undefined)[] = [];

  constructor(upstream: Stream<T>, n: number, options: SlidingWindowOptions) {
    requireInteger('slidingWindow', 'n', n, 1);
    super({ clock: upstream.clock });
    this.n = n;
    this.returnPartial = options.returnPartial ?? true;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    retainRefs(metadata);
    this.values.push(x as T);
    if (this.values.length > this.n) this.values.shift();
    this.metas.push(metadata);
    if (this.metas.length > this.n) releaseRefs(this.metas.shift());
    if (!this.returnPartial && this.values.length < this.n) return;
    const r = this.pass(this.values.slice(), concatMetadata(this.metas));
    if (this.metas.length === this.n) releaseRefs(this.metas.shift());
    return r;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits the last `n` elements as an array after every element.
     * @example source.slidingWindow(3) // 1, 2, 3, 4 -> [1], [1, 2], [1, 2, 3], [2, 3, 4]
     */
    slidingWindow(n: number, options?: SlidingWindowOptions): Stream<T[]>;
  }
}

Stream.register(
  'slidingWindow',
  function slidingWindow(this: Stream<any>, n: number, options: SlidingWindowOptions = {}) {
    return new SlidingWindowNode(this, n, options);
  },
);
