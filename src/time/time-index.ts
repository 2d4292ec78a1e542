import { badArgument, describe } from '../errors.ts';
import { CUSTOM, type Interpolator, type MethodEntry, QUADRATIC, SPLINE } from './interpolator.ts';
import { LINEAR, piecewiseAt } from './piecewise.ts';
import { searchSorted } from './search-sorted.ts';
import { SplineCurve } from './spline-curve.ts';
import { type TimeTolerance, toleranceAt, toleranceOption } from './time-tolerance.ts';

export interface TimeIndexOptions {
  /** The value columns, by name. */
  columns: readonly string[];
  /** Keep at most this many rows, dropping the oldest (default: unbounded). */
  maxRows?: number;
  /** Keep rows no older than `watermark - retain`, in the unit of the times (default: all). */
  retain?: number;
  /** When two times are the same instant (default `'auto'`). */
  tolerance?: TimeTolerance;
}

const INITIAL = 1024;
const NO_COLUMNS: readonly number[] = [];

/**
 * A sorted, bounded table of time-stamped rows: a `Float64Array` of times and one per value column. Rows that
 * arrive out of order are placed in order; a time that repeats marks a discontinuity (the value before and after
 * an event). Lookups binary-search, with a fast path for increasing times, and compare times with a tolerance.
 * `maxRows` and `retain` bound it (the oldest rows go first), and `watermark` is the greatest time seen.
 *
 * @example
 * const index = new TimeIndex({ columns: ['temp'] });
 * index.insert(0, [20]);
 * index.insert(10, [30]);
 * index.valueAt(2.5, 'temp', new Interpolator('linear')); // 22.5
 */
export class TimeIndex {
  readonly columns: readonly string[];
  readonly maxRows: number;
  readonly retain: number;
  /** The greatest time inserted (also of rows since dropped); `-Infinity` before the first. */
  watermark = Number.NEGATIVE_INFINITY;
  /** Rows refused because they were older than `watermark - retain` when they came. */
  late = 0;
  /** Increases with every change, so derived data (fitted splines) knows when to refit. */
  version = 0;
  /** After `locate(t)`: the time to evaluate at (`t`, or the sample time it is within the tolerance of). */
  located = 0;
  private times = new Float64Array(INITIAL);
  private values: Float64Array<ArrayBuffer>[];
  private start = 0;
  private end = 0;
  private cursor = 0;
  private readonly tolerance: number;
  private readonly byName = new Map<string, number>();
  private curves: (SplineCurve | null)[] = [];
  private curveVersion: number[] = [];
  private eventFrom = -1;
  private eventAt = -1;
  private eventVersion = -1;
  private eventColumns: ArrayLike<number> | null = null;

  constructor(options: TimeIndexOptions) {
    const where = 'TimeIndex';
    if (!Array.isArray(options?.columns)) badArgument(where, 'columns', options?.columns, 'an array of column names');
    this.columns = [...options.columns];
    this.columns.forEach((c, i) => {
      if (typeof c !== 'string' || this.byName.has(c)) badArgument(where, `columns[${i}]`, c, 'a distinct string');
      this.byName.set(c, i);
    });
    this.maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
    if (!(this.maxRows >= 1) || (this.maxRows !== Number.POSITIVE_INFINITY && !Number.isInteger(this.maxRows))) {
      badArgument(where, 'maxRows', options.maxRows, 'an integer >= 1');
    }
    this.retain = options.retain ?? Number.POSITIVE_INFINITY;
    if (!(this.retain >= 0)) badArgument(where, 'retain', options.retain, 'a number >= 0 in the unit of the times');
    this.tolerance = toleranceOption(options.tolerance, where);
    this.values = this.columns.map(() => new Float64Array(INITIAL));
  }

  /**
   * An index holding the given rows (a copy), sorted by time when they are not (stable: repeated times keep their
   * order).
   *
   * @example
   * const index = TimeIndex.fromColumns([2, 0, 1], { v: [20, 0, 10] });
   * index.column('v'); // Float64Array [0, 10, 20]
   */
  static fromColumns(
    times: ArrayLike<number>,
    columns: Record<string, ArrayLike<number>>,
    options: Omit<TimeIndexOptions, 'columns'> = {},
  ): TimeIndex {
    const names = Object.keys(columns);
    const index = new TimeIndex({ ...options, columns: names });
    const cols = names.map((c) => columns[c]!);
    const n = times.length;
    let order: number[] | null = null;
    for (let i = 1; i < n; i++) {
      if (times[i]! < times[i - 1]!) {
        order = Array.from({ length: n }, (_, j) => j).sort((a, b) => times[a]! - times[b]! || a - b);
        break;
      }
    }
    const row = new Float64Array(cols.length);
    for (let r = 0; r < n; r++) {
      const j = order === null ? r : order[r]!;
      for (let c = 0; c < cols.length; c++) row[c] = cols[c]![j]!;
      index.insert(times[j]!, row);
    }
    return index;
  }

