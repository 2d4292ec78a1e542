// The numeric fast path. When every aggregation of a window is a built-in count, sum, mean, min, max, var or std
// of the window's value (no column of its own), one Float64Array per window holds them all and one pass updates
// them: no boxed numbers, no calls through the aggregator objects, ~4x less work per element. Results, and what
// a store receives, are exactly those of the aggregators themselves.
import {
  type Aggregate,
  addMoment,
  MOMENT_SLOTS,
  mergeMoments,
  momentResult,
  resetMoments,
  SLOT,
} from '../core/moments.ts';
import type { Aggregator, Column } from './aggregator.ts';

/** The built-in numeric aggregations the fast path computes (core/moments.ts: the one kernel of every layer). */
export type Kernel = Aggregate;

const { N, SUM, MIN, MAX, MEAN, M2 } = SLOT;
/** @internal The length of a kernel state. */
export const KERNEL_SLOTS = MOMENT_SLOTS;

/**
 * Marks a built-in aggregator as computable by the fast path (only without a column).
 * @example withKernel(sumAggregator, 'sum', undefined)
 * @internal
 */
export function withKernel<A extends Aggregator>(agg: A, kernel: Kernel, column: Column | undefined): A {
  if (column === undefined || column === null) Object.defineProperty(agg, 'kernel', { value: kernel });
  // Columnar frames read a named column directly: they need the kind and the column of every built-in.
  else if (typeof column === 'string') Object.defineProperty(agg, 'columnKernel', { value: { kernel, column } });
  return agg;
}

/** @internal The fast-path kind of an aggregator, if it has one. */
export function kernelOf(agg: Aggregator): Kernel | undefined {
  return (agg as { kernel?: Kernel }).kernel;
}

/**
 * The kind and column (null: the window's value) of a built-in numeric aggregator, whatever its column.
 * @example columnKernelOf(mean('temperature')); // { kernel: 'mean', column: 'temperature' }
 * @internal
 */
export function columnKernelOf(agg: Aggregator): { kernel: Kernel; column: string | null } | undefined {
  const k = kernelOf(agg);
  if (k !== undefined) return { kernel: k, column: null };
  return (agg as { columnKernel?: { kernel: Kernel; column: string } }).columnKernel;
}

/** @internal A fresh kernel state. */
export function kernelInit(): Float64Array {
  const k = new Float64Array(KERNEL_SLOTS);
  resetMoments(k, 0);
  return k;
}

/** @internal Folds one value (null and undefined are skipped); `moments` adds Welford's update (var, std). */
export function kernelAdd(k: Float64Array, v: unknown, moments: boolean): void {
  if (v == null) return;
  addMoment(k, 0, v as number, moments);
}

/** @internal Joins two kernel states (session windows). */
export function kernelMerge(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(KERNEL_SLOTS);
  mergeMoments(out, 0, a, 0, b, 0);
  return out;
}

/** @internal The result of one aggregation from a kernel state (at offset `at` of `k`), identical to the aggregator's own. */
export function kernelResult(k: Float64Array, kind: Kernel, at = 0): number | null {
  return momentResult(k, at, kind, null);
}

/** @internal Writes a fresh kernel state at offset `at` of `k` (what `kernelInit` returns, without allocating). */
export function kernelReset(k: Float64Array, at: number): void {
  resetMoments(k, at);
}

/** @internal The aggregator's own state for one aggregation, as a store keeps it (so a plan without the fast path reads it). */
export function kernelToState(k: Float64Array, kind: Kernel): unknown {
  const n = k[N]!;
  switch (kind) {
    case 'count':
      return n;
    case 'sum':
      return k[SUM]!;
    case 'mean':
      return { sum: k[SUM]!, n };
    case 'min':
      return n === 0 ? null : k[MIN]!;
    case 'max':
      return n === 0 ? null : k[MAX]!;
    default:
      return { n, mean: k[MEAN]!, m2: k[M2]! };
  }
}

/** @internal A kernel state back from aggregator states by kind (the first one that says something wins per slot). */
export function kernelFromStates(states: Partial<Record<Kernel, any>>): Float64Array {
  const k = kernelInit();
  const m = states.var ?? states.std;
  const n = states.count ?? states.mean?.n ?? m?.n ?? 0;
  k[N] = n;
  k[SUM] = states.sum ?? states.mean?.sum ?? (m === undefined ? 0 : m.mean * m.n);
  if (states.min != null) k[MIN] = states.min;
  if (states.max != null) k[MAX] = states.max;
  if (m !== undefined) {
    k[MEAN] = m.mean;
    k[M2] = m.m2;
  }
  return k;
}
