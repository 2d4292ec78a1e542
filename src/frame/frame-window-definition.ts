import { namespaceOption } from '../core/checkpointable.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { type Aggregator, isAggregator } from '../window/aggregator.ts';
import { collect, count, max, mean, min, reduce, sum } from '../window/aggregators.ts';
import type { LateInfo } from '../window/event-time-window.ts';
import { columnKernelOf } from '../window/kernel.ts';
import type { WindowAggResult, WindowResult, WindowShape } from '../window/window-definition.ts';
import type { WindowStoreReader } from '../window/window-store.ts';
import { FrameRowWindowNode } from './frame-row-window.ts';
import { FrameTimeWindowNode } from './frame-time-window.ts';
import type { FieldPlan, FrameWindowConfig } from './frame-window-keys.ts';
import { StreamingFrame } from './streaming-frame.ts';

/** Options of event-time windows on frames: time comes from the frame's time column. */
export interface FrameWindowOptions {
  /** The key column: windows are per key (rows with a missing key are skipped and counted in `skipped`). */
  key?: string;
  /** The column aggregators without a column of their own aggregate (`mean()` with `value: 'temperature'`). */
  value?: string;
  grace?: Duration;
  closingStrategy?: 'key' | 'partition';
  onLate?(info: LateInfo): void;
  /** Close due windows when no frame arrived for this long on the clock (as on rows). */
  idleTimeout?: Duration;
  /** Tumbling and hopping: close a window early, before a row is added (as on rows). */
  beforeUpdate?(aggregated: any, value: any, key: unknown, timestamp: number): boolean;
  /** Tumbling and hopping: close a window early, after a row is added (as on rows). */
  afterUpdate?(aggregated: any, value: any, key: unknown, timestamp: number): boolean;
  /** A store to restore open windows from; write them with `persist(tx)` (as on rows). */
  store?: WindowStoreReader;
  /** The state namespace (a store, an application's checkpoints). Default: `'window'`. */
  namespace?: string;
}

/**
 * What a frame window emits through: the vectorised tumbling/hopping node, or the row-engine node.
 * @example const node: FrameWindowNode<WindowResult<number>> = sf.slidingCountWindow(3, { value: 'v' }).sum().final();
 */
export type FrameWindowNode<R> = FrameTimeWindowNode<R> | FrameRowWindowNode<R>;

/**
 * Event-time tumbling or hopping windows on a streaming frame, waiting for their aggregation — the aggregators
 * and output shapes of src/window (`{ key, start, end, value }`, `{ key, start, end, ...aggs }`). Built-in numeric
 * aggregators (count, sum, mean, min, max, var, std) run vectorised on their column; any other aggregator runs per
 * row on the value column, or on a row view when there is none.
 *
 * @example
 * sf.tumblingWindow('1s', { key: 'sensor' })
 *   .agg({ n: count(), lo: min('value'), hi: max('value'), avg: mean('value') })
 *   .final()
 *   .sink(console.log); // { key: 's1', start: 0, end: 1000, n: 1000, lo: 0.1, hi: 99.9, avg: 50.2 }
 */
export class FrameWindowDefinition {
  readonly source: StreamingFrame;
  readonly where: string;
  readonly duration: number;
  readonly step: number;
  readonly options: FrameWindowOptions;
  /** The window kind and its parameters, as the row windows describe them. */
  readonly shape: WindowShape;

  constructor(
    source: StreamingFrame,
    where: string,
    duration: number,
    step: number,
    options: FrameWindowOptions,
    shape?: WindowShape,
  ) {
    const timed = shape === undefined;
    if (timed && !(duration >= 1)) badArgument(where, 'duration', duration, 'at least 1 ms');
    const hopping = where === 'hoppingWindow';
    if (timed && !(step > 0 && (hopping ? step < duration : step === duration))) {
      badArgument(where, 'step', step, `more than 0 ms and less than the duration (${duration} ms)`);
    }
    const o = options ?? {};
    if (o.closingStrategy !== undefined && o.closingStrategy !== 'key' && o.closingStrategy !== 'partition') {
      badArgument(where, 'closingStrategy', o.closingStrategy, "'key' or 'partition'");
    }
    for (const name of ['key', 'value'] as const) {
      if (o[name] !== undefined && typeof o[name] !== 'string') {
        badArgument(where, name, o[name], 'a column name (on frames it names a column)');
      }
    }
    this.source = source;
    this.where = where;
    this.duration = duration;
    this.step = step;
    this.options = o;
    this.shape = shape ?? { kind: hopping ? 'hoppingWindow' : 'tumblingWindow', duration, step };
  }

