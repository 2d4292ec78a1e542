import { badArgument, requireFunction, requireInteger } from '../../errors.ts';
import { IdleSignal } from '../idle.ts';
import { type Metadata, releaseRefs, retainRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface MapAsyncOptions {
  /** How many calls of `fn` may run at once. Default 1. */
  parallelism?: number;
  /** Emit results in input order (default), or as they complete. */
  ordered?: boolean;
}

interface Call {
  readonly x: unknown;
  readonly md: Metadata | undefined;
  settled: boolean;
  ok: boolean;
  result: unknown;
}

/**
 * Applies an async `fn`, with up to `parallelism` calls in flight. `emit` into it returns at once while a slot is
 * free and a promise when all are busy (back pressure); each element is held until its result has gone on. A
 * failed call goes to the node's error branch, or else makes the next `emit` into it throw.
 */
export class MapAsyncNode<T, R> extends Stream<R> {
  override kind = 'mapAsync';
  readonly fn: (x: T) => R | PromiseLike<R>;
  readonly parallelism: number;
  readonly ordered: boolean;
  private inFlight = 0;
  // Bounded by parallelism: a call leaves when its result has been emitted.
  private readonly calls: Call[] = [];
  private readonly waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: { error: unknown } | null = null;
  private emitting = false;
  private readonly idleSignal = new IdleSignal();

  constructor(upstream: Stream<T>, fn: (x: T) => R | PromiseLike<R>, options: MapAsyncOptions) {
    requireFunction('mapAsync', 'fn', fn);
    const parallelism = options.parallelism ?? 1;
    requireInteger('mapAsync', 'parallelism', parallelism, 1);
    if (options.ordered !== undefined && typeof options.ordered !== 'boolean') {
      badArgument('mapAsync', 'ordered', options.ordered, 'true or false');
    }
    super({ clock: upstream.clock });
    this.fn = fn;
    this.parallelism = parallelism;
    this.ordered = options.ordered ?? true;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) {
      const { error } = this.failure;
      this.failure = null;
      throw error;
    }
    const result = this.fn(x as T); // a synchronous throw is this node's failure, routed like any other
    retainRefs(metadata);
    const call: Call = { x, md: metadata, settled: false, ok: true, result: undefined };
    this.calls.push(call);
    this.inFlight++;
    Promise.resolve(result).then(
      (v) => this.settle(call, true, v),
      (e) => this.settle(call, false, e),
    );
    if (this.inFlight < this.parallelism) return;
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private settle(call: Call, ok: boolean, value: unknown): void {
    call.settled = true;
    call.ok = ok;
    call.result = value;
    void this.emitReady();
  }

  private nextReady(): Call | undefined {
    if (this.ordered) return this.calls[0]?.settled ? this.calls.shift() : undefined;
    const i = this.calls.findIndex((c) => c.settled);
    return i < 0 ? undefined : this.calls.splice(i, 1)[0];
  }

  private async emitReady(): Promise<void> {
    if (this.emitting) return;
    this.emitting = true;
    try {
      for (let call = this.nextReady(); call !== undefined; call = this.nextReady()) {
        try {
          const r = call.ok ? this.pass(call.result as R, call.md) : this.fail(call.result, call.x, call.md);
          if (r !== undefined) await r;
        } catch (e) {
          this.report(e);
        } finally {
          releaseRefs(call.md);
          this.inFlight--;
          this.waiting.shift()?.resolve();
        }
      }
    } finally {
      this.emitting = false;
    }
    if (this.calls.length === 0) this.idleSignal.idle();
  }

  /** Busy while a call is in flight or its result is being handed on. */
  override whenIdle(): Promise<void> | null {
    return this.calls.length === 0 && !this.emitting ? null : this.idleSignal.wait();
  }

  private report(error: unknown): void {
    const w = this.waiting.shift();
    if (w !== undefined) {
      this.inFlight--; // the slot this emitter waited for is given back with the error
      w.reject(error);
      this.inFlight++;
    } else {
      this.failure = { error };
    }
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Applies an async function with bounded concurrency, keeping input order unless `ordered: false`.
     * @example source.mapAsync(async (id) => await lookup(id), { parallelism: 8 })
     */
    mapAsync<R>(fn: (x: T) => R | PromiseLike<R>, options?: MapAsyncOptions): Stream<R>;
  }
}

Stream.register('mapAsync', function mapAsync(this: Stream<any>, fn: (x: any) => any, options: MapAsyncOptions = {}) {
  return new MapAsyncNode(this, fn, options);
});
