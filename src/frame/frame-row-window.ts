// Every window kind of src/window on frames, by feeding each frame's rows, in order, through the row window node
// itself: results, lateness, closing, idleness and persistence are those of the row windows by construction.
// No row object is built unless an aggregator takes whole rows (generic aggregators without a value column).

import type { Checkpointable, CheckpointReader, CheckpointWriter } from '../core/checkpointable.ts';
import { both } from '../core/held.ts';
import { whenGraphIdle } from '../core/idle.ts';
import type { Metadata, MetadataEntry } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import type { Aggregator } from '../window/aggregator.ts';
import type { LateInfo } from '../window/event-time-window.ts';
import { columnKernelOf } from '../window/kernel.ts';
import type { EarlyClose } from '../window/time-window.ts';
import { WindowDefinition, type WindowShape } from '../window/window-definition.ts';
import type { WindowNode } from '../window/window-node.ts';
import type { WindowStoreReader, WindowStoreWriter } from '../window/window-store.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import type { Frame } from './frame.ts';
import type { FrameColumn } from './frame-column.ts';

/**
 * What the row-engine frame window needs, resolved by the definition (`sf.sessionWindow(...).sum().final()`).
 * @example new FrameRowWindowNode(sf.stream, { where: 'sessionWindow', shape: { kind: 'sessionWindow', gap: 30 }, aggs: { value: sum('v') }, single: true, current: false, key: null, value: null, onLate: null })
 */
export interface FrameRowWindowConfig {
  where: string;
  shape: WindowShape;
  aggs: Readonly<Record<string, Aggregator>>;
  single: boolean;
  current: boolean;
  key: string | null;
  value: string | null;
  grace?: number;
  closingStrategy?: 'key' | 'partition';
  idleTimeout?: number;
  onLate: ((info: LateInfo) => void) | null;
  beforeUpdate?: EarlyClose;
  afterUpdate?: EarlyClose;
  store?: WindowStoreReader;
  namespace?: string;
}

// The element handed to the row node: never a Kafka record, so the row node's Kafka defaults never apply.
const ELEMENT: object = Object.freeze({});

/**
 * The node behind the frame windows the vectorised engine does not cover (sliding, session and count windows;
 * tumbling and hopping windows with `idleTimeout`, `store` or early-close predicates): each frame's rows are fed,
 * in order, into the row window node of src/window, read from the typed columns (the time column, the key
 * column, the value column). Outputs, lateness, closing and persistence are those of the row windows; `current()`
 * emits after every row, as on rows. Missing values (NaN, missing strings) are handed over as null, so they are
 * skipped, as the frame windows skip NaN.
 *
 * @example
 * const node = sf.sessionWindow('30s', { key: 'sensor', value: 'v' }).sum().final();
 * node.late; // rows that came for closed sessions
 */
export class FrameRowWindowNode<O = any> extends Stream<O> implements Checkpointable {
  /** What it keeps between elements (`KeepsInput`): open windows, checkpointed as the row windows do. */
  readonly keepsInput: string = 'open windows';
  override kind: string;
  private readonly c: FrameRowWindowConfig;
  private readonly inner: WindowNode<any, O>;
  /** Columns read into the value object when there is no value column (null: a value column is read). */
  private readonly pick: string[] | null;
  private readonly wholeRows: boolean;
  private frame: Frame | null = null;
  private row = 0;
  private t: number | undefined = undefined;
  private k: unknown = null;
  private v: unknown = null;

  constructor(upstream: Stream<Frame>, config: FrameRowWindowConfig) {
    super({ clock: upstream.clock });
    this.kind = config.where;
    this.c = config;
    const aggs = Object.values(config.aggs);
    const columns = aggs.map((a) => columnKernelOf(a)?.column ?? null);
    this.wholeRows =
      config.value === null &&
      (columns.some((c) => c === null) || config.beforeUpdate !== undefined || config.afterUpdate !== undefined);
    this.pick = config.value !== null || this.wholeRows ? null : [...new Set(columns as string[])];
    const source = new Stream<unknown>({ clock: upstream.clock });
    const userLate = config.onLate;
    const options: Record<string, unknown> = {
      timestamp: () => this.t,
      value: () => this.v,
      grace: config.grace,
      closingStrategy: config.closingStrategy,
      idleTimeout: config.idleTimeout,
      beforeUpdate: config.beforeUpdate,
      afterUpdate: config.afterUpdate,
      store: config.store,
      namespace: config.namespace,
    };
    for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
    if (config.key !== null) options.key = () => this.k;
    if (userLate !== null) options.onLate = (info: LateInfo) => userLate({ ...info, element: this.lateRow() });
    const def = new WindowDefinition<unknown>(source, config.shape, options);
    const agg = config.single ? def.aggregate(config.aggs.value!) : def.agg(config.aggs as Record<string, Aggregator>);
    this.inner = (config.current ? agg.current() : agg.final()) as WindowNode<any, O>;
    this.inner.connect(new Relay<O>(this));
    upstream.connect(this);
  }

