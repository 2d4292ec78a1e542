import type { Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import { toMillis } from '../time/duration.ts';
import { toTimestamp } from '../window/timestamp.ts';

/** How a value between two samples is read: the earlier one, the later one, the closer one, or the line between. */
export type ResampleMethod = 'previous' | 'next' | 'nearest' | 'linear';

/** What {@link ResampleNode} reads from each element and how it interpolates. */
export interface ResampleOptions {
  /** The grid: one output every `every`, at multiples of it (ms or a duration string). */
  every: number | string;
  /** The numeric fields interpolated. */
  fields: readonly string[];
  /** Default `'linear'`. */
  method?: ResampleMethod;
  /** Series are per value of this field (default: one series). */
  key?: string;
  /** The event time field (ms, a Date or an ISO string); default `'timestamp'`. Outputs carry it in ms. */
  timestamp?: string;
}

// A gap this many grid steps long is refused rather than filled: it is a unit mistake, not data.
const MAX_STEPS_PER_GAP = 1_000_000;

interface Series {
  t: number;
  values: number[];
  /** The next grid time to emit. */
  next: number;
}

/**
 * Resamples irregular samples onto a regular time grid, per key: between two samples of a series it emits one
 * element at every multiple of `every` from the earlier (included) to the later (excluded), with each field read
 * by `method`; at the end, the grid time equal to the last sample, if any. Samples of a series must come in time
 * order: an earlier one is an error routed to the node's error branch (`TS_BAD_TIMESTAMP`); an equal one replaces
 * the values (a discontinuity).
 *
 * @example
 * import { ResampleNode } from 'twinstream/pipeline';
 * new ResampleNode(readings, { every: '1m', fields: ['temperature'], key: 'sensor' }).sink(console.log);
 */
export class ResampleNode extends Stream<Record<string, unknown>> {
  override kind = 'resample';
  readonly every: number;
  readonly method: ResampleMethod;
  private readonly fields: readonly string[];
  private readonly key: string | undefined;
  private readonly time: string;
  private readonly series = new Map<unknown, Series>();

  constructor(upstream: Stream<any>, options: ResampleOptions) {
    const every = toMillis(options.every, 'resample: every');
    if (!(every > 0)) badArgument('resample', 'every', options.every, 'a duration > 0');
    const method = options.method ?? 'linear';
    if (!['previous', 'next', 'nearest', 'linear'].includes(method)) {
      badArgument('resample', 'method', method, '"previous", "next", "nearest" or "linear"');
    }
    if (!Array.isArray(options.fields) || options.fields.length === 0) {
      badArgument('resample', 'fields', options.fields, 'a non-empty list of field names');
    }
    super({ clock: upstream.clock });
    this.every = every;
    this.method = method;
    this.fields = [...options.fields];
    this.key = options.key;
    this.time = options.timestamp ?? 'timestamp';
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const row = x as Record<string, unknown>;
    const t = toTimestamp(row[this.time], `resample: ${this.time}`);
    const key = this.key === undefined ? undefined : row[this.key];
    const values = this.fields.map((f) => Number(row[f]));
    const s = this.series.get(key);
    if (s === undefined) {
      this.series.set(key, { t, values, next: Math.ceil(t / this.every) * this.every });
      return;
    }
    if (t < s.t) {
      throw new TwinstreamError(
        'TS_BAD_TIMESTAMP',
        `resample: ${this.time} = ${t} comes before ${s.t}, the previous sample${key === undefined ? '' : ` of ${String(key)}`}; expected samples in time order`,
        { context: { field: this.time, value: row[this.time] } },
      );
    }
    if ((t - s.next) / this.every > MAX_STEPS_PER_GAP) {
      throw new TwinstreamError(
        'TS_BAD_TIMESTAMP',
        `resample: ${this.time} = ${t} is ${t - s.t} ms after the previous sample, more than ${MAX_STEPS_PER_GAP} steps of ${this.every} ms; expected samples closer together, or a larger every`,
        { context: { field: this.time, value: row[this.time] } },
      );
    }
    const out: Record<string, unknown>[] = [];
    for (; s.next < t; s.next += this.every) out.push(this.point(key, s.next, s.t, s.values, t, values));
    s.t = t;
    s.values = values;
    return this.emitAll(out, 0, metadata);
  }

  // The grid time equal to the last sample of each series has not been emitted yet.
  protected override flushOnEnd(): Pushed {
    const out: Record<string, unknown>[] = [];
    for (const [key, s] of this.series)
      if (s.next === s.t) out.push(this.point(key, s.t, s.t, s.values, s.t, s.values));
    this.series.clear();
    return this.emitAll(out, 0, undefined);
  }

  private point(key: unknown, g: number, t0: number, v0: number[], t1: number, v1: number[]): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    if (this.key !== undefined) row[this.key] = key;
    row[this.time] = g;
    const f = t1 === t0 ? 0 : (g - t0) / (t1 - t0);
    for (let i = 0; i < this.fields.length; i++) {
      const a = v0[i]!;
      const b = v1[i]!;
      row[this.fields[i]!] =
        this.method === 'previous'
          ? a
          : this.method === 'next'
            ? g === t0
              ? a
              : b
            : this.method === 'nearest'
              ? f <= 0.5
                ? a
                : b
              : a + (b - a) * f;
    }
    return row;
  }

  private emitAll(out: Record<string, unknown>[], from: number, metadata: Metadata | undefined): Pushed {
    for (let i = from; i < out.length; i++) {
      const r = this.pass(out[i]!, metadata);
      if (r !== undefined) return r.then(() => this.emitAll(out, i + 1, metadata));
    }
  }
}
