/**
 * Durations of one kind (waits, services) for one task: a count, a total and a maximum, and, when `keep` is set,
 * every value in a growing `Float64Array` for exact percentiles (sorted once when asked, not per observation).
 *
 * @example
 * const waits = new Observations(true);
 * for (const w of [1, 2, 3, 4]) waits.add(w);
 * waits.mean(); // 2.5
 * waits.percentile(50); // 2.5
 */
export class Observations {
  count = 0;
  total = 0;
  max = Number.NEGATIVE_INFINITY;
  private values: Float64Array | null;
  private sorted = true;

  constructor(keep: boolean) {
    this.values = keep ? new Float64Array(1024) : null;
  }

  /** Whether every value is kept (percentiles available). */
  get keeps(): boolean {
    return this.values !== null;
  }

  add(x: number): void {
    const n = this.count++;
    this.total += x;
    if (x > this.max) this.max = x;
    let v = this.values;
    if (v === null) return;
    if (n === v.length) {
      const grown = new Float64Array(n * 2);
      grown.set(v);
      this.values = v = grown;
    }
    v[n] = x;
    this.sorted = false;
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.total / this.count;
  }

  /**
   * The `p`-th percentile (0–100) with linear interpolation between the nearest ranks (numpy's default, which
   * desflow uses); NaN when nothing was observed or values are not kept.
   */
  percentile(p: number): number {
    const v = this.values;
    const n = this.count;
    if (v === null || n === 0) return Number.NaN;
    if (!this.sorted) {
      v.subarray(0, n).sort();
      this.sorted = true;
    }
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.min(lo + 1, n - 1);
    return v[lo]! + (v[hi]! - v[lo]!) * (rank - lo);
  }

  /** Forgets every observation (after a warm-up). */
  reset(): void {
    this.count = 0;
    this.total = 0;
    this.max = Number.NEGATIVE_INFINITY;
    this.sorted = true;
  }
}
