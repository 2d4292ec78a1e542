import { badArgument, requireFunction, TwinstreamError } from '../errors.ts';
import type { Timer } from '../time/clock.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { compilePush } from './fusion.ts';
import { whenGraphIdle } from './idle.ts';
import { Stream, type StreamOptions } from './stream.ts';

/**
 * A node that produces elements by itself once started. `run` emits and awaits each `emit` that returns a
 * promise, so a slow consumer slows the source. `done` settles when the run has ended and the graph has let go of
 * everything it emitted (rejects if either failed); `ended` when the run alone has.
 */
export abstract class Source<T> extends Stream<T> {
  override kind = 'source';
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private finished: { of: Promise<void>; promise: Promise<void> } | null = null;
  /** True once `stop()` was called: loops read this plain field, not `signal.aborted` (a slow accessor). */
  protected stopping = false;

  /** True between `start()` and the end of the run (or `stop()`). */
  get started(): boolean {
    return this.controller !== null && !this.controller.signal.aborted;
  }

  /** Produces elements until exhausted or until `signal` aborts. */
  protected abstract run(signal: AbortSignal): Promise<void>;

  /** Begins emitting. Starting a started source does nothing. */
  override start(): void {
    if (this.started) return;
    // The graph starts with its source: nodes downstream with timers of their own start them now.
    for (const node of downstreamOf(this)) node.graphStarted();
    const controller = new AbortController();
    this.controller = controller;
    this.stopping = false;
    this.running = this.run(controller.signal).then(
      () => {
        controller.abort();
        this.end();
      },
      (e) => {
        controller.abort();
        throw this.runFailure(e);
      },
    );
  }

