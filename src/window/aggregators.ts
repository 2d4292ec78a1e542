// The built-in aggregators. Each skips null and undefined values (a sensor that reported nothing) and lets NaN
// through (a sensor that reported garbage should show it). States are small objects mutated in place.
import { sampleVariance } from '../core/moments.ts';
import { badArgument, requireFunction } from '../errors.ts';
import { type Aggregator, type Column, type ColumnInput, onColumn } from './aggregator.ts';
import { type Kernel, withKernel } from './kernel.ts';

export type { Kernel };

/**
 * Counts the values that are not null or undefined.
 * @example aggregate(count(), [1, null, 3]); // 2
 */
export function count<C extends Column = never>(column?: C): Aggregator<number, number, ColumnInput<C>> {
  return withKernel(
    onColumn<number, number>(
      {
        name: 'Count',
        init: () => 0,
        add: (s, v) => (v == null ? s : s + 1),
        remove: (s, v) => (v == null ? s : s - 1),
        merge: (a, b) => a + b,
        result: (s) => s,
      },
      column,
    ),
    'count',
    column,
  );
}

/**
 * The sum of the values (0 for an empty window).
 * @example aggregate(sum('kw'), [{ kw: 1 }, { kw: 2 }]); // 3
 */
export function sum<C extends Column = never>(column?: C): Aggregator<number, number, ColumnInput<C>> {
  return withKernel(
    onColumn<number, number>(
      {
        name: 'Sum',
        init: () => 0,
        add: (s, v) => (v == null ? s : s + (v as number)),
        remove: (s, v) => (v == null ? s : s - (v as number)),
        merge: (a, b) => a + b,
        result: (s) => s,
      },
      column,
    ),
    'sum',
    column,
  );
}

interface MeanState {
  sum: number;
  n: number;
}

/**
 * The arithmetic mean; null for an empty window.
 * @example aggregate(mean(), [1, 2, null]); // 1.5
 */
export function mean<C extends Column = never>(column?: C): Aggregator<MeanState, number | null, ColumnInput<C>> {
  return withKernel(
    onColumn<MeanState, number | null>(
      {
        name: 'Mean',
        init: () => ({ sum: 0, n: 0 }),
        add: (s, v) => {
          if (v != null) {
            s.sum += v as number;
            s.n++;
          }
          return s;
        },
        remove: (s, v) => {
          if (v != null) {
            s.sum -= v as number;
            s.n--;
          }
          return s;
        },
        merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
        result: (s) => (s.n === 0 ? null : s.sum / s.n),
      },
      column,
    ),
    'mean',
    column,
  );
}

function extreme(name: string, less: boolean, column?: Column): Aggregator<number | null, number | null> {
  // Once NaN is in, it stays (comparisons with NaN are false, so it is never replaced).
  const better = less
    ? (v: number, s: number) => v < s || Number.isNaN(v)
    : (v: number, s: number) => v > s || Number.isNaN(v);
  return onColumn<number | null, number | null>(
    {
      name,
      init: () => null,
      add: (s, v) => (v == null ? s : s === null || better(v as number, s) ? (v as number) : s),
      merge: (a, b) => (a === null ? b : b === null ? a : better(b, a) ? b : a),
      result: (s) => s,
    },
    column,
  );
}

/**
 * The smallest value; null for an empty window.
 * @example aggregate(min(), [3, 1, 2]); // 1
 */
export function min<C extends Column = never>(column?: C): Aggregator<number | null, number | null, ColumnInput<C>> {
  return withKernel(extreme('Min', true, column), 'min', column);
}

/**
 * The largest value; null for an empty window.
 * @example aggregate(max(), [3, 1, 2]); // 3
 */
export function max<C extends Column = never>(column?: C): Aggregator<number | null, number | null, ColumnInput<C>> {
  return withKernel(extreme('Max', false, column), 'max', column);
}

interface MomentState {
  n: number;
  mean: number;
  m2: number;
}