  /** The number of rows held. */
  get length(): number {
    return this.end - this.start;
  }

  /** The position of a column, or a `TS_BAD_ARGUMENT` error naming the known ones. */
  columnIndex(name: string): number {
    const c = this.byName.get(name);
    if (c === undefined) badArgument('TimeIndex', 'column', name, `one of ${this.columns.join(', ')}`);
    return c;
  }

  /** The times held, oldest first (a view: valid until the next insert). */
  timeColumn(): Float64Array {
    return this.times.subarray(this.start, this.end);
  }

  /** The values of one column (a view: valid until the next insert). */
  column(name: string): Float64Array {
    return this.values[this.columnIndex(name)]!.subarray(this.start, this.end);
  }

  /**
   * Adds a row: `values` in the order of `columns` (missing ones are NaN). A row older than `watermark - retain`
   * is refused (counted in `late`) and `false` returned.
   */
  insert(t: number, values: ArrayLike<number>): boolean {
    if (typeof t !== 'number' || !Number.isFinite(t)) badArgument('TimeIndex.insert', 't', t, 'a finite number');
    if (t < this.watermark - this.retain) {
      this.late++;
      return false;
    }
    if (this.end === this.times.length) this.makeRoom();
    const xs = this.times;
    let pos = this.end;
    if (pos > this.start && xs[pos - 1]! > t) {
      // Out of order: after every row with the same or an earlier time, so a repeat stays a discontinuity.
      pos = searchSorted(xs, this.start, this.end, t) + 1;
      xs.copyWithin(pos + 1, pos, this.end);
      for (const col of this.values) col.copyWithin(pos + 1, pos, this.end);
    }
    xs[pos] = t;
    for (let c = 0; c < this.values.length; c++) this.values[c]![pos] = c < values.length ? values[c]! : Number.NaN;
    this.end++;
    this.version++;
    if (t > this.watermark) this.watermark = t;
    if (this.end - this.start > this.maxRows) this.start = this.end - this.maxRows;
    if (this.retain !== Number.POSITIVE_INFINITY) {
      const oldest = this.watermark - this.retain;
      while (this.start < this.end && xs[this.start]! < oldest) this.start++;
    }
    return true;
  }

  /** Whether the data reached `t`: the watermark is at or past `t`, within the tolerance. */
  reached(t: number): boolean {
    return this.watermark >= t - toleranceAt(t, this.tolerance);
  }

  /** Removes every row (the watermark stays). */
  clear(): void {
    this.start = this.end = this.cursor = 0;
    this.version++;
  }

  /**
   * Finds the last row at or before `t` (within the tolerance): its position from the oldest row, or -1 when `t`
   * is before every row. Sets `located` to the time to evaluate at. Increasing times are found in O(1).
   */
  locate(t: number): number {
    const xs = this.times;
    const s = this.start;
    const e = this.end;
    const tol = toleranceAt(t, this.tolerance);
    const tq = t + tol;
    const c = this.cursor;
    let i: number;
    if (c >= s && c < e && xs[c]! <= tq) {
      if (c + 1 >= e || xs[c + 1]! > tq) i = c;
      else if (c + 2 >= e || xs[c + 2]! > tq) i = c + 1;
      else i = searchSorted(xs, c + 2, e, tq);
    } else {
      i = searchSorted(xs, s, e, tq);
    }
    if (i >= s) {
      this.cursor = i;
      const x = xs[i]!;
      this.located = x >= t - tol ? x : t;
    } else {
      this.located = t;
    }
    return i - s;
  }

  /**
   * The value of column `c` at the time of the last `locate`, whose result is `i`, by `method` (an entry from
   * `Interpolator.resolve`). The hot path of every handler: no allocation for the built-in methods.
   */
  evaluate(c: number, method: MethodEntry, i: number): number {
    const s = this.start;
    const ys = this.values[c]!;
    const kind = method.kind;
    if (kind < QUADRATIC) return piecewiseAt(kind, this.times, ys, s, this.end, i + s, this.located);
    if (kind === CUSTOM) {
      const r = method.fn!(this.timeColumn(), ys.subarray(s, this.end), Float64Array.of(this.located));
      return r[0]!;
    }
    return this.curve(c, kind).at(this.located, i + s);
  }

