// Running reductions over everything seen so far, one result per frame (streamz's `sdf.sum()`, `sdf.x.mean()`).
import type { Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import type { Frame } from './frame.ts';
import { FrameStateNode, type FrameStateOptions } from './frame-state-node.ts';
import { Moments, type Reduction } from './moments.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { StreamingSeries } from './streaming-series.ts';

/** Where a running reduction of a series starts: a number (`sum`, `count`), `[total, count]` for `mean`. */
export interface ReductionOptions {
  start?: number | readonly [number, number];
  /** The state namespace (an application's checkpoints). Default: the reduction's name. */
  namespace?: string;
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
  const start = options.start;
  const seeded = (m: Moments) => {
    if (start === undefined) return;
    if (r === 'mean' && Array.isArray(start) && start.length === 2) {
      m.seed(start[0], start[1]);
    } else if ((r === 'sum' || r === 'count' || r === 'size') && typeof start === 'number') {
      if (r === 'sum') m.seed(start, 0);
      else m.seed(0, start);
    } else {
      badArgument(r, 'start', start, 'a number for sum and count, [total, count] for mean');
    }
  };
  seeded(new Moments(false)); // checks `start` at construction
  return new FrameStateNode<Frame, number>(
    series.source.stream,
    r,
    () => {
      // The running statistics, per input partition (each starts from `start`).
      const m = new Moments(r === 'var' || r === 'std');
      m.ensure(0);
      seeded(m);
      return {
        keeps: 'running aggregates',
        next(f, md, out) {
          m.addColumn(series.numbers(f), null);
          return out.emit(m.result(r, 0), md);
        },
        save: () => m.save(),
        load: (saved) => m.load(saved),
      };
    },
    options,
  );
}

function frameReduction(sf: StreamingFrame, r: Reduction, options?: FrameStateOptions): Stream<Record<string, number>> {
  return new FrameStateNode<Frame, Record<string, number>>(
    sf.stream,
    r,
    () => {
      // Each column's running statistics, per input partition.
      const stats = new Map<string, Moments>();
      const column = (name: string) => {
        let m = stats.get(name);
        if (m === undefined) {
          m = new Moments(r === 'var' || r === 'std');
          m.ensure(0);
          stats.set(name, m);
        }
        return m;
      };
      return {
        keeps: 'running aggregates',
        next(f, md, out) {
          const res: Record<string, number> = {};
          for (const name of f.names) {
            const c = f.column(name);
            if (c instanceof DictionaryColumn) continue;
            const m = column(name);
            m.addColumn(c, null);
            res[name] = m.result(r, 0);
          }
          return out.emit(res, md);
        },
        save: () => Object.fromEntries([...stats].map(([k, m]) => [k, m.save()])),
        load(saved) {
          for (const [k, v] of Object.entries(saved as Record<string, unknown>)) column(k).load(v);
        },
      };
    },
    options,
  );
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /** Running sum of every numeric column: `{ x: …, y: … }` after each frame (per input partition). @example sf.sum() */
    sum(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** Running mean per numeric column (NaN skipped). @example sf.mean() */
    mean(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** Running count of values (not NaN) per numeric column. @example sf.count() */
    count(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** @example sf.min() */
    min(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** @example sf.max() */
    max(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** Running sample variance per numeric column. @example sf.var() */
    var(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** @example sf.std() */
    std(options?: FrameStateOptions): Stream<Record<string, number>>;
    /** Values seen so far: rows × columns (streamz's `sdf.size`). @example sf.size() */
    size(options?: FrameStateOptions): Stream<number>;
    /**
     * A custom aggregation over everything seen: `onNew` per frame; emits its result. Its state must be
     * JSON-serializable to be checkpointed. @example sf.aggregate(custom)
     */
    aggregate<S, R>(agg: CustomAggregation<S, R>, options?: FrameStateOptions): Stream<R>;
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
    min(options?: FrameStateOptions): Stream<number>;
    /** @example sf.col('x').max() */
    max(options?: FrameStateOptions): Stream<number>;
    /** @example sf.col('x').var() */
    var(options?: FrameStateOptions): Stream<number>;
    /** @example sf.col('x').std() */
    std(options?: FrameStateOptions): Stream<number>;
    /** Rows seen so far. @example sf.col('x').size() */
    size(options?: FrameStateOptions): Stream<number>;
  }
}

for (const r of ['sum', 'mean', 'count', 'min', 'max', 'var', 'std'] as const) {
  (StreamingFrame.prototype as any)[r] = function (this: StreamingFrame, options?: FrameStateOptions) {
    return frameReduction(this, r, options);
  };
  (StreamingSeries.prototype as any)[r] = function (this: StreamingSeries, options?: ReductionOptions) {
    return seriesReduction(this, r, options);
  };
}
StreamingSeries.prototype.size = function size(this: StreamingSeries, options?: FrameStateOptions) {
  return seriesReduction(this, 'size', options);
};
StreamingFrame.prototype.size = function size(this: StreamingFrame, options?: FrameStateOptions) {
  return new FrameStateNode<Frame, number>(
    this.stream,
    'size',
    () => {
      let total = 0;
      return {
        keeps: 'running aggregates',
        next(f, md, out) {
          total += f.length * f.names.length;
          return out.emit(total, md);
        },
        save: () => total,
        load(saved) {
          total = saved as number;
        },
      };
    },
    options,
  );
};
StreamingFrame.prototype.aggregate = function aggregate<S, R>(
  this: StreamingFrame,
  agg: CustomAggregation<S, R>,
  options?: FrameStateOptions,
) {
  checkCustom('aggregate', agg, false);
  return new FrameStateNode<Frame, R>(
    this.stream,
    'aggregate',
    () => {
      let state: S;
      let started = false;
      return {
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
        save: () => (started ? { state: structuredClone(state) } : {}),
        load(saved) {
          const s = saved as { state?: S };
          started = 'state' in s;
          if (started) state = structuredClone(s.state) as S;
        },
      };
    },
    options,
  );
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