// Welford's update: numerically stable where sum-of-squares loses every digit on large offsets.
function moments(name: string, root: boolean, column?: Column): Aggregator<MomentState, number | null> {
  return onColumn<MomentState, number | null>(
    {
      name,
      init: () => ({ n: 0, mean: 0, m2: 0 }),
      add: (s, v) => {
        if (v == null) return s;
        const x = v as number;
        s.n++;
        const d = x - s.mean;
        s.mean += d / s.n;
        s.m2 += d * (x - s.mean);
        return s;
      },
      remove: (s, v) => {
        if (v == null) return s;
        const x = v as number;
        if (s.n <= 1) return { n: 0, mean: 0, m2: 0 };
        const m = (s.n * s.mean - x) / (s.n - 1);
        s.m2 -= (x - s.mean) * (x - m);
        s.mean = m;
        s.n--;
        return s;
      },
      merge: (a, b) => {
        const n = a.n + b.n;
        if (n === 0) return { n: 0, mean: 0, m2: 0 };
        const d = b.mean - a.mean;
        return { n, mean: a.mean + (d * b.n) / n, m2: a.m2 + b.m2 + (d * d * a.n * b.n) / n };
      },
      result: (s) => {
        if (s.n < 2) return null;
        const v = sampleVariance(s.n, s.m2);
        return root ? Math.sqrt(v) : v;
      },
    },
    column,
  );
}

/**
 * The sample variance (n - 1 in the denominator, as pandas); null below two values.
 * @example aggregate(variance(), [1, 2, 3, 4]); // 1.666…
 */
export function variance<C extends Column = never>(column?: C): Aggregator<MomentState, number | null, ColumnInput<C>> {
  return withKernel(moments('Var', false, column), 'var', column);
}

/**
 * The sample standard deviation; null below two values.
 * @example aggregate(std(), [2, 4, 4, 4, 5, 5, 7, 9]); // 2.138…
 */
export function std<C extends Column = never>(column?: C): Aggregator<MomentState, number | null, ColumnInput<C>> {
  return withKernel(moments('Std', true, column), 'std', column);
}

/**
 * The first value by arrival (not by timestamp: see {@link earliest}).
 * @example aggregate(first(), [null, 2, 3]); // 2
 */
export function first<C extends Column = never>(column?: C): Aggregator<unknown, unknown, ColumnInput<C>> {
  return onColumn<unknown, unknown>(
    { name: 'First', init: () => null, add: (s, v) => (s == null ? v : s), result: (s) => s ?? null },
    column,
  );
}

/**
 * The last value by arrival.
 * @example aggregate(last(), [1, 2, null]); // 2
 */
export function last<C extends Column = never>(column?: C): Aggregator<unknown, unknown, ColumnInput<C>> {
  return onColumn<unknown, unknown>(
    { name: 'Last', init: () => null, add: (s, v) => (v == null ? s : v), result: (s) => s ?? null },
    column,
  );
}

interface StampedState {
  t: number;
  v: unknown;
}

/**
 * The value with the smallest timestamp (the first one seen among equal timestamps).
 * @example aggregate(earliest(), ['b', 'a'], [2, 1]); // 'a'
 */
export function earliest<C extends Column = never>(column?: C): Aggregator<StampedState, unknown, ColumnInput<C>> {
  return onColumn<StampedState, unknown>(
    {
      name: 'Earliest',
      init: () => ({ t: Number.POSITIVE_INFINITY, v: null }),
      add: (s, v, t) => {
        if (v != null && t < s.t) {
          s.t = t;
          s.v = v;
        }
        return s;
      },
      merge: (a, b) => (b.t < a.t ? b : a),
      result: (s) => s.v,
    },
    column,
  );
}

/**
 * The value with the greatest timestamp (the last one seen among equal timestamps).
 * @example aggregate(latest(), ['b', 'a'], [2, 1]); // 'b'
 */
