import type { Scheduler } from '../kernel/events.ts';
import type { ResourceOptions } from '../resources/base.ts';
import { FilterStore, type StoreGet, StorePut } from '../resources/store.ts';

/** A put into a `RankedStore`: the item and the rank it is kept by. */
class RankedPut<T> extends StorePut<T> {
  readonly rank: unknown;

  constructor(store: RankedStore<T>, item: T, rank: unknown) {
    super(store, item);
    this.rank = rank;
  }
}

/**
 * Orders two ranks as Python orders them: numbers and strings by value, lists (tuples) element by element, a
 * shorter list before a longer one it begins; `false < true`. Ranks of different kinds order by kind.
 *
 * @example compareRanks([1, 'b'], [1, 'a']); // 1
 * @internal
 */
export function compareRanks(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = compareRanks(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x !== typeof y) return kind(x) - kind(y);
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

const kind = (v: unknown) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : Array.isArray(v) ? 2 : 3);

/**
 * A model's priority store (desflow's `priority: true`): each item is put with a rank, and a get takes the item of
 * the lowest rank, of equal ranks the one put first. `items` holds the items in the order gets take them and
 * `ranks` their ranks, so `count()` and `items()` read the items themselves. A plain `put` ranks its item 0.
 *
 * @example
 * const jobs = new RankedStore<string>(env);
 * jobs.putRanked('later', 5);
 * jobs.putRanked('urgent', 1);
 * (yield jobs.get()); // 'urgent'
 * @internal
 */
export class RankedStore<T = unknown> extends FilterStore<T> {
  /** The rank of each item of `items`, in the same order. */
  readonly ranks: unknown[] = [];

  constructor(env: Scheduler, options: number | ResourceOptions = {}) {
    super(env, options);
  }

  /** Puts `item` with `rank` (lowest taken first). */
  putRanked(item: T, rank: unknown): StorePut<T> {
    return this._put(new RankedPut(this, item, rank));
  }

  override put(item: T): StorePut<T> {
    return this.putRanked(item, 0);
  }

  /** Adds an item the run starts with, ranked, without an event. */
  seed(item: T, rank: unknown): void {
    this.place(item, rank);
  }

  protected override doPut(event: StorePut<T>): boolean {
    if (this.items.length < this._capacity) {
      this.place(event.item, (event as RankedPut<T>).rank ?? 0);
      event.succeed();
    }
    return false;
  }

  // desflow refuses a filter on a priority store: a get takes the first item.
  protected override doGet(event: StoreGet<T>): boolean {
    if (this.items.length > 0) {
      this.ranks.shift();
      event.succeed(this.items.shift());
    }
    return false;
  }

  // After every item of a lower or equal rank: equal ranks leave in the order they came.
  private place(item: T, rank: unknown): void {
    const ranks = this.ranks;
    let lo = 0;
    let hi = ranks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareRanks(ranks[mid], rank) <= 0) lo = mid + 1;
      else hi = mid;
    }
    ranks.splice(lo, 0, rank);
    this.items.splice(lo, 0, item);
  }
}