  /** Any aggregator, as the single `value`. */
  aggregate<R>(agg: Aggregator<any, R>): FrameWindowAggregation<WindowResult<R>> {
    return new FrameWindowAggregation(this, { value: agg }, true);
  }

  /** Several named aggregators: `{ key, start, end, ...names }`. */
  agg<A extends Record<string, Aggregator>>(aggs: A): FrameWindowAggregation<WindowAggResult<A>> {
    return new FrameWindowAggregation(this, aggs, false);
  }

  reduce<A, V = any>(
    reducer: (acc: A, value: V) => A,
    initializer: (value: V) => A,
  ): FrameWindowAggregation<WindowResult<A>> {
    return this.aggregate(reduce(reducer, initializer)) as FrameWindowAggregation<WindowResult<A>>;
  }
  sum(column?: string): FrameWindowAggregation<WindowResult<number>> {
    return this.aggregate(sum(column));
  }
  count(column?: string): FrameWindowAggregation<WindowResult<number>> {
    return this.aggregate(count(column));
  }
  mean(column?: string): FrameWindowAggregation<WindowResult<number | null>> {
    return this.aggregate(mean(column));
  }
  min(column?: string): FrameWindowAggregation<WindowResult<number | null>> {
    return this.aggregate(min(column));
  }
  max(column?: string): FrameWindowAggregation<WindowResult<number | null>> {
    return this.aggregate(max(column));
  }
  collect<V = unknown>(column?: string): FrameWindowAggregation<WindowResult<V[]>> {
    return this.aggregate(collect<V>(column));
  }
}

/**
 * A frame window with its aggregation: `final()` emits each window once when it closes, `current()` each window
 * the frame updated, once per frame.
 *
 * @example sf.hoppingWindow('1m', '10s', { value: 'kwh' }).sum().current()
 */
export class FrameWindowAggregation<R> {
  private readonly config: Omit<FrameWindowConfig, 'current'>;
  private readonly source: StreamingFrame;
  private readonly def: FrameWindowDefinition;
  private readonly aggs: Readonly<Record<string, Aggregator>>;

  constructor(def: FrameWindowDefinition, aggs: Readonly<Record<string, Aggregator>>, single: boolean) {
    const names = Object.keys(aggs ?? {});
    if (names.length === 0)
      badArgument(`${def.where}.agg`, 'aggregators', aggs, "at least one named aggregator, e.g. { mean: mean('x') }");
    const o = def.options;
    const value = o.value ?? null;
    const blocks: (string | null)[] = [];
    const block = (column: string | null) => {
      const i = blocks.indexOf(column);
      return i >= 0 ? i : blocks.push(column) - 1;
    };
    let moments = false;
    const fields: FieldPlan[] = names.map((n) => {
      const agg = aggs[n];
      if (n === 'key' || n === 'start' || n === 'end')
        badArgument(
          `${def.where}.agg`,
          n,
          agg,
          'a name the output does not take (start, end, key...); pick another name',
        );
      if (!isAggregator(agg)) badArgument(`${def.where}.agg`, n, agg, 'an Aggregator { init, add, result }');
      const k = columnKernelOf(agg);
      if (k === undefined) return { agg };
      const column = k.column ?? value;
      if (column === null && k.kernel !== 'count') {
        throw new TwinstreamError(
          'TS_FRAME_BAD_AGGREGATOR',
          `${def.where}: ${n} (${agg.name}) has no column to aggregate; give it one (${k.kernel}('temperature')) or the window a value column ({ value: 'temperature' })`,
        );
      }
      if (k.kernel === 'var' || k.kernel === 'std') moments = true;
      return { kernel: k.kernel, block: block(column) };
    });
    if (blocks.length === 0) block(null);
    this.source = def.source;
    this.def = def;
    this.aggs = aggs;
    this.config = {
      where: def.where,
      duration: def.duration,
      step: def.step,
      grace: toMillis(o.grace ?? 0, `${def.where}: grace`),
      partition: o.closingStrategy === 'partition',
      key: o.key ?? null,
      blocks,
      moments,
      names,
      single,
      fields,
      value,
      onLate: o.onLate ?? null,
      namespace: namespaceOption(def.where, o.namespace, 'window'),
    };
  }

