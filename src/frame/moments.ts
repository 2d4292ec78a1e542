import { TwinstreamError } from '../errors.ts';
import type { NumericArray } from './frame-column.ts';

/** The reductions frames compute per column (and per group): pandas' names and rules (NaN is skipped). */
export type Reduction = 'sum' | 'mean' | 'count' | 'min' | 'max' | 'var' | 'std' | 'size';

const REDUCTIONS: readonly Reduction[] = ['sum', 'mean', 'count', 'min', 'max', 'var', 'std', 'size'];

/**
 * Checks a reduction name; throws `TS_BAD_ARGUMENT` listing the accepted ones.
 * @example checkReduction('rolling', 'mean');
 * @internal
 */
export function checkReduction(where: string, r: unknown): Reduction {
  if (!REDUCTIONS.includes(r as Reduction)) {
    throw new TwinstreamError(
      'TS_BAD_ARGUMENT',
      `${where}: "${String(r)}" is not a reduction; expected one of ${REDUCTIONS.join(', ')}`,
    );
  }
  return r as Reduction;
}

/**
 * Running statistics of one numeric column for any number of groups, in growable typed arrays: rows seen, values
 * counted (NaN skipped, as pandas does), sum, min, max and (when asked) Welford's mean and M2 for var/std.
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
  rows = new Float64Array(4);
  n = new Float64Array(4);
  sum = new Float64Array(4);
  min = new Float64Array(4);
  max = new Float64Array(4);
  mean = new Float64Array(4);
  m2 = new Float64Array(4);

  constructor(moments: boolean) {
    this.moments = moments;
  }

  /** Makes room for group `g` (groups are dense indexes from 0). */
  ensure(g: number): void {
    if (g < this.groups) return;
    if (g >= this.n.length) {
      const cap = Math.max(g + 1, this.n.length * 2);
      const grow = (a: Float64Array) => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      };
      this.rows = grow(this.rows);
      this.n = grow(this.n);
      this.sum = grow(this.sum);
      this.min = grow(this.min);
      this.max = grow(this.max);
      this.mean = grow(this.mean);
      this.m2 = grow(this.m2);
    }
    for (let i = this.groups; i <= g; i++) {
      this.min[i] = Number.POSITIVE_INFINITY;
      this.max[i] = Number.NEGATIVE_INFINITY;
    }
    this.groups = g + 1;
  }

  /** Folds rows `[from, to)` of `values` into group `groups[i]` each (group 0 for all when `groups` is null). */
  addColumn(values: NumericArray, groups: Int32Array | null, from = 0, to = values.length): void {
    if (groups === null) {
      this.ensure(0);
      this.addRange(values, from, to);
      return;
    }
    const { rows, n, sum, min, max, mean, m2 } = this;
    for (let i = from; i < to; i++) {
      const g = groups[i]!;
      if (g < 0) continue;
      rows[g]++;
      const x = values[i]!;
      if (Number.isNaN(x)) continue;
      const k = ++n[g]!;
      sum[g] += x;
      if (x < min[g]!) min[g] = x;
      if (x > max[g]!) max[g] = x;
      if (this.moments) {
        const d = x - mean[g]!;
        mean[g] += d / k;
        m2[g] += d * (x - mean[g]!);
      }
    }
  }

  // One group: locals in registers, one pass.
  private addRange(values: NumericArray, from: number, to: number): void {
    let k = this.n[0]!;
    let s = this.sum[0]!;
    let lo = this.min[0]!;
    let hi = this.max[0]!;
    let mu = this.mean[0]!;
    let q = this.m2[0]!;
    const moments = this.moments;
    for (let i = from; i < to; i++) {
      const x = values[i]!;
      if (Number.isNaN(x)) continue;
      k++;
      s += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (moments) {
        const d = x - mu;
        mu += d / k;
        q += d * (x - mu);
      }
    }
    this.rows[0] += to - from;
    this.n[0] = k;
    this.sum[0] = s;
    this.min[0] = lo;
    this.max[0] = hi;
    this.mean[0] = mu;
    this.m2[0] = q;
  }

  /** The reduction of group `g` (NaN where pandas gives NaN: an empty mean, min or max, var below two values). */
  result(r: Reduction, g: number): number {
    const k = g < this.groups ? this.n[g]! : 0;
    switch (r) {
      case 'count':
        return k;
      case 'size':
        return g < this.groups ? this.rows[g]! : 0;
      case 'sum':
        return g < this.groups ? this.sum[g]! : 0;
      case 'mean':
        return k === 0 ? Number.NaN : this.sum[g]! / k;
      case 'min':
        return k === 0 ? Number.NaN : this.min[g]!;
      case 'max':
        return k === 0 ? Number.NaN : this.max[g]!;
      default: {
        if (k < 2) return Number.NaN;
        const v = Math.max(0, this.m2[g]! / (k - 1));
        return r === 'std' ? Math.sqrt(v) : v;
      }
    }
  }
}
