// streamz's `window(n=…)` / `window(value=…)`: aggregations over the last rows, updated after every frame.
import type { Stream } from '../core/stream.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import { FrameStateNode } from './frame-state-node.ts';
import { GroupBy } from './groupby.ts';
import { Moments, type Reduction } from './moments.ts';
import { type CustomAggregation, checkCustom } from './reductions.ts';
import { RowWindow, type RowWindowSpec } from './row-window.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { type Operand, StreamingSeries } from './streaming-series.ts';

/** What `withState` emits: the window's rows (to resume from with `{ start }`) and the result. */
export interface WithState<R> {
  state: Frame;
  result: R;
}

function reduceFrames(frames: readonly Frame[], name: string, r: Reduction): number {
  const m = new Moments(r === 'var' || r === 'std');
  m.ensure(0);
  for (const f of frames) m.addColumn(f.numeric(name), null);
  return m.result(r, 0);
}

/**
 * Runs `fn(window frames, new frame, dropped slices, extra)` after every frame; emits what it returns. Each input
 * partition has its window (and `extra`, a state `fn` carries: `{}` at first, saved with the window).
 */
function windowNode<R>(
  source: StreamingFrame,
  spec: RowWindowSpec,
  kind: string,
  project: (f: Frame) => Frame,
  fn: (w: RowWindow, f: Frame, dropped: Frame[], extra: { state?: unknown }) => R,
): Stream<R> {
  return new FrameStateNode<Frame, R>(
    source.stream,
    kind,
    () => {
      const win = new RowWindow(spec, kind);
      let extra: { state?: unknown } = {};
      return {
        keeps: 'running or rolling aggregates',
        next(f, md, out) {
          const p = project(f);
          const dropped = win.push(p, md);
          return out.emit(fn(win, p, dropped, extra), md);
        },
        save: () => ({ window: win.save(), extra: structuredClone(extra) }),
        load(saved) {
          const s = saved as { window: unknown; extra: { state?: unknown } };
          win.load(s.window);
          extra = structuredClone(s.extra);
        },
        release: () => win.clear(),
      };
    },
    { namespace: spec.namespace },
  );
}

/**
 * Aggregations over the last `n` rows or the rows of the last `value` of time, updated after every frame (an
 * empty frame re-emits the current value).
 *
 * @example
 * sf.window({ n: 100 }).col('amount').sum();
 * sf.window({ value: '2h' }).groupby('name').col('amount').sum();
 */
export class WindowedFrame {
  readonly source: StreamingFrame;
  readonly spec: RowWindowSpec;

  constructor(source: StreamingFrame, spec: RowWindowSpec) {
    new RowWindow(spec, 'window'); // checks the spec at construction
    this.source = source;
    this.spec = spec;
  }

  col(name: string): WindowedSeries {
    return new WindowedSeries(this.source.col(name), this.spec);
  }

  /** Groupby aggregations within the window; groups whose rows all left disappear. */
  groupby(by: string | StreamingSeries): GroupBy {
    return new GroupBy(this.source, by, this.spec);
  }

  /** Calls `fn` with the window's rows (one frame) after every frame. */
  apply<R>(fn: (window: Frame) => R): Stream<R> {
    return windowNode(
      this.source,
      this.spec,
      'window.apply',
      (f) => f,
      (w) => fn(w.content()),
    );
  }

  /** The window's rows after every frame. */
  full(): StreamingFrame {
    return new StreamingFrame(this.apply((w) => w));
  }

  /** A custom aggregation: `onNew` with each frame, then `onOld` with each slice that left; emits the last result. */
  aggregate<S, R>(agg: CustomAggregation<S, R>): Stream<R> {
    checkCustom('window.aggregate', agg, true);
    // The aggregation's state rides in `extra` (saved with the window: it must be JSON-serializable).
    return windowNode(
      this.source,
      this.spec,
      'window.aggregate',
      (f) => f,
      (_w, f, dropped, extra) => {
        if (!('state' in extra)) extra.state = agg.initial(f);
        let [s, r] = agg.onNew(extra.state as S, f);
        for (const d of dropped) [s, r] = agg.onOld!(s, d);
        extra.state = s;
        return r;
      },
    );
  }

