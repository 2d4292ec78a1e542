import { badArgument, TwinstreamError } from '../errors.ts';
import { type Clock, realClock } from '../time/clock.ts';
import { compilePush, invalidate } from './fusion.ts';
import { countError, type NodeMetrics, type NodeProbe } from './node-metrics.ts';
import { type Metadata, releaseRefs, retainRefs } from './refcount.ts';

/**
 * What delivering an element returns: nothing when every node downstream finished synchronously, or a promise
 * that settles when all of them have. A source awaits it before emitting more: that is back pressure. The
 * synchronous path allocates no promise.
 */
export type Pushed = void | Promise<void>;

/** What the error branch of a node receives when its own work on an element throws. */
export interface StreamErrorInfo<T = unknown> {
  /** A `TwinstreamError` (code `TS_NODE_FAILED` unless the thrown error was one already), with the thrown error as `cause`. */
  readonly error: TwinstreamError;
  /** The element the node was working on. */
  readonly value: T;
  /** The node whose work failed. */
  readonly node: Stream<any>;
  /** The element's metadata, if it had any. */
  readonly metadata: Metadata | undefined;
}

export interface StreamOptions {
  /** A name shown in errors and graph drawings. */
  name?: string;
  /** The clock time-based operators read. Default: the clock of the first upstream, else the real clock. */
  clock?: Clock;
}

/** @internal The compiled delivery of one node to its downstreams. */
export type PushFn = (x: any, metadata: Metadata | undefined) => Pushed;

/** What `connect` needs of a node: kept small so that every node class type-checks against it cheaply. */
export interface Connectable {
  readonly upstreams: Stream<any>[];
  readonly downstreams: Stream<any>[];
  update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed;
}

let nextId = 0;
// Errors that already passed through the emit of a node with an error branch: that node's branch must not take
// an error raised further downstream for its own.
const passedThrough = new WeakMap<object, Stream<any>>();

/**
 * The operators that plugins add to every stream, typed by declaration merging. TypeScript does not merge an
 * augmentation into a class re-exported by an entry point, but it does into an interface: augment this one.
 *
 * @example
 * import { Stream } from 'twinstream';
 * declare module 'twinstream' {
 *   interface StreamOperators<T> {
 *     celsiusToKelvin(this: Stream<number>): Stream<number>;
 *   }
 * }
 * Stream.register('celsiusToKelvin', function (this: Stream<number>) {
 *   return this.map((c) => c + 273.15);
 * });
 */
// biome-ignore lint/correctness/noUnusedVariables: T is the element type the augmenting methods see
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, from plugins
export interface StreamOperators<T> {}

// The class takes the plugins' operators through this interface.
export interface Stream<T = unknown> extends StreamOperators<T> {}

