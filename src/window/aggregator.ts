import { badArgument } from '../errors.ts';

/**
 * How a window folds the values that fall into it. One contract serves every window kind (tumbling, hopping,
 * sliding, session, count-based) on rows and on frames: Quix's initialize/agg/result plus streamz's `on_old`
 * (here `remove`) for windows that let values go again, and `merge` for session windows that join.
 *
 * `add` and `remove` return the new state; a state may be mutated in place and returned (the engine keeps the
 * returned value). `null` and `undefined` values are skipped by every built-in aggregator; `NaN` propagates.
 *
 * @example
 * const range: Aggregator<{ lo: number; hi: number }, number> = {
 *   name: 'Range',
 *   init: () => ({ lo: Infinity, hi: -Infinity }),
 *   add: (s, v) => ({ lo: Math.min(s.lo, v as number), hi: Math.max(s.hi, v as number) }),
 *   result: (s) => s.hi - s.lo,
 * };
 */
export interface Aggregator<S = any, R = unknown> {
  /** The state key of this aggregation (Quix's state suffix: `Sum`, `Sum/temperature`). State survives a
   * redefinition of the window only under the same name. */
  readonly name: string;
  /** A fresh state for a window that has seen nothing. */
  init(): S;
  /** Folds one value (with its event time in ms) into the state. */
  add(state: S, value: unknown, timestamp: number): S;
  /** Takes a value that leaves the window back out (sliding windows, rolling frames). */
  remove?(state: S, value: unknown, timestamp: number): S;
  /** Joins two states (session windows that merge). */
  merge?(a: S, b: S): S;
  /** The window's result. Must not mutate the state: `current()` calls it after every update. */
  result(state: S): R;
}

/** Where an aggregator reads its value in each element: a field name or a function; absent means the element. */
export type Column = string | ((value: any) => unknown);

/** @internal Checks a column argument and returns the suffix it adds to the state name. */
export function columnSuffix(where: string, column: Column | undefined): string {
  if (column === undefined || column === null) return '';
  if (typeof column === 'string') return `/${column}`;
  if (typeof column === 'function') return `/${column.name || 'fn'}`;
  return badArgument(where, 'column', column, 'a field name or a function of the element');
}

/** @internal Reads `column` from `value`: missing fields and non-objects give `undefined` (skipped). */
export function pickColumn(value: unknown, column: Column): unknown {
  if (typeof column === 'function') return column(value);
  if (value === null || typeof value !== 'object') return undefined;
  return (value as Record<string, unknown>)[column];
}

/**
 * Wraps an aggregator of plain values into one that reads `column` from each element first.
 *
 * @example
 * const s = onColumn(sum(), 'temperature'); // name 'Sum/temperature'
 * @internal
 */
export function onColumn<S, R>(agg: Aggregator<S, R>, column: Column | undefined): Aggregator<S, R> {
  if (column === undefined || column === null) return agg;
  const suffix = columnSuffix(agg.name, column);
  const add = agg.add;
  const remove = agg.remove;
  const wrapped: Aggregator<S, R> = {
    name: `${agg.name}${suffix}`,
    init: () => agg.init(),
    add: (s, v, t) => add.call(agg, s, pickColumn(v, column), t),
    result: (s) => agg.result(s),
  };
  if (remove !== undefined)
    (wrapped as any).remove = (s: S, v: unknown, t: number) => remove.call(agg, s, pickColumn(v, column), t);
  if (agg.merge !== undefined) (wrapped as any).merge = (a: S, b: S) => agg.merge!(a, b);
  return wrapped;
}

/** True when `x` looks like an aggregator (has init, add and result). */
export function isAggregator(x: unknown): x is Aggregator {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as any).init === 'function' &&
    typeof (x as any).add === 'function' &&
    typeof (x as any).result === 'function'
  );
}

/**
 * Runs an aggregator over values outside any window: `init`, `add` each, `result`. Handy in tests and for
 * one-off reductions.
 *
 * @example
 * aggregate(mean(), [1, 2, null, 3]); // 2
 */
export function aggregate<R>(agg: Aggregator<any, R>, values: Iterable<unknown>, timestamps?: ArrayLike<number>): R {
  let s = agg.init();
  let i = 0;
  for (const v of values) {
    s = agg.add(s, v, timestamps === undefined ? 0 : timestamps[i]!);
    i++;
  }
  return agg.result(s);
}