  sum(): Stream<Record<string, number>> {
    return this.reduce('sum');
  }
  mean(): Stream<Record<string, number>> {
    return this.reduce('mean');
  }
  count(): Stream<Record<string, number>> {
    return this.reduce('count');
  }
  min(): Stream<Record<string, number>> {
    return this.reduce('min');
  }
  max(): Stream<Record<string, number>> {
    return this.reduce('max');
  }
  var(): Stream<Record<string, number>> {
    return this.reduce('var');
  }
  std(): Stream<Record<string, number>> {
    return this.reduce('std');
  }

  private reduce(r: Reduction): Stream<Record<string, number>> {
    return windowNode(
      this.source,
      this.spec,
      `window.${r}`,
      (f) => f,
      (w, f) => {
        const out: Record<string, number> = {};
        for (const name of f.names)
          if (!(f.column(name) instanceof DictionaryColumn)) out[name] = reduceFrames(w.frames(), name, r);
        return out;
      },
    );
  }
}

/**
 * One column (or expression) over a window. Arithmetic applies per frame before windowing, so
 * `sf.col('x').window({ n: 4 }).add(10).mean()` is streamz's `(sdf.x.window(n=4) + 10).mean()`.
 *
 * @example sf.col('x').window({ value: '2s' }).sum()
 */
export class WindowedSeries {
  readonly series: StreamingSeries;
  readonly spec: RowWindowSpec;

  constructor(series: StreamingSeries, spec: RowWindowSpec) {
    new RowWindow(spec, 'window');
    this.series = series;
    this.spec = spec;
  }

  add(x: Operand): WindowedSeries {
    return new WindowedSeries(this.series.add(x), this.spec);
  }
  sub(x: Operand): WindowedSeries {
    return new WindowedSeries(this.series.sub(x), this.spec);
  }
  mul(x: Operand): WindowedSeries {
    return new WindowedSeries(this.series.mul(x), this.spec);
  }
  div(x: Operand): WindowedSeries {
    return new WindowedSeries(this.series.div(x), this.spec);
  }

  sum(): Stream<number> {
    return this.reduce('sum');
  }
  mean(): Stream<number> {
    return this.reduce('mean');
  }
  count(): Stream<number> {
    return this.reduce('count');
  }
  min(): Stream<number> {
    return this.reduce('min');
  }
  max(): Stream<number> {
    return this.reduce('max');
  }
  var(): Stream<number> {
    return this.reduce('var');
  }
  std(): Stream<number> {
    return this.reduce('std');
  }
  /** Rows in the window. */
  size(): Stream<number> {
    return this.reduce('size');
  }

  /**
   * The reduction together with the window's rows, to save and resume from (`window({ n, start: state })`).
   * @example sf.col('amount').window({ n: 2 }).withState('sum') // { state: Frame, result: 300 }
   */
  withState(r: Reduction): Stream<WithState<number>> {
    const name = this.series.name;
    return windowNode(
      this.series.source,
      this.spec,
      `window.${r}`,
      (f) => this.project(f),
      (w) => ({
        state: w.content(),
        result: reduceFrames(w.frames(), name, r),
      }),
    );
  }

  private project(f: Frame): Frame {
    return new Frame({ [this.series.name]: this.series.evaluate(f) }, f.time, f.timeName, null);
  }

  private reduce(r: Reduction): Stream<number> {
    const name = this.series.name;
    return windowNode(
      this.series.source,
      this.spec,
      `window.${r}`,
      (f) => this.project(f),
      (w) => reduceFrames(w.frames(), name, r),
    );
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * streamz's windows: the last `n` rows, or the rows within `value` of the newest time.
     * @example sf.window({ n: 4 }).col('x').mean()
     */
    window(spec: RowWindowSpec): WindowedFrame;
  }
}

declare module './streaming-series.ts' {
  interface StreamingSeries {
    /** @example sf.col('x').window({ value: '2s' }).sum() */
    window(spec: RowWindowSpec): WindowedSeries;
  }
}

StreamingFrame.prototype.window = function window(this: StreamingFrame, spec: RowWindowSpec) {
  return new WindowedFrame(this, spec);
};
StreamingSeries.prototype.window = function window(this: StreamingSeries, spec: RowWindowSpec) {
  return new WindowedSeries(this, spec);
};
