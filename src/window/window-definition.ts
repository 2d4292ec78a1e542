import { Stream } from '../core/stream.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { AggregationPlan } from './aggregation-plan.ts';
import type { Aggregator, Column } from './aggregator.ts';
import { collect, count, max, mean, min, reduce, sum } from './aggregators.ts';
import { CountWindowNode } from './count-window.ts';
import type { EventTimeWindowOptions } from './event-time-window.ts';
import { SessionWindowNode } from './session-window.ts';
import { SlidingTimeWindowNode } from './sliding-time-window.ts';
import { TimeWindowNode, type TimeWindowOptions } from './time-window.ts';
import type { DefaultWindowValue } from './window-defaults.ts';
import type { EmitMode, WindowNode, WindowOptions } from './window-node.ts';

/** What a window with a single aggregation emits. */
export interface WindowResult<V> {
  key: unknown;
  /** Window start, ms (inclusive); for count windows the smallest timestamp in it (null without timestamps). */
  start: number;
  /** Window end, ms (exclusive; inclusive for sliding windows); for count windows the greatest timestamp. */
  end: number;
  value: V;
}

/** What `agg({ a: aggA, b: aggB })` emits: `{ key, start, end, a, b }`. */
export type WindowAggResult<A extends Record<string, Aggregator>> = {
  key: unknown;
  start: number;
  end: number;
} & { [K in keyof A]: A[K] extends Aggregator<any, infer R> ? R : never };

/**
 * What the aggregators of a window on elements `T` with options `O` read: the field the `value` option names, or
 * what its function returns; without one, the value the elements declare for windows (a Kafka record's `value`),
 * else the element itself.
 *
 * @example
 * type V = WindowValue<{ sensor: string; celsius: number }, { value: 'celsius' }>; // number
 */
export type WindowValue<T, O> = O extends { value: infer E } ? ExtractedValue<T, E> : DefaultWindowValue<T>;

type ExtractedValue<T, E> = E extends (x: any) => infer R
  ? R
  : unknown extends T
    ? any
    : E extends keyof NonNullable<T>
      ? NonNullable<T>[E]
      : unknown;

/** Which window, with what parameters: what a definition knows before an aggregation is chosen. */
export type WindowShape =
  | { kind: 'tumblingWindow' | 'hoppingWindow'; duration: number; step: number }
  | { kind: 'slidingTimeWindow'; duration: number }
  | { kind: 'sessionWindow'; gap: number }
  | { kind: 'tumblingCountWindow' | 'hoppingCountWindow' | 'slidingCountWindow'; count: number; step: number };

/**
 * A window defined on a stream, waiting for its aggregation: `.reduce`, `.agg`, or a shorthand (`.sum()`,
 * `.count()`, `.mean()`, `.min()`, `.max()`, `.collect()`), then `.final()` or `.current()`. `V` is what the
 * aggregations read (see `WindowValue`): a column names one of its fields, checked when compiled.
 *
 * @example
 * readings.tumblingWindow('10s', { key: 'sensor', grace: '1s' }).mean('temperature').final();
 */
// V's default is T, not `DefaultWindowValue<T>`: a conditional type there would make `Stream<T>` invariant in T;
// the window methods of Stream compute V (a method's type-parameter default does not).
export class WindowDefinition<T, V = T> {
  readonly upstream: Stream<T>;
  readonly shape: WindowShape;
  // Typed loosely on purpose: options hold functions of T, and a public field of that type would make every
  // Stream<T> invariant in T (a Stream<number> would no longer be a Stream<unknown>).
  readonly options: TimeWindowOptions<any>;

  constructor(upstream: Stream<T>, shape: WindowShape, options: TimeWindowOptions<T>) {
    this.upstream = upstream;
    this.shape = shape;
    this.options = options ?? {};
  }

  /** Any aggregator, as the single `value`. */
  aggregate<R>(agg: Aggregator<any, R, V>): WindowAggregation<T, WindowResult<R>> {
    return new WindowAggregation(this, AggregationPlan.of(agg as Aggregator));
  }