  /**
   * What `done` rejects with when the run failed: a `TwinstreamError` as it is, anything else (a user function's
   * error that came back through `emit`, the iterable's own) wrapped as `TS_NODE_FAILED` with it as `cause`.
   */
  private runFailure(e: unknown): TwinstreamError {
    if (e instanceof TwinstreamError) return e;
    return new TwinstreamError(
      'TS_NODE_FAILED',
      `${this.label()} stopped: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e, context: { node: this.label() } },
    );
  }

  /** Stops emitting; an element already inside `emit` still completes. */
  override stop(): void {
    this.stopping = true;
    this.controller?.abort();
  }

  /**
   * Settles when the current run has ended (the last element emitted, or `stop()`) and the graph has let go of
   * everything it emitted: every node downstream (a `buffer`, `mapAsync`, `scatter`, `delay`, a window's final
   * flush, `toFrames`, a join) has handed on what it held, and every async sink has settled and every file sink
   * closed. Rejects if the run failed (with a `TwinstreamError`: a user function's error that came back through
   * `emit` is wrapped as `TS_NODE_FAILED`, the original as `cause`), or if handing on at the end failed. `ended`
   * settles earlier, when the source itself is through.
   *
   * @example
   * const source = Stream.fromIterable(rows);
   * source.buffer(1000).sink(async (r) => await database.insert(r));
   * source.start();
   * await source.done; // every row inserted
   */
  get done(): Promise<void> {
    const running = this.running;
    if (running === null) return Promise.resolve();
    if (this.finished?.of !== running) {
      this.finished = { of: running, promise: running.then(() => whenGraphIdle([this])) };
    }
    return this.finished.promise;
  }

  /**
   * Settles as soon as the current run has ended, when nodes downstream may still hold what it emitted (see
   * `done`, which waits for them too).
   */
  get ended(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.done;
  }
}

/** Every node downstream of `source`, each once. */
function downstreamOf(source: Stream<any>): Set<Stream<any>> {
  const seen = new Set<Stream<any>>();
  const stack = [...source.downstreams];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.downstreams);
  }
  return seen;
}

class IterableSource<T> extends Source<T> {
  override kind = 'fromIterable';
  private readonly iterable: Iterable<T>;
  private waitFor: Promise<void> | undefined = undefined;

  constructor(iterable: Iterable<T>, options: StreamOptions) {
    super(options);
    this.iterable = iterable;
  }

  /**
   * Delivers `a[i]`, `a[i + 1]`, ... until one delivery returns a promise (kept in `waitFor`) or `stop()` is
   * called; returns the next index. A plain synchronous loop, apart from the async `run`, is where V8 inlines
   * the whole fused chain: this measured 2–3x faster than emitting from the async loop itself.
   */
  private pushRun(a: readonly T[], i: number): number {
    // The compiled delivery is read once: a call that may compile inside the loop, even one never taken, kept
    // V8 from inlining the chain (2.5x slower). A change of the graph nulls `_push`; the caller comes back here.
    const push = this._push ?? compilePush(this);
    while (i < a.length) {
      if (this._push !== push) return i;
      const r = push(a[i++], undefined);
      if (r !== undefined) {
        this.waitFor = r;
        return i;
      }
      if (this.stopping) return i;
    }
    return i;
  }

  protected async run(): Promise<void> {
    const it = this.iterable;
    if (Array.isArray(it)) {
      for (let i = 0; i < it.length && !this.stopping; ) {
        i = this.pushRun(it, i);
        const r = this.waitFor;
        if (r !== undefined) {
          this.waitFor = undefined;
          await r;
        }
      }
      return;
    }
    for (const x of it) {
      const r = this.emit(x);
      if (r !== undefined) await r;
      if (this.stopping) return;
    }
  }
}

class AsyncIterableSource<T> extends Source<T> {
  override kind = 'fromAsyncIterable';
  private readonly iterable: AsyncIterable<T>;

  constructor(iterable: AsyncIterable<T>, options: StreamOptions) {
    super(options);
    this.iterable = iterable;
  }

  protected async run(): Promise<void> {
    for await (const x of this.iterable) {
      const r = this.emit(x);
      if (r !== undefined) await r;
      if (this.stopping) return;
    }
  }
}

class PeriodicSource<T> extends Source<T> {
  override kind = 'fromPeriodic';
  private readonly fn: () => T | PromiseLike<T>;
  private readonly interval: number;

  constructor(fn: () => T | PromiseLike<T>, interval: number, options: StreamOptions) {
    super(options);
    this.fn = fn;
    this.interval = interval;
  }

  protected run(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: Timer | null = null;
      const tick = async () => {
        try {
          const x = await this.fn();
          if (signal.aborted) return;
          const r = this.emit(x);
          if (r !== undefined) await r;
        } catch (e) {
          reject(e);
          return;
        }
        if (!signal.aborted) timer = this.clock.setTimer(this.interval, tick);
      };
      signal.addEventListener('abort', () => {
        timer?.cancel();
        resolve();
      });
      timer = this.clock.setTimer(this.interval, tick);
    });
  }
}

declare module './stream.ts' {
  namespace Stream {
    /**
     * A source over an iterable (array, set, generator): emits each item after `start()`, awaiting back pressure.
     * @example const s = Stream.fromIterable([1, 2, 3]); s.sink(console.log); s.start(); await s.done;
     */
    function fromIterable<T>(iterable: Iterable<T>, options?: StreamOptions): Source<T>;
    /**
     * A source over an async iterable: a Node `Readable`, a web `ReadableStream`, an async generator.
     * @example Stream.fromAsyncIterable(fs.createReadStream('data.csv'))
     */
    function fromAsyncIterable<T>(iterable: AsyncIterable<T>, options?: StreamOptions): Source<T>;
    /**
     * A source that calls `fn` every `interval` (on the graph's clock) and emits what it returns.
     * @example Stream.fromPeriodic(() => sensor.read(), '1s')
     */
    function fromPeriodic<T>(fn: () => T | PromiseLike<T>, interval: Duration, options?: StreamOptions): Source<T>;
  }
}

Object.assign(Stream, {
  fromIterable<T>(iterable: Iterable<T>, options: StreamOptions = {}): Source<T> {
    if (iterable === null || typeof (iterable as any)?.[Symbol.iterator] !== 'function') {
      badArgument('Stream.fromIterable', 'iterable', iterable, 'an iterable (array, set, generator...)');
    }
    return new IterableSource(iterable, options);
  },
  fromAsyncIterable<T>(iterable: AsyncIterable<T>, options: StreamOptions = {}): Source<T> {
    if (iterable === null || typeof (iterable as any)?.[Symbol.asyncIterator] !== 'function') {
      badArgument(
        'Stream.fromAsyncIterable',
        'iterable',
        iterable,
        'an async iterable (Readable, ReadableStream, async generator...)',
      );
    }
    return new AsyncIterableSource(iterable, options);
  },
  fromPeriodic<T>(fn: () => T | PromiseLike<T>, interval: Duration, options: StreamOptions = {}): Source<T> {
    requireFunction('Stream.fromPeriodic', 'fn', fn);
    return new PeriodicSource(fn, toMillis(interval, 'Stream.fromPeriodic: interval'), options);
  },
});