export function latest<C extends Column = never>(column?: C): Aggregator<StampedState, unknown, ColumnInput<C>> {
  return onColumn<StampedState, unknown>(
    {
      name: 'Latest',
      init: () => ({ t: Number.NEGATIVE_INFINITY, v: null }),
      add: (s, v, t) => {
        if (v != null && t >= s.t) {
          s.t = t;
          s.v = v;
        }
        return s;
      },
      merge: (a, b) => (b.t >= a.t ? b : a),
      result: (s) => s.v,
    },
    column,
  );
}

/**
 * Every value, in arrival order.
 * @example aggregate(collect(), [1, 2]); // [1, 2]
 */
export function collect<T = unknown, C extends Column = Column>(column?: C): Aggregator<T[], T[], ColumnInput<C>> {
  return onColumn<T[], T[]>(
    {
      name: 'Collect',
      init: () => [],
      add: (s, v) => {
        if (v != null) s.push(v as T);
        return s;
      },
      remove: (s, v) => {
        const i = s.indexOf(v as T);
        if (i >= 0) s.splice(i, 1);
        return s;
      },
      merge: (a, b) => a.concat(b),
      result: (s) => s.slice(),
    },
    column,
  );
}

interface ReduceState<A> {
  has: boolean;
  acc: A | undefined;
}

/**
 * Folds values with `reducer(acc, value)`, the first one through `initializer(value)` (Quix's `reduce`).
 * @example aggregate(reduce((a: string, v) => a + v, (v) => String(v)), ['A', 'B']); // 'AB'
 */
export function reduce<A, V = any>(
  reducer: (acc: A, value: V) => A,
  initializer: (value: V) => A,
): Aggregator<ReduceState<A>, A | null> {
  requireFunction('reduce', 'reducer', reducer);
  requireFunction('reduce', 'initializer', initializer);
  return {
    name: 'Reduce',
    init: () => ({ has: false, acc: undefined }),
    add: (s, v) => {
      if (v == null) return s;
      s.acc = s.has ? reducer(s.acc as A, v as V) : initializer(v as V);
      s.has = true;
      return s;
    },
    result: (s) => (s.has ? (s.acc as A) : null),
  };
}

/**
 * The `p`-th percentile (0–100) with linear interpolation between closest ranks (numpy's default); null for an
 * empty window. Keeps every value of the window.
 * @example aggregate(percentile(90), [1, 2, 3, 4, 5]); // 4.6
 */
export function percentile<C extends Column = never>(
  p: number,
  column?: C,
): Aggregator<number[], number | null, ColumnInput<C>> {
  if (typeof p !== 'number' || !(p >= 0 && p <= 100)) badArgument('percentile', 'p', p, 'a number from 0 to 100');
  return onColumn<number[], number | null>(
    {
      name: p === 50 ? 'Median' : `Percentile(${p})`,
      init: () => [],
      add: (s, v) => {
        if (v != null) s.push(v as number);
        return s;
      },
      remove: (s, v) => {
        const i = s.indexOf(v as number);
        if (i >= 0) s.splice(i, 1);
        return s;
      },
      merge: (a, b) => a.concat(b),
      result: (s) => {
        if (s.length === 0) return null;
        const sorted = Float64Array.from(s).sort();
        if (Number.isNaN(sorted[sorted.length - 1]!)) return Number.NaN;
        const rank = (p / 100) * (sorted.length - 1);
        const lo = Math.floor(rank);
        const hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
      },
    },
    column,
  );
}

/**
 * The median (the 50th percentile).
 * @example aggregate(median(), [5, 1, 3]); // 3
 */
export function median<C extends Column = never>(column?: C): Aggregator<number[], number | null, ColumnInput<C>> {
  return percentile(50, column);
}

/** The built-in aggregators by the names the shorthands and `rolling` use. */
export const aggregators = {
  count,
  sum,
  mean,
  min,
  max,
  var: variance,
  std,
  first,
  last,
  earliest,
  latest,
  collect,
  median,
} as const;

/** A built-in aggregator's name: `'sum'`, `'mean'`, ... */
export type AggregatorName = keyof typeof aggregators;