  /** Emits each window once, when the watermark closes it (count windows: when full; or the input ends). */
  final(): FrameWindowNode<R> {
    return this.build(false);
  }

  /**
   * Emits the windows updated: vectorised tumbling and hopping windows (built-in numeric aggregators only) once
   * per frame for each window the frame updated; every other kind (and tumbling/hopping with other aggregators,
   * `idleTimeout`, `store` or early-close predicates) after every row, as on rows.
   */
  current(): FrameWindowNode<R> {
    return this.build(true);
  }

  private build(current: boolean): FrameWindowNode<R> {
    const { shape, options: o, where } = this.def;
    const vectorised =
      (shape.kind === 'tumblingWindow' || shape.kind === 'hoppingWindow') &&
      this.config.fields.every((p) => 'kernel' in p) &&
      o.idleTimeout === undefined &&
      o.store === undefined &&
      o.beforeUpdate === undefined &&
      o.afterUpdate === undefined;
    if (vectorised) return new FrameTimeWindowNode<R>(this.source.stream, { ...this.config, current });
    const c = this.config;
    return new FrameRowWindowNode<R>(this.source.stream, {
      where,
      shape,
      aggs: this.aggs,
      single: c.single,
      current,
      key: c.key,
      value: c.value,
      grace: c.grace,
      ...(o.closingStrategy === undefined ? {} : { closingStrategy: o.closingStrategy }),
      ...(o.idleTimeout === undefined ? {} : { idleTimeout: toMillis(o.idleTimeout, `${where}: idleTimeout`) }),
      onLate: c.onLate,
      ...(o.beforeUpdate === undefined ? {} : { beforeUpdate: o.beforeUpdate }),
      ...(o.afterUpdate === undefined ? {} : { afterUpdate: o.afterUpdate }),
      ...(o.store === undefined ? {} : { store: o.store }),
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    });
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Event-time tumbling windows from the time column: `[0, d)`, `[d, 2d)`, ...
     * @example sf.tumblingWindow('10s', { key: 'sensor', value: 'temperature' }).mean().final()
     */
    tumblingWindow(duration: Duration, options?: FrameWindowOptions): FrameWindowDefinition;
    /**
     * Event-time hopping windows of `duration`, one starting every `step`.
     * @example sf.hoppingWindow('1m', '10s', { value: 'kwh' }).sum().current()
     */
    hoppingWindow(duration: Duration, step: Duration, options?: FrameWindowOptions): FrameWindowDefinition;
  }
}

StreamingFrame.prototype.tumblingWindow = function tumblingWindow(
  this: StreamingFrame,
  duration: Duration,
  options: FrameWindowOptions = {},
) {
  const d = toMillis(duration, 'tumblingWindow: duration');
  return new FrameWindowDefinition(this, 'tumblingWindow', d, d, options);
};
StreamingFrame.prototype.hoppingWindow = function hoppingWindow(
  this: StreamingFrame,
  duration: Duration,
  step: Duration,
  options: FrameWindowOptions = {},
) {
  return new FrameWindowDefinition(
    this,
    'hoppingWindow',
    toMillis(duration, 'hoppingWindow: duration'),
    toMillis(step, 'hoppingWindow: step'),
    options,
  );
};
