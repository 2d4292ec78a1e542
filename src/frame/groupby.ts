import { fromJsonNumber, toJsonNumber } from '../core/json-numbers.ts';
import type { Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import type { Aggregator } from '../window/aggregator.ts';
import { isAggregator } from '../window/aggregator.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import type { FrameColumn } from './frame-column.ts';
import { FrameStateNode, type FrameStateOptions } from './frame-state-node.ts';
import { Moments, type Reduction } from './moments.ts';
import { moveCursor, RowCursor } from './row-cursor.ts';
import { RowWindow, type RowWindowSpec } from './row-window.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { StreamingSeries } from './streaming-series.ts';

/** Dense group indexes for keys (numbers or strings), in order of first appearance. */
class GroupIndex {
  readonly keys: (number | string)[] = [];
  private readonly index = new Map<number | string, number>();

  /** One group index per row (-1 for a missing key: NaN or a null string, dropped as pandas does). */
  assign(c: FrameColumn): Int32Array {
    const out = new Int32Array(c.length);
    if (c instanceof DictionaryColumn) {
      const remap = c.dictionary.map((s) => this.of(s));
      const codes = c.codes;
      for (let i = 0; i < codes.length; i++) out[i] = codes[i]! < 0 ? -1 : remap[codes[i]!]!;
      return out;
    }
    for (let i = 0; i < c.length; i++) {
      const k = c[i]!;
      out[i] = !Number.isNaN(k) ? this.of(k) : -1;
    }
    return out;
  }

  /** The group index of key `k` (a new group the first time). */
  of(k: number | string): number {
    let g = this.index.get(k);
    if (g === undefined) {
      g = this.keys.length;
      this.keys.push(k);
      this.index.set(k, g);
    }
    return g;
  }

  /** Group indexes in key order (numbers ascending, strings by code unit), present groups only. */
  sorted(present: (g: number) => boolean): number[] {
    const gs = this.keys.map((_, g) => g).filter(present);
    return gs.sort((a, b) => {
      const x = this.keys[a]!;
      const y = this.keys[b]!;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
}

type Plan =
  | { kind: 'reduce'; reduction: Reduction; columns: readonly string[] | null }
  | { kind: 'agg'; aggs: Readonly<Record<string, Aggregator>> };

/**
 * Groupby aggregations on a streaming frame (streamz's `sdf.groupby('x').y.sum()`): updated after every frame over
 * everything seen so far, or over a `window` (groups whose rows all left disappear). Each output is a frame with
 * the key column first (sorted by key) and one column per aggregation.
 *
 * @example
 * sf.groupby('sensor').col('temperature').mean().sink((f) => console.log(f.toRows()));
 * sf.groupby('sensor').agg({ n: count(), hi: max('temperature') });
 */
export class GroupBy {
  readonly source: StreamingFrame;
  readonly by: string | StreamingSeries;
  readonly window: RowWindowSpec | null;
  readonly columns: readonly string[] | null;
  readonly options: FrameStateOptions;

  constructor(
    source: StreamingFrame,
    by: string | StreamingSeries,
    window: RowWindowSpec | null = null,
    columns: readonly string[] | null = null,
    options: FrameStateOptions = {},
  ) {
    if (by instanceof StreamingSeries) source.check(by, 'groupby');
    else if (typeof by !== 'string') badArgument('groupby', 'by', by, 'a column name or a series');
    this.source = source;
    this.by = by;
    this.window = window;
    this.columns = columns;
    this.options = options ?? {};
  }

  /** Only column `name` is aggregated. */
  col(name: string): GroupBy {
    return new GroupBy(this.source, this.by, this.window, [name], this.options);
  }

  sum(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'sum', columns: this.columns });
  }
  mean(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'mean', columns: this.columns });
  }
  count(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'count', columns: this.columns });
  }
  min(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'min', columns: this.columns });
  }
  max(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'max', columns: this.columns });
  }
  var(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'var', columns: this.columns });
  }
  std(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'std', columns: this.columns });
  }
  /** Rows per group. */
  size(): Stream<Frame> {
    return this.run({ kind: 'reduce', reduction: 'size', columns: this.columns });
  }

  /** Named aggregators of src/window (each sees the row, so `sum('y')` sums column y and `count()` counts rows). */
  agg(aggs: Readonly<Record<string, Aggregator>>): Stream<Frame> {
    for (const n of Object.keys(aggs ?? {})) {
      if (!isAggregator(aggs[n])) badArgument('groupby.agg', n, aggs[n], 'an Aggregator { init, add, result }');
    }
    return this.run({ kind: 'agg', aggs });
  }

  private run(plan: Plan): Stream<Frame> {
    const byName = typeof this.by === 'string' ? this.by : this.by.name;
    const keyOf = (f: Frame): FrameColumn => (typeof this.by === 'string' ? f.column(this.by) : this.by.evaluate(f));
    const spec = this.window;
    return new FrameStateNode<Frame, Frame>(
      this.source.stream,
      'groupby',
      () => {
        // Per input partition: the window's rows (the groups are computed again from them), or the groups.
        const win = spec === null ? null : new RowWindow(spec, 'groupby window');
        let acc = new Accumulator(plan, byName);
        return {
          keeps: 'running aggregates',
          next(f, md, out) {
            if (win === null) {
              acc.add(f, keyOf(f));
            } else {
              win.push(f, md);
              acc = new Accumulator(plan, byName);
              for (const p of win.frames()) acc.add(p, keyOf(p));
            }
            return out.emit(acc.result(), md);
          },
          save: () => (win === null ? acc.save() : win.save()),
          load(saved) {
            if (win === null) acc.load(saved);
            else win.load(saved);
          },
          release: () => win?.clear(),
        };
      },
      { namespace: spec?.namespace ?? this.options.namespace },
    );
  }
}

