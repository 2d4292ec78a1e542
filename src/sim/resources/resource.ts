import { badArgument } from '../../errors.ts';
import type { Scheduler } from '../kernel/events.ts';
import { Preempted } from '../kernel/interrupt.ts';
import type { Process } from '../kernel/process.ts';
import { BaseResource, GetEvent, PutEvent, type ResourceOptions } from './base.ts';

/**
 * A request for one unit of a `Resource`. Yield it to wait until granted; release it with `resource.release(req)`
 * (releasing a request that is still queued withdraws it).
 *
 * @example
 * const req = res.request();
 * yield req;
 * try { yield env.timeout(5); } finally { res.release(req); }
 */
export class Request extends PutEvent<undefined> {
  /** When the request was granted (NaN until then). */
  usageSince = Number.NaN;
}

/**
 * Releases a granted request; succeeds at once. The freed unit goes to the next queued request when this event is
 * processed (same time), as in SimPy.
 *
 * @example
 * yield res.release(req);
 */
export class Release extends GetEvent<undefined> {
  /** The request being released. */
  readonly request: Request;

  constructor(resource: Resource, request: Request) {
    super(resource);
    this.request = request;
  }
}

/**
 * A resource with `capacity` identical units, used by at most that many processes at a time; others queue in FIFO
 * order. `capacity` can change while running (a machine added or taken away): growing grants queued requests at
 * once, shrinking lets current users finish and grants no new unit until `count` is below the new capacity.
 *
 * @example
 * const env = new Environment();
 * const pumps = new Resource(env, { capacity: 2, name: 'pump' });
 * function* car(name: string) {
 *   const req = pumps.request();
 *   yield req;
 *   yield env.timeout(5);
 *   pumps.release(req);
 * }
 */
export class Resource<R extends Request = Request> extends BaseResource<R, Release> {
  /** The granted requests, in grant order. */
  readonly users: R[] = [];

  constructor(env: Scheduler, options: number | ResourceOptions = {}) {
    super(env, 'Resource', typeof options === 'number' ? { capacity: options } : options, 1);
  }

  /** The number of units in use. */
  get count(): number {
    return this.users.length;
  }

  /** The queued requests, in the order they will be served. */
  get queue(): R[] {
    return this.putQueue;
  }

  /** Requests one unit. */
  request(): R {
    return this._put(new Request(this) as R);
  }

  /** Releases a granted request (or withdraws a queued one). */
  release(request: R): Release {
    return this._get(new Release(this, request));
  }

  protected doPut(event: R): boolean {
    if (this.users.length < this._capacity) {
      this.users.push(event);
      event.usageSince = this.env.now;
      event.succeed();
    }
    return false;
  }

  protected doGet(event: Release): boolean {
    const req = event.request as R;
    const i = this.users.indexOf(req);
    if (i >= 0) this.users.splice(i, 1);
    else req.cancel();
    event.succeed();
    return false;
  }
}

// Orders (priority, time, preempt first): lower priority numbers first, then earlier requests, then preempting ones.
function compareKeys(a: PriorityRequest, b: PriorityRequest): number {
  return a.priority - b.priority || a.time - b.time || (a.preempt === b.preempt ? 0 : a.preempt ? -1 : 1);
}

/**
 * A request with a priority (lower is more important) and, for a `PreemptiveResource`, whether it may evict a user.
 *
 * @example
 * const req = res.request({ priority: 1 });
 */
export class PriorityRequest extends Request {
  /** Lower numbers are served first. */
  readonly priority: number;
  /** Whether this request may preempt a less important user (PreemptiveResource only). */
  readonly preempt: boolean;
  /** When the request was made. */
  readonly time: number;

  constructor(resource: BaseResource<any, any>, priority: number, preempt: boolean) {
    super(resource);
    this.priority = priority;
    this.preempt = preempt;
    this.time = resource.env.now;
  }
}

/** Options of a priority request. */
export interface PriorityRequestOptions {
  /** Lower is more important (default 0). */
  priority?: number;
  /** May this request evict a less important user (default true; PreemptiveResource only). */
  preempt?: boolean;
}

/**
 * A `Resource` whose queue is ordered by (priority, request time, insertion): lower priority numbers first.
 *
 * @example
 * const res = new PriorityResource(env, 1);
 * const req = res.request({ priority: 2 });
 */
export class PriorityResource extends Resource<PriorityRequest> {
  override request(options: PriorityRequestOptions = {}): PriorityRequest {
    const priority = options.priority ?? 0;
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      badArgument(
        `PriorityResource "${this.name}".request`,
        'priority',
        priority,
        'a number (lower is more important)',
      );
    }
    return this._put(new PriorityRequest(this, priority, options.preempt ?? true));
  }

  protected override enqueuePut(event: PriorityRequest): void {
    // Stable insert: after every queued request with an equal or smaller key.
    const q = this.putQueue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(q[mid]!, event) <= 0) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, event);
  }
}

/**
 * A `PriorityResource` where a request with `preempt: true` evicts the least important user when it is more
 * important: that user's process gets an `Interrupt` whose cause is a `Preempted`.
 *
 * @example
 * function* repair() {
 *   const req = machine.request({ priority: 0 });
 *   yield req;   // the job using the machine is interrupted
 * }
 */
export class PreemptiveResource extends PriorityResource {
  protected override doPut(event: PriorityRequest): boolean {
    if (this.users.length >= this._capacity && event.preempt) {
      let victim: PriorityRequest | null = null;
      for (const u of this.users) if (victim === null || compareKeys(u, victim) >= 0) victim = u;
      if (victim !== null && compareKeys(victim, event) > 0) {
        this.users.splice(this.users.indexOf(victim), 1);
        const proc = victim.proc as Process<any> | null;
        if (proc?.isAlive) proc.interrupt(new Preempted(event.proc, victim.usageSince, this));
      }
    }
    return super.doPut(event);
  }
}
