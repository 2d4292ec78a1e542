import { fromJsonNumbers, toJsonNumbers } from '../core/json-numbers.ts';
import { type Aggregate, addMoment, MOMENT_SLOTS, momentResult, resetMoments, SLOT } from '../core/moments.ts';
import { badArgument } from '../errors.ts';
import type { NumericArray } from './frame-column.ts';

/** The reductions frames compute per column (and per group): pandas' names and rules (NaN is skipped). */
export type Reduction = Aggregate | 'size';

const REDUCTIONS: readonly Reduction[] = ['sum', 'mean', 'count', 'min', 'max', 'var', 'std', 'size'];

/**
 * Checks a reduction name; throws `TS_BAD_ARGUMENT` listing the accepted ones.
 * @example checkReduction('rolling', 'mean');
 * @internal
 */
export function checkReduction(where: string, r: unknown): Reduction {
  if (!REDUCTIONS.includes(r as Reduction)) {
    badArgument(where, 'reduction', r, `one of ${REDUCTIONS.join(', ')}`);
  }
  return r as Reduction;
}

// Per group: the rows seen, then the kernel block of core/moments.ts (count of values, sum, min, max, mean, M2).
const ROWS = 0;
const STRIDE = 1 + MOMENT_SLOTS;

/**
 * Running statistics of one numeric column for any number of groups, in one growable Float64Array: rows seen,
 * then the shared kernel (core/moments.ts) of the values (NaN skipped, as pandas does), with Welford's mean and
 * M2 for var/std when asked.
 *
 * @example
 * const m = new Moments(true);
 * m.addColumn(new Float64Array([1, 2, 3]), null);
 * m.result('std', 0); // 1
 * @internal
 */
export class Moments {
  readonly moments: boolean;
  groups = 0;
  private S = new Float64Array(4 * STRIDE);

  constructor(moments: boolean) {
    this.moments = moments;
  }

  /** Makes room for group `g` (groups are dense indexes from 0). */
  ensure(g: number): void {
    if (g < this.groups) return;
    if ((g + 1) * STRIDE > this.S.length) {
      const grown = new Float64Array(Math.max(g + 1, 2 * (this.S.length / STRIDE)) * STRIDE);
      grown.set(this.S);
      this.S = grown;
    }
    for (let i = this.groups; i <= g; i++) {
      this.S[i * STRIDE + ROWS] = 0;
      resetMoments(this.S, i * STRIDE + 1);
    }
    this.groups = g + 1;
  }

  /** The statistics of every group as JSON values (a checkpoint). @example new Moments(false).load(m.save()) */
  save(): (number | string)[] {
    return toJsonNumbers(this.S.subarray(0, this.groups * STRIDE));
  }

  /** Takes back what {@link Moments.save} gave. */
  load(saved: unknown): void {
    const S = fromJsonNumbers(saved);
    this.groups = Math.floor(S.length / STRIDE);
    this.S = new Float64Array(Math.max(4, this.groups) * STRIDE);
    this.S.set(S.subarray(0, this.groups * STRIDE));
  }

  /**
   * Starts group 0 from saved figures (a reduction's `start`): a sum and a count of values (and of rows).
   * @example m.seed(300, 2); // resumes a mean of 150 over 2 values
   */
  seed(sum: number, n: number): void {
    this.ensure(0);
    this.S[ROWS] = n;
    this.S[1 + SLOT.N] = n;
    this.S[1 + SLOT.SUM] = sum;
  }

  /** Folds rows `[from, to)` of `values` into group `groups[i]` each (group 0 for all when `groups` is null). */
  addColumn(values: NumericArray, groups: Int32Array | null, from = 0, to = values.length): void {
    const moments = this.moments;
    if (groups === null) {
      this.ensure(0);
      const S = this.S;
      S[ROWS] += to - from;
      for (let i = from; i < to; i++) {
        const x = values[i]!;
        if (!Number.isNaN(x)) addMoment(S, 1, x, moments);
      }
      return;
    }
    let S = this.S;
    for (let i = from; i < to; i++) {
      const g = groups[i]!;
      if (g < 0) continue;
      if (g >= this.groups) {
        this.ensure(g);
        S = this.S;
      }
      const b = g * STRIDE;
      S[b + ROWS]++;
      const x = values[i]!;
      if (!Number.isNaN(x)) addMoment(S, b + 1, x, moments);
    }
  }

  /** The reduction of group `g` (NaN where pandas gives NaN: an empty mean, min or max, var below two values). */
  result(r: Reduction, g: number): number {
    if (g >= this.groups) return r === 'count' || r === 'size' || r === 'sum' ? 0 : Number.NaN;
    if (r === 'size') return this.S[g * STRIDE + ROWS]!;
    return momentResult(this.S, g * STRIDE + 1, r, Number.NaN);
  }
}