/** The groups and their states for one plan. */
class Accumulator {
  private readonly plan: Plan;
  private readonly byName: string;
  private readonly groups = new GroupIndex();
  private readonly stats = new Map<string, Moments>();
  private readonly rows = new Moments(false);
  private readonly states: Record<string, unknown[]> = {};
  private stringKeys = false;

  constructor(plan: Plan, byName: string) {
    this.plan = plan;
    this.byName = byName;
  }

  add(f: Frame, keys: FrameColumn): void {
    this.stringKeys = keys instanceof DictionaryColumn;
    const g = this.groups.assign(keys);
    this.rows.ensure(this.groups.keys.length - 1);
    this.rows.addColumn(new Float64Array(f.length), g);
    const plan = this.plan;
    if (plan.kind === 'reduce') {
      const names =
        plan.columns ?? f.names.filter((n) => n !== this.byName && !(f.column(n) instanceof DictionaryColumn));
      for (const name of names) {
        let m = this.stats.get(name);
        if (m === undefined)
          this.stats.set(name, (m = new Moments(plan.reduction === 'var' || plan.reduction === 'std')));
        m.ensure(this.groups.keys.length - 1);
        m.addColumn(f.numeric(name), g);
      }
      return;
    }
    const cursor = new RowCursor(f);
    for (const name of Object.keys(plan.aggs)) {
      const agg = plan.aggs[name]!;
      const st = (this.states[name] ??= []);
      for (let i = 0; i < f.length; i++) {
        const gi = g[i]!;
        if (gi < 0) continue;
        moveCursor(cursor, i);
        if (st[gi] === undefined) st[gi] = agg.init();
        st[gi] = agg.add(st[gi], cursor, f.time === null ? 0 : f.time[i]!);
      }
    }
  }

  /** The groups and their statistics as JSON values (a checkpoint; aggregator states must be JSON-serializable). */
  save(): unknown {
    const stats = Object.fromEntries([...this.stats].map(([k, m]) => [k, m.save()]));
    const keys = this.groups.keys.map((k) => (typeof k === 'number' ? [toJsonNumber(k), 1] : [k, 0]));
    // A copy: the states go on changing here. Groups without a state yet (holes) go as null.
    const states = Object.fromEntries(
      Object.entries(this.states).map(([k, st]) => [
        k,
        Array.from(st, (x) => (x === undefined ? null : structuredClone(x))),
      ]),
    );
    return { keys, rows: this.rows.save(), stats, states, stringKeys: this.stringKeys };
  }

  /** Takes back what `save` gave, into a fresh accumulator. */
  load(saved: unknown): void {
    const s = saved as {
      keys: [number | string, number][];
      rows: unknown;
      stats: Record<string, unknown>;
      states: Record<string, unknown[]>;
      stringKeys: boolean;
    };
    for (const [k, num] of s.keys) this.groups.of(num === 1 ? fromJsonNumber(k) : k);
    this.rows.load(s.rows);
    const plan = this.plan;
    for (const [name, v] of Object.entries(s.stats)) {
      const m = new Moments(plan.kind === 'reduce' && (plan.reduction === 'var' || plan.reduction === 'std'));
      m.load(v);
      this.stats.set(name, m);
    }
    for (const [name, st] of Object.entries(s.states))
      this.states[name] = st.map((x) => (x === null ? undefined : structuredClone(x)));
    this.stringKeys = s.stringKeys;
  }

  result(): Frame {
    const order = this.groups.sorted((g) => this.rows.result('size', g) > 0);
    const keys = order.map((g) => this.groups.keys[g]!);
    const cols: Record<string, FrameColumn | (string | null)[]> = {
      [this.byName]: this.stringKeys ? (keys as string[]) : Float64Array.from(keys as number[]),
    };
    const plan = this.plan;
    if (plan.kind === 'reduce') {
      for (const [name, m] of this.stats) cols[name] = Float64Array.from(order, (g) => m.result(plan.reduction, g));
    } else {
      for (const name of Object.keys(plan.aggs)) {
        const agg = plan.aggs[name]!;
        const st = this.states[name] ?? [];
        cols[name] = Float64Array.from(order, (g) => {
          const r = agg.result(st[g] ?? agg.init());
          return r === null || r === undefined ? Number.NaN : Number(r);
        });
      }
    }
    return new Frame(cols as Record<string, FrameColumn>);
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Groupby aggregations by a column or a series of the same frames.
     * @example sf.groupby('x').col('y').sum()
     * @example sf.groupby(sf.col('x').mod(3)).col('y').sum()
     */
    groupby(by: string | StreamingSeries, options?: FrameStateOptions): GroupBy;
  }
}

StreamingFrame.prototype.groupby = function groupby(
  this: StreamingFrame,
  by: string | StreamingSeries,
  options?: FrameStateOptions,
) {
  return new GroupBy(this, by, null, null, options);
};
