// Running reductions over everything seen so far, one result per frame (streamz's `sdf.sum()`, `sdf.x.mean()`).
import type { Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import type { Frame } from './frame.ts';
import { FrameNode } from './frame-node.ts';
import { Moments, type Reduction } from './moments.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { StreamingSeries } from './streaming-series.ts';

/** Where a running reduction of a series starts: a number (`sum`, `count`), `[total, count]` for `mean`. */
export interface ReductionOptions {
  start?: number | readonly [number, number];
}

/**
 * A custom aggregation (streamz's `Aggregation`): `initial` makes the state from the first frame, `onNew` folds a
 * frame in, `onOld` takes a frame that left a window back out; both return `[state, result]`.
 *
 * @example
 * const rows: CustomAggregation<number, number> = {
 *   initial: () => 0,
 *   onNew: (s, f) => [s + f.length, s + f.length],
 *   onOld: (s, f) => [s - f.length, s - f.length],
 * };
 * sf.aggregate(rows).sink(console.log);
 */
export interface CustomAggregation<S = any, R = unknown> {
  initial(frame: Frame): S;
  onNew(state: S, frame: Frame): readonly [S, R];
  onOld?(state: S, frame: Frame): readonly [S, R];
}

function seriesReduction(series: StreamingSeries, r: Reduction, options: ReductionOptions = {}): Stream<number> {
  const m = new Moments(r === 'var' || r === 'std');
  m.ensure(0);
  const start = options.start;
  if (start !== undefined) {
    if (r === 'mean' && Array.isArray(start) && start.length === 2) {
      m.seed(start[0], start[1]);
    } else if ((r === 'sum' || r === 'count' || r === 'size') && typeof start === 'number') {
      if (r === 'sum') m.seed(start, 0);
      else m.seed(0, start);
    } else {
      badArgument(r, 'start', start, 'a number for sum and count, [total, count] for mean');
    }
  }
  return new FrameNode<Frame, number>(series.source.stream, r, {
    keeps: 'running aggregates',
    next(f, md, out) {
      m.addColumn(series.numbers(f), null);
      return out.emit(m.result(r, 0), md);
    },
  });
}

function frameReduction(sf: StreamingFrame, r: Reduction): Stream<Record<string, number>> {
  const stats = new Map<string, Moments>();
  return new FrameNode<Frame, Record<string, number>>(sf.stream, r, {
    keeps: 'running aggregates',
    next(f, md, out) {
      const res: Record<string, number> = {};
      for (const name of f.names) {
        const c = f.column(name);
        if (c instanceof DictionaryColumn) continue;
        let m = stats.get(name);
        if (m === undefined) {
          m = new Moments(r === 'var' || r === 'std');
          m.ensure(0);
          stats.set(name, m);
        }
        m.addColumn(c, null);
        res[name] = m.result(r, 0);
      }
      return out.emit(res, md);
    },
  });
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /** Running sum of every numeric column: `{ x: …, y: … }` after each frame. @example sf.sum() */
    sum(): Stream<Record<string, number>>;
    /** Running mean per numeric column (NaN skipped). @example sf.mean() */
    mean(): Stream<Record<string, number>>;
    /** Running count of values (not NaN) per numeric column. @example sf.count() */
    count(): Stream<Record<string, number>>;
    /** @example sf.min() */
    min(): Stream<Record<string, number>>;
    /** @example sf.max() */
    max(): Stream<Record<string, number>>;
    /** Running sample variance per numeric column. @example sf.var() */
    var(): Stream<Record<string, number>>;
    /** @example sf.std() */
    std(): Stream<Record<string, number>>;
    /** Values seen so far: rows × columns (streamz's `sdf.size`). @example sf.size() */
    size(): Stream<number>;
    /** A custom aggregation over everything seen: `onNew` per frame; emits its result. @example sf.aggregate(custom) */
    aggregate<S, R>(agg: CustomAggregation<S, R>): Stream<R>;
  }
}

declare module './streaming-series.ts' {
  interface StreamingSeries {
    /** @example sf.col('amount').sum({ start: 10 }) */
    sum(options?: ReductionOptions): Stream<number>;
    /** @example sf.col('amount').mean({ start: [10, 2] }) */
    mean(options?: ReductionOptions): Stream<number>;
    /** @example sf.col('amount').count() */
    count(options?: ReductionOptions): Stream<number>;
    /** @example sf.col('x').min() */
    min(): Stream<number>;
    /** @example sf.col('x').max() */
    max(): Stream<number>;
    /** @example sf.col('x').var() */
    var(): Stream<number>;
    /** @example sf.col('x').std() */
    std(): Stream<number>;
    /** Rows seen so far. @example sf.col('x').size() */
    size(): Stream<number>;
  }
}

for (const r of ['sum', 'mean', 'count', 'min', 'max', 'var', 'std'] as const) {
  (StreamingFrame.prototype as any)[r] = function (this: StreamingFrame) {
    return frameReduction(this, r);
  };
  (StreamingSeries.prototype as any)[r] = function (this: StreamingSeries, options?: ReductionOptions) {
    return seriesReduction(this, r, options);
  };
}
StreamingSeries.prototype.size = function size(this: StreamingSeries) {
  return seriesReduction(this, 'size');
};
StreamingFrame.prototype.size = function size(this: StreamingFrame) {
  let total = 0;
  return new FrameNode<Frame, number>(this.stream, 'size', {
    keeps: 'running aggregates',
    next(f, md, out) {
      total += f.length * f.names.length;
      return out.emit(total, md);
    },
  });
};
StreamingFrame.prototype.aggregate = function aggregate<S, R>(this: StreamingFrame, agg: CustomAggregation<S, R>) {
  checkCustom('aggregate', agg, false);
  let state: S;
  let started = false;
  return new FrameNode<Frame, R>(this.stream, 'aggregate', {
    keeps: 'running aggregates',
    next(f, md, out) {
      if (!started) {
        state = agg.initial(f);
        started = true;
      }
      const [s, r] = agg.onNew(state, f);
      state = s;
      return out.emit(r, md);
    },
  });
};

/** @internal Checks a custom aggregation object at construction. */
export function checkCustom(where: string, agg: unknown, needsOld: boolean): void {
  const a = agg as CustomAggregation | null;
  if (
    a === null ||
    typeof a !== 'object' ||
    typeof a.initial !== 'function' ||
    typeof a.onNew !== 'function' ||
    (needsOld && typeof a.onOld !== 'function')
  ) {
    badArgument(
      where,
      'aggregation',
      agg,
      `a custom aggregation { initial(frame), onNew(state, frame) => [state, result]${needsOld ? ', onOld(state, frame) => [state, result]' : ''} }`,
    );
  }
}
