import { badArgument, describe, TwinstreamError } from '../../errors.ts';
import { Event, type EventCallback, type Scheduler } from '../kernel/events.ts';

/** Options shared by resources. */
export interface ResourceOptions {
  /** How many users (Resource), items (Store) or how much (Container) fit. */
  capacity?: number;
  /** A name for errors and telemetry. */
  name?: string;
  /** The largest capacity a run-time change may set (default: unbounded). */
  maxCapacity?: number;
}

/** What put and get requests share: the resource, the process that asked, and withdrawal from a queue. */
abstract class QueuedRequest<T> extends Event<T> {
  /** The resource it was made on. */
  readonly resource: BaseResource<any, any>;
  /** The process that made it (null outside a process). */
  readonly proc: (Event<any> & { readonly name: string }) | null;

  constructor(resource: BaseResource<any, any>) {
    super(resource.env);
    this.resource = resource;
    this.proc = resource.env.activeProcess;
  }

  /** The queue the request waits in. */
  protected abstract queue(): Event<any>[];

  /** Withdraws the request if it has not been granted yet. */
  cancel(): void {
    if (this._state === 0) this.resource._remove(this.queue(), this);
  }
}

/**
 * A request to put something into a resource. It succeeds when the resource accepts it; until then it waits in the
 * resource's put queue and can be cancelled.
 *
 * @example
 * const put = store.put('box'); yield put;
 */
export class PutEvent<T = unknown> extends QueuedRequest<T> {
  protected queue(): Event<any>[] {
    return this.resource.putQueue;
  }
}

/**
 * A request to get something from a resource; it succeeds with what was got.
 *
 * @example
 * const item = yield store.get();
 */
export class GetEvent<T = unknown> extends QueuedRequest<T> {
  protected queue(): Event<any>[] {
    return this.resource.getQueue;
  }
}

/**
 * What every resource shares, as in SimPy: a put queue and a get queue of pending events; a new put (get) tries to
 * be served at once, and each processed get (put) serves the waiting puts (gets) again. A resource only says how one
 * put or get is served (`doPut`, `doGet`; true = go on to the next queued one). Capacity may change at run time:
 * growing serves the queue at once, shrinking lets work in progress finish.
 *
 * @example
 * class Counter extends BaseResource<PutEvent, GetEvent> {
 *   n = 0;
 *   protected doPut(ev: PutEvent) { this.n++; ev.succeed(); return true; }
 *   protected doGet(ev: GetEvent) { if (this.n === 0) return false; this.n--; ev.succeed(); return true; }
 * }
 */
export abstract class BaseResource<P extends PutEvent<any>, G extends GetEvent<any>> {
  /** The environment. */
  readonly env: Scheduler;
  /** The resource's name in errors. */
  readonly name: string;
  /** Pending put events, in service order. */
  readonly putQueue: P[] = [];
  /** Pending get events, in service order. */
  readonly getQueue: G[] = [];
  /** The largest capacity allowed. */
  readonly maxCapacity: number;
  /** @internal */
  protected _capacity: number;
  private destroyedBy: unknown = null;
  private destroyed = false;
  private readonly onPutDone: EventCallback<any> = () => this.triggerGet();
  private readonly onGetDone: EventCallback<any> = () => this.triggerPut();

