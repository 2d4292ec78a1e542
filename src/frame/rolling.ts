// Rolling aggregations over frames: one output per frame with a value per row, computed with the history the
// window needs from earlier frames (streamz's `sdf.rolling(…)`). Over rows: state carried across frames
// (row-rolling.ts); over a duration, vectorised per column over one buffer holding [history, frame]: sums slide,
// min/max use a monotonic deque of indexes; no allocation per row.
import { fromJsonNumbers, toJsonNumbers } from '../core/json-numbers.ts';
import { sampleVariance } from '../core/moments.ts';
import type { Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import type { FrameColumn, NumericArray } from './frame-column.ts';
import { FrameStateNode } from './frame-state-node.ts';
import { checkReduction, type Reduction } from './moments.ts';
import { RowRolling } from './row-rolling.ts';
import { RowWindow } from './row-window.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { StreamingSeries } from './streaming-series.ts';

/** Options of `rolling`. */
export interface RollingFrameOptions {
  /** Rows (values not NaN) a window needs before it gives a value; NaN before. Default: `n` for a row count, 1 for
   * a duration (pandas' defaults). */
  minPeriods?: number;
  /** The state namespace (an application's checkpoints). Default: `'rolling.<reduction>'`. */
  namespace?: string;
}

/** The history of one column: the last values (and times) later rows may still need. */
class ColumnHistory {
  values = new Float64Array(0);
  times = new Float64Array(0);

  save(): unknown {
    return [toJsonNumbers(this.values), toJsonNumbers(this.times)];
  }

  load(saved: unknown): void {
    const [values, times] = saved as [unknown, unknown];
    this.values = fromJsonNumbers(values);
    this.times = fromJsonNumbers(times);
  }
}

/** The rolling state of each column: a ring over rows, or a history over a duration; per input partition. */
class ColumnRolls {
  readonly byRows: boolean;
  readonly histories = new Map<string, ColumnHistory>();
  readonly rings = new Map<string, RowRolling>();
  private readonly n: number;
  private readonly minPeriods: number;
  private readonly r: Reduction;

  constructor(n: number, span: number, minPeriods: number, r: Reduction) {
    this.byRows = span === Number.POSITIVE_INFINITY;
    this.n = n;
    this.minPeriods = minPeriods;
    this.r = r;
  }

  ring(name: string): RowRolling {
    let ring = this.rings.get(name);
    if (ring === undefined) this.rings.set(name, (ring = new RowRolling(this.n, this.minPeriods, this.r)));
    return ring;
  }

  history(name: string): ColumnHistory {
    let h = this.histories.get(name);
    if (h === undefined) this.histories.set(name, (h = new ColumnHistory()));
    return h;
  }

  save(): unknown {
    const of = (m: Map<string, { save(): unknown }>) => Object.fromEntries([...m].map(([k, v]) => [k, v.save()]));
    return this.byRows ? of(this.rings) : of(this.histories);
  }

  load(saved: unknown): void {
    for (const [k, v] of Object.entries(saved as Record<string, unknown>)) {
      if (this.byRows) this.ring(k).load(v);
      else this.history(k).load(v);
    }
  }
}

/**
 * Rolling values of one column for one frame, given its history; returns the output and updates the history.
 * `n` rows, or `span` ms of time (`(t - span, t]`), whichever is finite.
 * @internal
 */
export function rollColumn(
  h: { values: Float64Array; times: Float64Array },
  values: NumericArray,
  times: Float64Array | null,
  n: number,
  span: number,
  minPeriods: number,
  r: Reduction,
): Float64Array {
  const hl = h.values.length;
  const len = hl + values.length;
  const buf = new Float64Array(len);
  buf.set(h.values, 0);
  buf.set(values, hl);
  let tb: Float64Array | null = null;
  if (span !== Number.POSITIVE_INFINITY) {
    tb = new Float64Array(len);
    tb.set(h.times, 0);
    tb.set(times!, hl);
  }
  const out = new Float64Array(values.length);
  if (r === 'min' || r === 'max') rollExtreme(buf, tb, hl, n, span, minPeriods, r === 'min', out);
  else rollSums(buf, tb, hl, n, span, minPeriods, r, out);
  // Keep what later rows can still reach: n - 1 rows, or the rows within span of the last time.
  let keep = hl + values.length;
  if (tb === null) keep = Math.min(len, n - 1);
  else {
    const lo = tb[len - 1]! - span;
    let k = len;
    while (k > 0 && tb[k - 1]! > lo) k--;
    keep = len - k;
  }
  h.values = buf.slice(len - keep);
  if (tb !== null) h.times = tb.slice(len - keep);
  return out;
}

function rollSums(
  buf: Float64Array,
  tb: Float64Array | null,
  from: number,
  n: number,
  span: number,
  minP: number,
  r: Reduction,
  out: Float64Array,
): void {
  let lo = 0;
  let s = 0;
  let q = 0;
  let k = 0;
  const moments = r === 'var' || r === 'std';
  // Sums restart from zero at every frame (over the history): error cannot build up across frames.
  for (let i = 0; i < buf.length; i++) {
    const x = buf[i]!;
    if (!Number.isNaN(x)) {
      s += x;
      if (moments) q += x * x;
      k++;
    }
    if (tb === null) {
      if (i - lo >= n) {
        const old = buf[lo++]!;
        if (!Number.isNaN(old)) {
          s -= old;
          if (moments) q -= old * old;
          k--;
        }
      }
    } else {
      const edge = tb[i]! - span;
      while (tb[lo]! <= edge) {
        const old = buf[lo++]!;
        if (!Number.isNaN(old)) {
          s -= old;
          if (moments) q -= old * old;
          k--;
        }
      }
    }
    if (i < from) continue;
    let v: number;
    if (k < minP) v = Number.NaN;
    else if (r === 'sum') v = s;
    else if (r === 'mean') v = s / k;
    else if (r === 'count') v = k;
    else {
      const variance = sampleVariance(k, q - (s * s) / k);
      v = r === 'std' ? Math.sqrt(variance) : variance;
    }
    out[i - from] = v;
  }
}

function rollExtreme(
  buf: Float64Array,
  tb: Float64Array | null,
  from: number,
  n: number,
  span: number,
  minP: number,
  min: boolean,
  out: Float64Array,
): void {
  const dq = new Int32Array(buf.length);
  let head = 0;
  let tail = 0;
  let lo = 0;
  let k = 0;
  for (let i = 0; i < buf.length; i++) {
    const x = buf[i]!;
    if (!Number.isNaN(x)) {
      k++;
      while (tail > head && (min ? buf[dq[tail - 1]!]! >= x : buf[dq[tail - 1]!]! <= x)) tail--;
      dq[tail++] = i;
    }
    if (tb === null) {
      if (i - lo >= n) {
        if (!Number.isNaN(buf[lo])) k--;
        lo++;
      }
    } else {
      const edge = tb[i]! - span;
      while (tb[lo]! <= edge) {
        if (!Number.isNaN(buf[lo])) k--;
        lo++;
      }
    }
    while (tail > head && dq[head]! < lo) head++;
    if (i >= from) out[i - from] = k < minP || tail === head ? Number.NaN : buf[dq[head]!]!;
  }
}

/**
 * Rolling aggregations of the numeric columns of a streaming frame, over `n` rows or a duration.
 *
 * @example
 * sf.rolling(100).mean();          // a frame per input frame: every row's mean over the last 100 rows
 * sf.col('x').rolling('2h').sum(); // a series
 */
export class Rolling {
  readonly source: StreamingFrame;
  readonly n: number;
  readonly span: number;
  readonly minPeriods: number;
  readonly namespace: string | undefined;

  constructor(source: StreamingFrame, window: number | Duration, options: RollingFrameOptions = {}) {
    const byRows = typeof window === 'number';
    if (byRows && !(Number.isInteger(window) && window >= 1)) {
      badArgument('rolling', 'window', window, "a row count (an integer >= 1) or a duration such as '2h'");
    }
    this.source = source;
    this.n = byRows ? window : Number.POSITIVE_INFINITY;
    this.span = byRows ? Number.POSITIVE_INFINITY : toMillis(window, 'rolling: window');
    if (this.span === 0) badArgument('rolling', 'window', window, 'a duration longer than 0 ms');
    const minP = options.minPeriods ?? (byRows ? window : 1);
    if (!(Number.isInteger(minP) && minP >= 0)) badArgument('rolling', 'minPeriods', minP, 'an integer >= 0');
    this.minPeriods = minP;
    this.namespace = options.namespace;
  }

  sum(): StreamingFrame {
    return this.run('sum');
  }
  mean(): StreamingFrame {
    return this.run('mean');
  }
  count(): StreamingFrame {
    return this.run('count');
  }
  min(): StreamingFrame {
    return this.run('min');
  }
  max(): StreamingFrame {
    return this.run('max');
  }
  var(): StreamingFrame {
    return this.run('var');
  }
  std(): StreamingFrame {
    return this.run('std');
  }

  /** Any of the reductions by name. */
  run(reduction: Reduction): StreamingFrame {
    const r = checkReduction('rolling', reduction);
    const { n, span, minPeriods } = this;
    const node = new FrameStateNode<Frame, Frame>(
      this.source.stream,
      `rolling.${r}`,
      () => {
        const rolls = new ColumnRolls(n, span, minPeriods, r);
        return {
          keeps: 'running or rolling aggregates',
          next(f, md, out) {
            // Over rows, every reduction carries its state across frames (row-rolling.ts): no [history, frame]
            // buffer copied per frame (measured: bench/frame.ts).
            const times = rolls.byRows ? null : f.times('rolling over a duration');
            const cols: Record<string, FrameColumn> = {};
            for (const name of f.names) {
              const c = f.column(name);
              if (c instanceof DictionaryColumn) continue;
              cols[name] = rolls.byRows
                ? rolls.ring(name).next(c)
                : rollColumn(rolls.history(name), c, times, n, span, minPeriods, r);
            }
            return out.emit(new Frame(cols, f.time, f.timeName, null), md);
          },
          save: () => rolls.save(),
          load: (saved) => rolls.load(saved),
        };
      },
      { namespace: this.namespace },
    );
    return new StreamingFrame(node);
  }
}

/** What `withState` emits: the rows a resumed rolling would need (the last `n`), and this frame's values. */
export interface RollingWithState {
  state: Frame;
  result: Float64Array;
}

/** Rolling aggregations of one series. */
export class RollingSeries {
  private readonly rolling: Rolling;
  private readonly name: string;

  constructor(series: StreamingSeries, window: number | Duration, options?: RollingFrameOptions) {
    this.rolling = new Rolling(series.frames(), window, options);
    this.name = series.name;
  }

  /**
   * The rolling values together with the input rows a window of `n` rows still holds (streamz's `with_state`).
   * @example sf.col('amount').rolling(2).withState('sum') // { state: Frame [last 2 rows], result: Float64Array }
   */
  withState(reduction: Reduction): Stream<RollingWithState> {
    const r = checkReduction('rolling', reduction);
    const { n, span, minPeriods } = this.rolling;
    const name = this.name;
    return new FrameStateNode<Frame, RollingWithState>(
      this.rolling.source.stream,
      `rolling.${r}`,
      () => {
        const rolls = new ColumnRolls(n, span, minPeriods, r);
        const rows = new RowWindow(rolls.byRows ? { n } : { value: span }, 'rolling');
        return {
          keeps: 'running or rolling aggregates',
          next(f, md, out) {
            const times = rolls.byRows ? null : f.times('rolling over a duration');
            const result = rolls.byRows
              ? rolls.ring(name).next(f.numeric(name))
              : rollColumn(rolls.history(name), f.numeric(name), times, n, span, minPeriods, r);
            rows.push(f, md);
            return out.emit({ state: rows.content(), result }, md);
          },
          save: () => ({ rolls: rolls.save(), rows: rows.save() }),
          load(saved) {
            const s = saved as { rolls: unknown; rows: unknown };
            rolls.load(s.rolls);
            rows.load(s.rows);
          },
          release: () => rows.clear(),
        };
      },
      { namespace: this.rolling.namespace },
    );
  }

  sum(): StreamingSeries {
    return this.rolling.sum().col(this.name);
  }
  mean(): StreamingSeries {
    return this.rolling.mean().col(this.name);
  }
  count(): StreamingSeries {
    return this.rolling.count().col(this.name);
  }
  min(): StreamingSeries {
    return this.rolling.min().col(this.name);
  }
  max(): StreamingSeries {
    return this.rolling.max().col(this.name);
  }
  var(): StreamingSeries {
    return this.rolling.var().col(this.name);
  }
  std(): StreamingSeries {
    return this.rolling.std().col(this.name);
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Rolling aggregations over `n` rows or a duration (`'2h'`: rows with time in `(t - 2h, t]`).
     * @example sf.rolling(100).mean()
     */
    rolling(window: number | Duration, options?: RollingFrameOptions): Rolling;
  }
}

declare module './streaming-series.ts' {
  interface StreamingSeries {
    /** @example sf.col('x').rolling('2h').sum() */
    rolling(window: number | Duration, options?: RollingFrameOptions): RollingSeries;
  }
}

StreamingFrame.prototype.rolling = function rolling(
  this: StreamingFrame,
  window: number | Duration,
  options?: RollingFrameOptions,
) {
  return new Rolling(this, window, options);
};
StreamingSeries.prototype.rolling = function rolling(
  this: StreamingSeries,
  window: number | Duration,
  options?: RollingFrameOptions,
) {
  return new RollingSeries(this, window, options);
};