  /**
   * `evaluate` for several columns at once, into `out`: the sample interval is read once and shared, which is
   * what makes a handler's `getData` for many variables cost little more than for one.
   */
  evaluateMany(columns: ArrayLike<number>, methods: readonly MethodEntry[], i: number, out: Float64Array): void {
    const s = this.start;
    const a = i + s;
    const t = this.located;
    const xs = this.times;
    // Strictly inside an interval (not on a sample): the common case of a linear lookup.
    const inside = i >= 0 && a < this.end - 1 && t !== xs[a];
    const x0 = inside ? xs[a]! : 0;
    const dx = inside ? xs[a + 1]! - x0 : 1;
    const dt = t - x0;
    for (let v = 0; v < columns.length; v++) {
      const m = methods[v]!;
      if (inside && m.kind === LINEAR) {
        const ys = this.values[columns[v]!]!;
        const y0 = ys[a]!;
        // NumPy's operations in NumPy's order (see piecewiseAt), so the result is the same to the last bit.
        const r = ((ys[a + 1]! - y0) / dx) * dt + y0;
        out[v] = Number.isNaN(r) ? this.evaluate(columns[v]!, m, i) : r;
      } else {
        out[v] = this.evaluate(columns[v]!, m, i);
      }
    }
  }

  /**
   * The value of one column at `t` by an interpolator's method (with fewer rows than it needs, `linear`).
   * NaN when the index is empty.
   */
  valueAt(t: number, column: string, interpolator: Interpolator): number {
    const c = this.columnIndex(column);
    if (this.end === this.start) return Number.NaN;
    const i = this.locate(t);
    return this.evaluate(c, interpolator.resolve(this.length), i);
  }

  /**
   * The first time after `t` (beyond the tolerance) at which something happens: a repeated time (a
   * discontinuity), or a change of value in one of `stepColumns` (columns read with a step method, whose changes
   * a co-simulation master should land on). `Infinity` when nothing follows.
   */
  nextEvent(t: number, stepColumns: ArrayLike<number> = NO_COLUMNS): number {
    const s = this.start;
    const e = this.end;
    const xs = this.times;
    const i = this.locate(t) + s;
    // Increasing queries between two events reuse the last answer (for the same columns array).
    if (
      this.eventVersion === this.version &&
      this.eventColumns === stepColumns &&
      i >= this.eventFrom &&
      i < this.eventAt
    ) {
      return xs[this.eventAt]!;
    }
    // Before the data the first value holds, so the first possible change is at the second row.
    let j = Math.max(i + 1, s + 1);
    for (; j < e; j++) {
      if (xs[j] === xs[j - 1]) break;
      let changed = false;
      for (let k = 0; k < stepColumns.length && !changed; k++) {
        const ys = this.values[stepColumns[k]!]!;
        changed = !Object.is(ys[j], ys[j - 1]);
      }
      if (changed) break;
    }
    if (j >= e) return Number.POSITIVE_INFINITY;
    this.eventVersion = this.version;
    this.eventColumns = stepColumns;
    this.eventFrom = i;
    this.eventAt = j;
    return xs[j]!;
  }

  private curve(c: number, kind: number): SplineCurve {
    const key = c * 3 + (kind - QUADRATIC);
    let curve = this.curves[key];
    if (curve == null || this.curveVersion[key] !== this.version) {
      curve = new SplineCurve(
        this.times,
        this.values[c]!,
        this.start,
        this.end,
        kind === QUADRATIC ? 2 : 3,
        kind === SPLINE,
      );
      this.curves[key] = curve;
      this.curveVersion[key] = this.version;
    }
    return curve;
  }

  // Compacts the live rows to the front when at least half the buffer is free, else doubles it. A bounded index
  // stops growing at twice maxRows, after which compaction moves each row once per maxRows inserts.
  private makeRoom(): void {
    const n = this.end - this.start;
    const size = n * 2 <= this.times.length ? this.times.length : this.times.length * 2;
    const move = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      if (size === a.length) {
        a.copyWithin(0, this.start, this.end);
        return a;
      }
      const b = new Float64Array(size);
      b.set(a.subarray(this.start, this.end));
      return b;
    };
    this.times = move(this.times);
    this.values = this.values.map(move);
    this.cursor = Math.max(0, this.cursor - this.start);
    this.end = n;
    this.start = 0;
    this.version++;
  }

  /** A short description for messages. */
  toString(): string {
    return `TimeIndex(${describe(this.columns)}, ${this.length} rows)`;
  }
}
