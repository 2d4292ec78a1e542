import { requireInteger } from '../errors.ts';
import { type Held, hold } from './held.ts';
import { type Metadata, releaseRefs } from './refcount.ts';
import { type Pushed, Stream } from './stream.ts';

export interface IterateOptions {
  /** How many elements may wait for the consumer before the emitter has to wait. Default 1. */
  highWaterMark?: number;
}

/** The sink behind `for await (const x of stream)`: a bounded queue between the graph and one consumer. */
class IteratorSink<T> extends Stream<unknown> {
  override kind = 'iterate';
  private readonly highWaterMark: number;
  private readonly queue: Held<T>[] = [];
  private readonly producers: (() => void)[] = [];
  private consumer: ((r: IteratorResult<T>) => void) | null = null;
  private finished = false;

  constructor(upstream: Stream<T>, highWaterMark: number) {
    super({ clock: upstream.clock });
    this.highWaterMark = highWaterMark;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.consumer !== null) {
      const c = this.consumer;
      this.consumer = null;
      c({ value: x as T, done: false });
      return;
    }
    this.queue.push(hold(x as T, metadata));
    if (this.queue.length > this.highWaterMark) return new Promise<void>((resolve) => this.producers.push(resolve));
  }

  protected override upstreamEnded(): void {
    this.finished = true;
    const c = this.consumer;
    this.consumer = null;
    c?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.queue.shift();
    if (item !== undefined) {
      releaseRefs(item.md);
      this.producers.shift()?.();
      return Promise.resolve({ value: item.x, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.consumer = resolve;
    });
  }

  close(): void {
    this.finished = true;
    for (const item of this.queue.splice(0)) releaseRefs(item.md);
    for (const p of this.producers.splice(0)) p();
    this.destroy();
  }
}

/**
 * Iterates over a stream's elements as they arrive; the loop ends when the stream ends (a finite source ran out).
 * Breaking out of the loop detaches the iterator.
 *
 * @example
 * for await (const x of iterate(source, { highWaterMark: 100 })) console.log(x);
 */
export function iterate<T>(stream: Stream<T>, options: IterateOptions = {}): AsyncIterableIterator<T> {
  const hwm = options.highWaterMark ?? 1;
  requireInteger('iterate', 'highWaterMark', hwm, 1);
  const sink = new IteratorSink(stream, hwm);
  const it: AsyncIterableIterator<T> = {
    next: () => sink.next(),
    return: (value?: any) => {
      sink.close();
      return Promise.resolve({ value, done: true });
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

/**
 * A web `ReadableStream` of the stream's elements (pull-based: the graph waits while the reader does not read).
 * @example new Response(stream.map(JSON.stringify).toReadableStream())
 */
export function toReadableStream<T>(stream: Stream<T>, options: IterateOptions = {}): ReadableStream<T> {
  const it = iterate(stream, options);
  return new ReadableStream<T>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

declare module './stream.ts' {
  interface Stream<T> {
    /** `for await (const x of stream)`: see {@link iterate}. */
    [Symbol.asyncIterator](): AsyncIterableIterator<T>;
    /** See {@link toReadableStream}. */
    toReadableStream(options?: IterateOptions): ReadableStream<T>;
  }
}

Object.defineProperty(Stream.prototype, Symbol.asyncIterator, {
  value: function (this: Stream<any>) {
    return iterate(this);
  },
  writable: true,
  configurable: true,
});
Stream.register('toReadableStream', function (this: Stream<any>, options?: IterateOptions) {
  return toReadableStream(this, options);
});