  /** Rows that came for closed windows (count windows have none). */
  get late(): number {
    return this.inner.late;
  }

  /** Rows skipped because their key was missing. */
  get skipped(): number {
    return this.inner.skipped;
  }

  /**
   * Writes the open windows changed since the last call into a store transaction (as the row windows do).
   * @example store.transaction((tx) => node.persist(tx));
   */
  persist(tx: WindowStoreWriter): void {
    this.inner.persist(tx);
  }

  /** {@link Checkpointable}: the row window node's namespace. */
  get namespace(): string {
    return this.inner.namespace;
  }

  /** {@link Checkpointable}: the open windows changed since the last call, per input partition (as on rows). */
  checkpoint(writer: CheckpointWriter): void {
    this.inner.checkpoint(writer);
  }

  /** {@link Checkpointable}: replaces the open windows of `partition` with those `reader` has. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.inner.restorePartition(reader, partition);
  }

  /** {@link Checkpointable}: forgets the open windows of `partition`. */
  dropPartition(partition: number): void {
    this.inner.dropPartition(partition);
  }

  /** Every open window of every key. */
  openWindows(): { key: unknown; partition: number; start: number; end: number }[] {
    return this.inner.openWindows();
  }

  override update(x: unknown, _who?: Stream<any>, md?: Metadata): Pushed {
    const f = x as Frame;
    const n = f.length;
    if (n === 0) return;
    const count = this.c.shape.kind.endsWith('CountWindow');
    const T = count ? f.time : f.times(this.c.where);
    const keyCol = this.c.key === null ? null : f.column(this.c.key);
    const valueCol = this.c.value === null ? null : f.column(this.c.value);
    const pick = this.pick === null ? null : this.pick.map((name) => [name, f.column(name)] as const);
    const node = this.inner;
    this.frame = f;
    let r: Pushed = undefined;
    try {
      for (let i = 0; i < n; i++) {
        this.row = i;
        this.t = T === null ? undefined : T[i];
        if (keyCol !== null) this.k = at(keyCol, i);
        if (valueCol !== null) this.v = at(valueCol, i);
        else if (pick !== null) {
          const o: Record<string, unknown> = {};
          for (let j = 0; j < pick.length; j++) o[pick[j]![0]] = at(pick[j]![1], i);
          this.v = o;
        } else this.v = this.rowAt(f, i);
        r = both(r, node.update(ELEMENT, undefined, md));
      }
    } finally {
      this.frame = null;
      this.v = null;
    }
    return r;
  }

  /** A row as an object, missing values null (what the row windows see for rows with null fields). */
  private rowAt(f: Frame, i: number): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    if (f.time !== null) o[f.timeName] = f.time[i];
    for (const name of f.names) o[name] = at(f.column(name), i);
    return o;
  }

  private lateRow(): unknown {
    return this.frame === null ? undefined : this.rowAt(this.frame, this.row);
  }

  protected override flushOnEnd(): Pushed {
    // Ends the row node's input: it closes and emits every open window (through the relay). The inner graph is
    // not connected to this one, so its end (and what the relay's downstreams still do with it) is awaited here.
    for (const up of this.inner.upstreams) up.end();
    return whenGraphIdle([this.inner]);
  }

  override stop(): void {
    this.inner.stop();
    super.stop();
  }
}

/** A column's value at row i, missing values (NaN, a -1 code) as null. */
function at(c: FrameColumn, i: number): number | string | null {
  if (c instanceof DictionaryColumn) return c.get(i);
  const x = c[i]!;
  return Number.isNaN(x) ? null : x;
}

/** Hands what the row node emits to the frame node's downstreams, each metadata entry once. */
class Relay<O> extends Stream<O> {
  private readonly owner: Stream<O>;

  constructor(owner: Stream<O>) {
    super({ clock: owner.clock });
    this.owner = owner;
  }

  override update(x: unknown, _who?: Stream<any>, md?: Metadata): Pushed {
    return this.owner.emit(x as O, md === undefined || md.length < 2 ? md : unique(md));
  }
}

function unique(md: Metadata): Metadata {
  const seen = new Set<MetadataEntry>(md);
  return seen.size === md.length ? md : [...seen];
}