  /** Several named aggregations: `{ key, start, end, ...names }`. */
  agg<A extends Record<string, Aggregator<any, unknown, V>>>(aggs: A): WindowAggregation<T, WindowAggResult<A>> {
    return new WindowAggregation(this, AggregationPlan.named(aggs as Record<string, Aggregator>));
  }

  /** Folds values with `reducer(acc, value)`, starting from `initializer(firstValue)` (null values are skipped). */
  reduce<A>(
    reducer: (acc: A, value: NonNullable<V>) => A,
    initializer: (value: NonNullable<V>) => A,
  ): WindowAggregation<T, WindowResult<A>> {
    return this.aggregate(reduce(reducer, initializer) as Aggregator) as WindowAggregation<T, WindowResult<A>>;
  }

  sum(column?: Column<V>): WindowAggregation<T, WindowResult<number>> {
    return this.aggregate(sum(column as Column));
  }

  count(column?: Column<V>): WindowAggregation<T, WindowResult<number>> {
    return this.aggregate(count(column as Column));
  }

  mean(column?: Column<V>): WindowAggregation<T, WindowResult<number | null>> {
    return this.aggregate(mean(column as Column));
  }

  min(column?: Column<V>): WindowAggregation<T, WindowResult<number | null>> {
    return this.aggregate(min(column as Column));
  }

  max(column?: Column<V>): WindowAggregation<T, WindowResult<number | null>> {
    return this.aggregate(max(column as Column));
  }

  collect<R = unknown>(column?: Column<V>): WindowAggregation<T, WindowResult<R[]>> {
    return this.aggregate(collect<R>(column as Column));
  }
}

/**
 * A window with its aggregation: `.final()` emits each window once, when it closes; `.current()` emits a window
 * after every update.
 *
 * @example
 * readings.hoppingWindow('1m', '10s').sum('kwh').current().sink(console.log);
 */
export class WindowAggregation<T, R> {
  readonly definition: WindowDefinition<T, any>;
  readonly plan: AggregationPlan;

  constructor(definition: WindowDefinition<T, any>, plan: AggregationPlan) {
    this.definition = definition;
    this.plan = plan;
  }

  /** Emits each window once, when the watermark closes it (count windows: when full). */
  final(): WindowNode<any, R> {
    return this.build('final');
  }

  /** Emits a window's result after every element that updates it. */
  current(): WindowNode<any, R> {
    return this.build('current');
  }

  private build(mode: EmitMode): WindowNode<any, R> {
    // The node emits the plan's outputs, which R describes.
    return this.node(mode) as unknown as WindowNode<any, R>;
  }