/**
 * A node in a push graph. `emit(x)` hands `x` to every downstream node, in connection order. Operators are
 * methods (`map`, `filter`, `partition`, ...) registered with `Stream.register`, each returning a new node.
 *
 * @example
 * const source = new Stream<number>();
 * const out = source.map((x) => x + 1).filter((x) => x % 2 === 0).sinkToList();
 * for (let i = 0; i < 5; i++) source.emit(i);
 * out; // [2, 4]
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: merged on purpose with the interface above
export class Stream<T = unknown> {
  readonly id: number = nextId++;
  readonly downstreams: Stream<any>[] = [];
  readonly upstreams: Stream<any>[] = [];
  name: string | undefined;
  clock: Clock;
  /** The operator's name in drawings ("map", "zip", ...); "stream" for a plain node. */
  kind = 'stream';
  /** @internal Set by `onError`; null when errors reach the caller of `emit`. */
  errorHandler: ((info: StreamErrorInfo) => unknown) | null = null;
  /**
   * @internal The stream `catch()` made (its errors go there), and on that stream the node whose errors it carries:
   * links of the graph besides `downstreams`/`upstreams`, so that what walks the graph (`whenGraphIdle`, an
   * application's state) reaches the error branch too.
   */
  errorBranch: Stream<StreamErrorInfo<unknown>> | null = null;
  errorsOf: Stream<any> | null = null;
  /** The node's counters while metrics are on (`enableMetrics`); null, and nothing counted, otherwise. */
  metrics: NodeMetrics | null = null;
  /** @internal The compiled delivery to the downstreams; rebuilt after the graph around this node changes. */
  _push: PushFn | null = null;
  private upstreamsEnded = 0;
  // While the end waits for what the node flushed or still holds; null otherwise.
  private endInProgress: Promise<void> | null = null;

  constructor(options: StreamOptions = {}) {
    this.name = options.name;
    this.clock = options.clock ?? realClock;
  }

  /**
   * Registers an operator as a method of every stream: the mechanism built-in operators and plugins share. Type
   * it by declaration merging: `declare module 'twinstream' { interface Stream<T> { myOp(): Stream<T> } }`.
   *
   * @example
   * Stream.register('double', function (this: Stream<number>) { return this.map((x) => 2 * x); });
   */
  static register(name: string, method: (this: Stream<any>, ...args: any[]) => unknown): void {
    if (typeof method !== 'function') badArgument('Stream.register', 'method', method, 'a function');
    if (name in Stream.prototype && !(Stream.prototype as any)[name]?.__twinstreamOperator) {
      throw new TwinstreamError('TS_OPERATOR_EXISTS', `Stream.register: "${name}" is a built-in member of Stream`);
    }
    Object.defineProperty(method, '__twinstreamOperator', { value: true });
    Object.defineProperty(Stream.prototype, name, { value: method, writable: true, configurable: true });
  }

  /** Hands `x` (and its metadata) to every downstream node, in connection order. See {@link Pushed}. */
  emit(x: T, metadata?: Metadata): Pushed {
    // Kept tiny so that V8 inlines it and the chain behind it into the caller's loop. Compiling, and metadata,
    // live in another method: a reachable call to the compiler here kept V8 from inlining the chain.
    const push = this._push;
    if (push !== null && metadata === undefined) return push(x, undefined);
    return this.emitSlow(x, metadata);
  }

  /**
   * @internal What operators call to hand on what they produce: `emit` with a call site of its own. V8 keeps type
   * feedback per call site, so internal hops no longer make the call in `emit` polymorphic, and a user's loop
   * calling `source.emit(x)` keeps the chain behind it inlined.
   */
  protected pass(x: T, metadata?: Metadata): Pushed {
    const push = this._push;
    if (push !== null && metadata === undefined) return push(x, undefined);
    return this.emitSlow(x, metadata);
  }

  private emitSlow(x: T, metadata: Metadata | undefined): Pushed {
    const push = this._push ?? compilePush(this);
    if (metadata === undefined || metadata.length === 0) return push(x, undefined);
    // The emitting node holds the element while its downstreams work on it; they retain it themselves to keep it.
    retainRefs(metadata);
    try {
      return push(x, metadata);
    } finally {
      releaseRefs(metadata);
    }
  }

  /** What this node does with an element from `who`. A plain stream passes it on; operators override this. */
  update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    return this.pass(x as T, metadata);
  }

  /** Names this node (shown in errors and drawings) and returns it. */
  named(name: string): this {
    this.name = name;
    return this;
  }

  /**
   * Makes `downstream` receive what this node emits. Returns `downstream`. (The parameter is typed by the few
   * members connecting needs, so that any node class checks against it quickly.)
   */
  connect<S extends Connectable>(node: S): S {
    if (!(node instanceof Stream)) badArgument('Stream.connect', 'downstream', node, 'a Stream');
    const downstream = node as unknown as Stream<any>;
    this.downstreams.push(downstream);
    downstream.upstreams.push(this);
    downstream.upstreamAdded(this);
    invalidate(this);
    return node;
  }

  /** Stops `downstream` from receiving what this node emits. */
  disconnect(node: Connectable): void {
    const downstream = node as unknown as Stream<any>;
    const i = this.downstreams.indexOf(downstream);
    if (i >= 0) this.downstreams.splice(i, 1);
    const j = downstream.upstreams.indexOf(this);
    if (j >= 0) downstream.upstreams.splice(j, 1);
    downstream.upstreamRemoved(this);
    invalidate(this);
  }

  /** Detaches this node from its upstreams (they stop feeding it) and stops any timers it runs. */
  destroy(): void {
    for (const up of [...this.upstreams]) up.disconnect(this);
    this.stop();
  }

  /** Hook for nodes with one input per upstream (zip, combineLatest): an upstream was connected. */
  protected upstreamAdded(_up: Stream<any>): void {}

  /** Hook for nodes with one input per upstream: an upstream was disconnected. */
  protected upstreamRemoved(_up: Stream<any>): void {}

  /** Starts the sources upstream of this node (a source overrides this to begin emitting). */
  start(): void {
    for (const up of this.upstreams) up.start();
  }

  /**
   * @internal Hook: a source upstream has started. Nodes with a timer of their own (a ticker) start it here, or
   * at their first element when the graph is fed by hand; never in their constructor.
   */
  graphStarted(): void {}

  /** Stops the sources upstream of this node; nodes with timers also stop them. */
  stop(): void {
    for (const up of this.upstreams) up.stop();
  }

  /**
   * Routes errors thrown by this node's own work (its user function, a bad element) to `handler` instead of the
   * caller of `emit`. Errors raised further downstream are not this node's and pass on. A handler that returns
   * a promise applies back pressure like a sink. Returns this node.
   *
   * @example
   * source.map(JSON.parse).onError(({ error, value }) => deadLetters.push({ value, reason: error.message }));
   */
  onError(handler: (info: StreamErrorInfo<unknown>) => unknown): this {
    if (typeof handler !== 'function') badArgument('Stream.onError', 'handler', handler, 'a function');
    this.errorHandler = handler;
    if (this.errorBranch !== null) {
      this.errorBranch.errorsOf = null;
      this.errorBranch = null;
    }
    for (const up of this.upstreams) invalidate(up);
    invalidate(this);
    return this;
  }

  /**
   * The error branch of this node as a stream of `{ error, value, node }`: dead-letter it, count it, log it.
   *
   * @example
   * const parsed = source.map(JSON.parse);
   * parsed.catch().sink((e) => dlq.emit({ value: e.value, reason: e.error.message }));
   */
  catch(): Stream<StreamErrorInfo<unknown>> {
    const branch = new Stream<StreamErrorInfo<unknown>>({ clock: this.clock, name: `${this.label()}.errors` });
    branch.kind = 'errors';
    branch.errorsOf = this;
    this.onError((info) => branch.emit(info, info.metadata));
    this.errorBranch = branch;
    return branch;
  }

  /** @internal Called by the delivery code when this node's update threw `e` on `x`. */
  fail(e: unknown, x: unknown, metadata: Metadata | undefined): Pushed {
    if (typeof e === 'object' && e !== null && passedThrough.get(e) === this) throw e;
    const handler = this.errorHandler;
    if (this.metrics !== null) countError(this.metrics, e);
    if (handler === null) throw e;
    const error =
      e instanceof TwinstreamError
        ? e
        : new TwinstreamError(
            'TS_NODE_FAILED',
            `${this.label()} failed: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e, context: { node: this.label() } },
          );
    const r = handler({ error, value: x, node: this, metadata });
    return r !== null && typeof r === 'object' && typeof (r as any).then === 'function'
      ? (r as Promise<unknown>).then(noop)
      : undefined;
  }

  /** @internal Marks `e` as raised downstream of this node, so this node's error branch lets it pass. */
  markPassedThrough(e: unknown): void {
    if (typeof e === 'object' && e !== null) passedThrough.set(e, this);
  }

  /**
   * What the node reports to metrics besides its counters (late elements, queue depth, a source's watermark and
   * lag); read when a snapshot is taken, never per element. Null for most nodes.
   */
  probe(): NodeProbe | null {
    return null;
  }

  /** The node's name, or its kind and id. */
  label(): string {
    return this.name ?? `${this.kind}#${this.id}`;
  }

  /** Tells the nodes downstream that this node will emit nothing more (a finite source ran out). */
  end(): void {
    for (const d of [...this.downstreams]) d.upstreamEnded(this);
    // Its `catch()` branch gets no more errors: it ends too, so what holds elements there (a batch, a dead-letter
    // file) hands them on and closes, as on the main path.
    this.errorBranch?.upstreamEnded(this);
  }

  /**
   * An upstream ended; a node ends when all of its upstreams have, and once it has handed on what it held: it
   * flushes first (`flushOnEnd`), then waits until what that emitted has settled and `whenIdle` says it holds
   * nothing more, then tells its downstreams. So a window behind a buffer sees the end after the buffer's last
   * element, not before.
   */
  protected upstreamEnded(_up: Stream<any>): void {
    if (++this.upstreamsEnded >= this.upstreams.length) {
      this.upstreamsEnded = 0;
      this.endAfter(this.flushOnEnd());
    }
  }

  private endAfter(flushed: Pushed): void {
    const busy = flushed ?? this.whenIdle();
    if (busy === null || busy === undefined) {
      this.endInProgress = null;
      this.end();
      return;
    }
    const next = busy.then(
      () => this.endAfter(undefined),
      (error: unknown) => {
        this.end();
        throw error;
      },
    );
    // Kept when it fails, for `whenGraphIdle` to see (so `done` rejects with the error, however late it is asked);
    // never left unhandled.
    next.catch(noop);
    this.endInProgress = next;
  }

  /**
   * Hook: what a node does with held elements when its input ends (most hold none). What it returns (the
   * delivery of what it flushed) is waited for before the end goes on, and by `done`.
   */
  protected flushOnEnd(): Pushed {}

  /**
   * @internal What `whenGraphIdle` waits for: the node's end in progress (a flush settling, elements still going
   * on), else its `whenIdle`.
   */
  whenSettled(): Promise<void> | null {
    return this.endInProgress ?? this.whenIdle();
  }

  /**
   * Null while this node holds no element it will hand on by itself later (a call in flight, a queue being
   * drained, a timer due); else a promise that settles once it has handed them all on. A node that holds
   * elements until more input comes (a zip, a count window) answers null: waiting would not help. An application
   * asks every node before it checkpoints its state (see `whenGraphIdle`). Called only then: nothing per element.
   *
   * @example
   * const stage = source.mapAsync(lookup, { parallelism: 8 });
   * await stage.whenIdle(); // every call begun so far has handed on its result
   */
  whenIdle(): Promise<void> | null {
    return null;
  }
}

/** @internal The function that does nothing, shared so that no closure is allocated for it. */
export function noop(): void {}

/** @internal True for anything with a `then` method. */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as any).then === 'function';
}