  constructor(env: Scheduler, kind: string, options: ResourceOptions, defaultCapacity: number) {
    if (env === null || typeof env !== 'object' || typeof (env as any)._schedule !== 'function') {
      badArgument(kind, 'env', env, 'an environment (new Environment())');
    }
    this.env = env;
    this.name = options.name ?? kind;
    const capacity = options.capacity ?? defaultCapacity;
    this.maxCapacity = options.maxCapacity ?? Number.POSITIVE_INFINITY;
    if (!(this.maxCapacity > 0)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_CAPACITY',
        `${kind} "${this.name}": maxCapacity = ${describe(options.maxCapacity)} is not valid; expected a number > 0`,
      );
    }
    this.checkCapacity(capacity, false, kind);
    this._capacity = capacity;
  }

  /** The capacity. Setting it at run time serves waiting requests at once when it grows. */
  get capacity(): number {
    return this._capacity;
  }

  set capacity(value: number) {
    this.checkCapacity(value, true, 'capacity');
    const grew = value > this._capacity;
    this._capacity = value;
    if (grew) this.serveAll();
  }

  /** True once `destroy()` was called. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /**
   * Takes the resource out of service: every pending put and get fails with `TS_SIM_RESOURCE_DESTROYED`, and new
   * ones throw it.
   */
  destroy(reason?: unknown): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.destroyedBy = reason ?? null;
    const pending = [...this.putQueue, ...this.getQueue];
    this.putQueue.length = 0;
    this.getQueue.length = 0;
    for (const ev of pending) ev.fail(this.destroyedError(ev.proc));
  }

  protected abstract doPut(event: P): boolean;
  protected abstract doGet(event: G): boolean;

  /** Where a new put goes in the queue (FIFO by default). */
  protected enqueuePut(event: P): void {
    this.putQueue.push(event);
  }

  /** @internal Registers a new put and tries to serve it. */
  protected _put(event: P): P {
    this.ensureAlive(event.proc);
    this.enqueuePut(event);
    event.addCallback(this.onPutDone);
    this.triggerPut();
    return event;
  }

  /** @internal Registers a new get and tries to serve it. */
  protected _get(event: G): G {
    this.ensureAlive(event.proc);
    this.getQueue.push(event);
    event.addCallback(this.onGetDone);
    this.triggerGet();
    return event;
  }

  /** Serves queued puts in order; a put that cannot be served stays, and `doPut` returning false stops the pass. */
  protected triggerPut(): void {
    const q = this.putQueue;
    let i = 0;
    while (i < q.length) {
      const ev = q[i]!;
      const proceed = this.doPut(ev);
      if (ev._state === 0) i++;
      else q.splice(i, 1);
      if (!proceed) break;
    }
  }

  /** Serves queued gets in order, like `triggerPut`. */
  protected triggerGet(): void {
    const q = this.getQueue;
    let i = 0;
    while (i < q.length) {
      const ev = q[i]!;
      const proceed = this.doGet(ev);
      if (ev._state === 0) i++;
      else q.splice(i, 1);
      if (!proceed) break;
    }
  }

  /** Serves both queues until nothing more moves (after a capacity increase). */
  protected serveAll(): void {
    for (;;) {
      const before = this.putQueue.length + this.getQueue.length;
      this.triggerPut();
      this.triggerGet();
      if (this.putQueue.length + this.getQueue.length === before) return;
    }
  }

  /** @internal */
  _remove(queue: Event<any>[], event: Event<any>): void {
    const i = queue.indexOf(event);
    if (i >= 0) queue.splice(i, 1);
  }

  private ensureAlive(proc: { readonly name: string } | null): void {
    if (this.destroyed) throw this.destroyedError(proc);
  }

  private destroyedError(proc: { readonly name: string } | null): TwinstreamError {
    const who = proc ? `process "${proc.name}"` : 'code outside a process';
    const why = this.destroyedBy === null ? '' : ` (${String(this.destroyedBy)})`;
    return new TwinstreamError(
      'TS_SIM_RESOURCE_DESTROYED',
      `resource "${this.name}" was destroyed${why}; ${who} cannot use it`,
      {
        context: { resource: this.name },
      },
    );
  }

  private checkCapacity(value: unknown, allowZero: boolean, what: string): void {
    const low = allowZero ? typeof value === 'number' && value >= 0 : typeof value === 'number' && value > 0;
    if (!low || (value as number) > this.maxCapacity) {
      throw new TwinstreamError(
        'TS_SIM_BAD_CAPACITY',
        `${what === 'capacity' ? `resource "${this.name}"` : `${what} "${this.name}"`}: capacity = ${describe(value)} is not valid; expected a number ${allowZero ? '>= 0' : '> 0'}${Number.isFinite(this.maxCapacity) ? ` and <= maxCapacity ${this.maxCapacity}` : ''}`,
        { context: { resource: this.name, capacity: value } },
      );
    }
  }
}
