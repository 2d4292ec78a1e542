import { checkedFieldReader, type ElementFn, type FieldName, missingFieldError } from '../core/key.ts';
import { badArgument } from '../errors.ts';

/**
 * How a window folds the values that fall into it. One contract serves every window kind (tumbling, hopping,
 * sliding, session, count-based) on rows and on frames: Quix's initialize/agg/result plus streamz's `on_old`
 * (here `remove`) for windows that let values go again, and `merge` for session windows that join.
 *
 * `I` is what the aggregator reads from (`unknown`: anything); a built-in given a field name reads objects with
 * that field, so `agg({ avg: mean('valu') })` on elements without `valu` fails to compile.
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
export interface Aggregator<S = any, R = unknown, I = unknown> {
  /** The state key of this aggregation (Quix's state suffix: `Sum`, `Sum/temperature`). State survives a
   * redefinition of the window only under the same name. */
  readonly name: string;
  /** A fresh state for a window that has seen nothing. */
  init(): S;
  /** Folds one value (with its event time in ms) into the state. */
  add(state: S, value: I, timestamp: number): S;
  /** Takes a value that leaves the window back out (sliding windows, rolling frames). */
  remove?(state: S, value: I, timestamp: number): S;
  /** Joins two states (session windows that merge). */
  merge?(a: S, b: S): S;
  /** The window's result. Must not mutate the state: `current()` calls it after every update. */
  result(state: S): R;
}

/**
 * Where an aggregator reads its value in each element of type `V`: one of its field names or a function of it;
 * absent means the element itself.
 */
export type Column<V = any> = (FieldName<V> & string) | ElementFn<V>;

/**
 * What an aggregator reading `column` takes: an object with that field, what the function takes, or anything
 * without a column. A window checks it against the values it aggregates.
 *
 * @example
 * type I = ColumnInput<'celsius'>; // { readonly celsius?: unknown }
 */
export type ColumnInput<C> = [C] extends [never]
  ? unknown
  : C extends string
    ? { readonly [K in C]?: unknown }
    : C extends (x: infer X) => unknown
      ? X
      : unknown;

/** @internal Checks a column argument and returns the suffix it adds to the state name. */
export function columnSuffix(where: string, column: Column | undefined): string {
  if (column === undefined || column === null) return '';
  if (typeof column === 'string') return `/${column}`;
  if (typeof column === 'function') return `/${column.name || 'fn'}`;
  return badArgument(where, 'column', column, 'a field name or a function of the element');
}

/**
 * Wraps an aggregator of plain values into one that reads `column` from each element first.
 *
 * A field the elements lack is read as no value, as Quix Streams does (sparse records: a reading without
 * `humidity` leaves the humidity mean alone), until a result is asked for while no element so far had the
 * field: then `result` throws `TS_MISSING_FIELD` naming it and the fields of an element that lacked it (a
 * misspelt name, on an untyped stream, is an error at the first window instead of windows of null). Only the
 * reading of a field costs anything per element; the check runs with the result.
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
  const where = agg.name.toLowerCase();
  let read: (x: unknown) => unknown;
  let result: (s: S) => R;
  if (typeof column === 'function') {
    read = column;
    result = (s) => agg.result(s);
  } else {
    const seen = { present: false };
    let lacking: unknown;
    let lacked = false;
    read = checkedFieldReader(
      column,
      (x) => {
        if (x === null || x === undefined || seen.present || lacked) return undefined;
        lacked = true;
        lacking = x;
        return undefined;
      },
      seen,
    );
    result = (s) => {
      if (lacked && !seen.present) throw missingFieldError(where, 'column', column, lacking);
      return agg.result(s);
    };
  }
  const wrapped: Aggregator<S, R> = {
    name: `${agg.name}${suffix}`,
    init: () => agg.init(),
    add: (s, v, t) => add.call(agg, s, read(v), t),
    result,
  };
  if (remove !== undefined) (wrapped as any).remove = (s: S, v: unknown, t: number) => remove.call(agg, s, read(v), t);
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