  private node(mode: EmitMode): WindowNode<T> {
    const { upstream, shape, options } = this.definition;
    switch (shape.kind) {
      case 'tumblingWindow':
      case 'hoppingWindow':
        return new TimeWindowNode(upstream, shape.kind, shape.duration, shape.step, this.plan, mode, options);
      case 'slidingTimeWindow':
        return new SlidingTimeWindowNode(upstream, shape.duration, this.plan, mode, options);
      case 'sessionWindow':
        return new SessionWindowNode(upstream, shape.gap, this.plan, mode, options);
      default:
        return new CountWindowNode(upstream, shape.kind, shape.count, shape.step, this.plan, mode, options);
    }
  }
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Fixed, non-overlapping event-time windows of `duration`: `[0, d)`, `[d, 2d)`, ...
     * @example readings.tumblingWindow('10s', { key: 'sensor', grace: '1s' }).mean('value').final()
     */
    tumblingWindow<O extends TimeWindowOptions<T>, V = WindowValue<T, O>>(
      duration: Duration,
      options?: O,
    ): WindowDefinition<T, V>;
    /**
     * Overlapping event-time windows of `duration`, one starting every `step`.
     * @example readings.hoppingWindow('1m', '10s').max('value').current()
     */
    hoppingWindow<O extends TimeWindowOptions<T>, V = WindowValue<T, O>>(
      duration: Duration,
      step: Duration,
      options?: O,
    ): WindowDefinition<T, V>;
    /**
     * Quix's time-based sliding window: for each element, the window of `duration` ending at its timestamp.
     * (`slidingWindow(n)` is streamz's tuple window.)
     * @example readings.slidingTimeWindow('5s').sum('value').current()
     */
    slidingTimeWindow<O extends EventTimeWindowOptions<T>, V = WindowValue<T, O>>(
      duration: Duration,
      options?: O,
    ): WindowDefinition<T, V>;
    /**
     * Session windows: a key's elements less than `gap` apart belong to one session.
     * @example clicks.sessionWindow('30m', { key: 'user' }).count().final()
     */
    sessionWindow<O extends EventTimeWindowOptions<T>, V = WindowValue<T, O>>(
      gap: Duration,
      options?: O,
    ): WindowDefinition<T, V>;
    /**
     * Windows of `n` elements per key, one after the other.
     * @example readings.tumblingCountWindow(100).mean('value').final()
     */
    tumblingCountWindow<O extends WindowOptions<T>, V = WindowValue<T, O>>(
      n: number,
      options?: O,
    ): WindowDefinition<T, V>;
    /**
     * Windows of `n` elements per key, one starting every `step` elements.
     * @example readings.hoppingCountWindow(10, 5).sum('value').final()
     */
    hoppingCountWindow<O extends WindowOptions<T>, V = WindowValue<T, O>>(
      n: number,
      step: number,
      options?: O,
    ): WindowDefinition<T, V>;
    /**
     * Windows of the last `n` elements per key, one per element.
     * @example orders.slidingCountWindow(3).agg({ average: mean('amount') }).final()
     */
    slidingCountWindow<O extends WindowOptions<T>, V = WindowValue<T, O>>(
      n: number,
      options?: O,
    ): WindowDefinition<T, V>;
  }
}

Stream.register('tumblingWindow', function (this: Stream<any>, duration: Duration, options: TimeWindowOptions = {}) {
  const d = toMillis(duration, 'tumblingWindow: duration');
  return new WindowDefinition(this, { kind: 'tumblingWindow', duration: d, step: d }, options);
});
Stream.register(
  'hoppingWindow',
  function (this: Stream<any>, duration: Duration, step: Duration, options: TimeWindowOptions = {}) {
    const d = toMillis(duration, 'hoppingWindow: duration');
    const s = toMillis(step, 'hoppingWindow: step');
    return new WindowDefinition(this, { kind: 'hoppingWindow', duration: d, step: s }, options);
  },
);
Stream.register(
  'slidingTimeWindow',
  function (this: Stream<any>, duration: Duration, options: EventTimeWindowOptions = {}) {
    return new WindowDefinition(
      this,
      { kind: 'slidingTimeWindow', duration: toMillis(duration, 'slidingTimeWindow: duration') },
      options,
    );
  },
);
Stream.register('sessionWindow', function (this: Stream<any>, gap: Duration, options: EventTimeWindowOptions = {}) {
  return new WindowDefinition(this, { kind: 'sessionWindow', gap: toMillis(gap, 'sessionWindow: gap') }, options);
});
Stream.register('tumblingCountWindow', function (this: Stream<any>, n: number, options: WindowOptions = {}) {
  return new WindowDefinition(this, { kind: 'tumblingCountWindow', count: n, step: n }, options);
});
Stream.register(
  'hoppingCountWindow',
  function (this: Stream<any>, n: number, step: number, options: WindowOptions = {}) {
    return new WindowDefinition(this, { kind: 'hoppingCountWindow', count: n, step }, options);
  },
);
Stream.register('slidingCountWindow', function (this: Stream<any>, n: number, options: WindowOptions = {}) {
  return new WindowDefinition(this, { kind: 'slidingCountWindow', count: n, step: 1 }, options);
});
