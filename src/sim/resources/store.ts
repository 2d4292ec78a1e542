import { badArgument } from '../../errors.ts';
import type { Scheduler } from '../kernel/events.ts';
import { BaseResource, GetEvent, PutEvent, type ResourceOptions } from './base.ts';

/**
 * Puts an item into a store; waits while the store is full.
 *
 * @example
 * yield store.put({ id: 1 });
 */
export class StorePut<T> extends PutEvent<undefined> {
  /** The item. */
  readonly item: T;

  constructor(store: Store<T>, item: T) {
    super(store);
    this.item = item;
  }
}

/**
 * Gets an item (the first one `filter` accepts, for a `FilterStore`); succeeds with it.
 *
 * @example
 * const item = yield store.get();
 */
export class StoreGet<T> extends GetEvent<T> {
  /** Which items this get accepts. */
  readonly filter: (item: T) => boolean;

  constructor(store: Store<T>, filter: (item: T) => boolean) {
    super(store);
    this.filter = filter;
  }
}

const any = (): boolean => true;

/**
 * A FIFO buffer of up to `capacity` items (default unbounded). A put waits while it is full, a get while it is
 * empty.
 *
 * @example
 * const env = new Environment();
 * const belt = new Store<string>(env, { capacity: 2 });
 * env.process(function* () { yield belt.put('a'); }());
 * env.process(function* () { const item = yield belt.get(); console.log(item); }());
 * env.run(); // logs: a
 */
export class Store<T = unknown> extends BaseResource<StorePut<T>, StoreGet<T>> {
  /** The items, in the order gets receive them. */
  readonly items: T[] = [];

  constructor(env: Scheduler, options: number | ResourceOptions = {}) {
    super(env, 'Store', typeof options === 'number' ? { capacity: options } : options, Number.POSITIVE_INFINITY);
  }

  /** Puts `item`. */
  put(item: T): StorePut<T> {
    return this._put(new StorePut(this, item));
  }

  /** Gets the next item. */
  get(): StoreGet<T> {
    return this._get(new StoreGet<T>(this, any));
  }

  protected doPut(event: StorePut<T>): boolean {
    if (this.items.length < this._capacity) {
      this.insert(event.item);
      event.succeed();
    }
    return false;
  }

  protected doGet(event: StoreGet<T>): boolean {
    if (this.items.length > 0) event.succeed(this.items.shift());
    return false;
  }

  /** Adds an accepted item to `items` (at the end; PriorityStore keeps them sorted). */
  protected insert(item: T): void {
    this.items.push(item);
  }
}

/**
 * A `Store` whose gets take the first item that their filter accepts. A get no item matches waits without
 * blocking the gets behind it.
 *
 * @example
 * const parts = new FilterStore<{ color: string }>(env);
 * const red = yield parts.get((p) => p.color === 'red');
 */
export class FilterStore<T = unknown> extends Store<T> {
  override get(filter: (item: T) => boolean = any): StoreGet<T> {
    if (typeof filter !== 'function') {
      badArgument(`FilterStore "${this.name}".get`, 'filter', filter, 'a function (item) => boolean');
    }
    return this._get(new StoreGet<T>(this, filter));
  }

  protected override doGet(event: StoreGet<T>): boolean {
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      if (event.filter(items[i]!)) {
        const [item] = items.splice(i, 1);
        event.succeed(item);
        break;
      }
    }
    return true;
  }
}

/**
 * An item with a priority for a `PriorityStore` (lower comes out first).
 *
 * @example
 * yield store.put(new PriorityItem(2, 'low'));
 */
export class PriorityItem<T = unknown> {
  /** Lower comes out first. */
  readonly priority: number;
  /** The payload. */
  readonly item: T;

  constructor(priority: number, item: T) {
    this.priority = priority;
    this.item = item;
  }
}

/** Options of a priority store. */
export interface PriorityStoreOptions<T> extends ResourceOptions {
  /** Orders items (negative: a before b). Default: by `priority` for `PriorityItem`s, else by `<`. */
  compare?: (a: T, b: T) => number;
}

function naturalOrder(a: any, b: any): number {
  const x = a instanceof PriorityItem ? a.priority : a;
  const y = b instanceof PriorityItem ? b.priority : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A `Store` whose gets receive the smallest item first (items of equal order leave in the order they came).
 *
 * @example
 * const jobs = new PriorityStore<PriorityItem<string>>(env);
 * yield jobs.put(new PriorityItem(5, 'later'));
 * yield jobs.put(new PriorityItem(1, 'urgent'));
 * (yield jobs.get()).item; // 'urgent'
 */
export class PriorityStore<T = unknown> extends Store<T> {
  private readonly compare: (a: T, b: T) => number;

  constructor(env: Scheduler, options: number | PriorityStoreOptions<T> = {}) {
    super(env, options);
    const compare = typeof options === 'number' ? undefined : options.compare;
    if (compare !== undefined && typeof compare !== 'function') {
      badArgument(`PriorityStore "${this.name}"`, 'compare', compare, 'a function (a, b) => number');
    }
    this.compare = compare ?? naturalOrder;
  }

  protected override insert(item: T): void {
    const items = this.items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(items[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, item);
  }
}
