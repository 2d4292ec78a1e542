import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  partitionOf,
} from '../core/checkpointable.ts';
import { both } from '../core/held.ts';
import { hashKey, type KeySpec, toKeyFn } from '../core/key.ts';
import type { NodeProbe } from '../core/node-metrics.ts';
import { concatMetadata, type Metadata, releaseRefs, retainRefs } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { KeyWindows, type OpenWindow, PartitionWindows, persistWindows, restoreWindows } from './open-windows.ts';
import { type Extractor, MAX_TIMESTAMP, toExtractor, toTimestamp } from './timestamp.ts';
import { windowDefaultsOf } from './window-defaults.ts';
import type { WindowStoreReader, WindowStoreWriter } from './window-store.ts';

export { KeyWindows, type OpenWindow, PartitionWindows } from './open-windows.ts';

/** Options every window kind shares. */
export interface WindowOptions<T = any> {
  /** The event time of an element, in ms: a function or a field name. Default: the `timestamp` field (the record
   * timestamp on Kafka records). */
  timestamp?: Extractor<T>;
  /** Windows are per key: a function, a field name or an index. Default: one group (the record key on Kafka
   * records). Elements whose key is null or undefined are skipped and counted in `skipped`, as in Quix. */
  key?: KeySpec<T>;
  /** What is aggregated: a function or a field name. Default: the element (the record value on Kafka records). */
  value?: Extractor<T>;
  /** The partition of an element, for `closingStrategy: 'partition'`. Default: the record partition on Kafka
   * records, else 0. */
  partition?(x: T): number;
  /** A store to persist open windows into (see `persist`) and restore them from at construction. */
  store?: WindowStoreReader;
  /** The store namespace of this window. Default: `'window'`. */
  namespace?: string;
}

/** How a window is emitted: once when it closes, or after every update. */
export type EmitMode = 'final' | 'current';

/**
 * The machinery every window kind shares: reading time, key and value from elements, partitions and keys,
 * holding element metadata (so a Kafka offset is committed only after every window holding it is done), emitting
 * final or current results, and persisting open windows into a state store. Kinds say where an element goes.
 */
export abstract class WindowNode<T = any, O = any> extends Stream<O> implements Checkpointable {
  readonly keepsInput = 'open windows';
  readonly plan: AggregationPlan;
  readonly mode: EmitMode;
  readonly namespace: string;
  /** False for kinds that work without event time (count windows). */
  protected needsTime = true;
  /** Late elements so far (one count per element, whatever the number of closed windows it fell into; count
   * windows have no lateness). */
  late = 0;
  /** Elements skipped because their key was null or undefined. */
  skipped = 0;

  override probe(): NodeProbe {
    return { late: this.late };
  }
  protected readonly where: string;
  protected readTs: (x: any) => unknown;
  protected readKey: ((x: any) => unknown) | null;
  protected readValue: ((x: any) => unknown) | null;
  protected readPartition: ((x: any) => number) | null;
  /** The field each extractor reads when it is a field name (null for a function): fused code reads it inline,
   * since a reader that is not inlined returns a double boxed, one allocation per element. */
  protected readonly fieldNames: { ts: string | null; key: string | number | null; value: string | null };
  /** False until the first element was checked for Kafka defaults. */
  protected defaultsChecked: boolean;
  /** The element being processed (what `onLate` reports). */
  protected element: unknown = undefined;
  protected readonly parts = new Map<number, PartitionWindows>();
  private lastPart: PartitionWindows | null = null;
  private lastKey: unknown;
  private lastKeyWindows: KeyWindows | null = null;

  constructor(upstream: Stream<T>, where: string, plan: AggregationPlan, mode: EmitMode, options: WindowOptions<T>) {
    if (mode !== 'final' && mode !== 'current') badArgument(where, 'mode', mode, "'final' or 'current'");
    const readTs = toExtractor(where, 'timestamp', options.timestamp);
    const readKey = options.key === undefined ? undefined : toKeyFn(where, options.key);
    const readValue = toExtractor(where, 'value', options.value, true);
    if (options.partition !== undefined && typeof options.partition !== 'function') {
      badArgument(where, 'partition', options.partition, 'a function of the element');
    }
    const namespace = options.namespace ?? 'window';
    if (typeof namespace !== 'string' || namespace === '')
      badArgument(where, 'namespace', namespace, 'a non-empty string');
    super({ clock: upstream.clock });
    this.where = where;
    this.plan = plan;
    this.mode = mode;
    this.namespace = namespace;
    this.readTs = readTs ?? readTimestampField;
    this.readKey = readKey ?? null;
    this.readValue = readValue ?? null;
    this.readPartition = options.partition ?? null;
    const ts = options.timestamp;
    this.fieldNames = {
      ts: ts === undefined || ts === null ? 'timestamp' : typeof ts === 'string' ? ts : null,
      key: typeof options.key === 'string' || typeof options.key === 'number' ? options.key : null,
      value: typeof options.value === 'string' ? options.value : null,
    };
    // Kafka defaults apply only where the user gave no extractor; decided on the first element.
    this.defaultsChecked = readTs !== undefined && readKey !== undefined && readValue !== undefined;
    if (options.store !== undefined) this.restore(options.store);
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    return this.afterTs(x, this.readTs(x), metadata);
  }

  // The stages of `update`, each resuming with what was read so far: a fused fast path (see `fuse` of the time
  // windows) that gives up half-way goes on here, so no extractor is called twice and the order of calls stays.

  /** Goes on from the raw timestamp of `x`. */
  afterTs(x: unknown, raw: unknown, metadata: Metadata | undefined): Pushed {
    // The Kafka defaults never replace the timestamp extractor: what was read stays valid.
    if (!this.defaultsChecked) this.checkDefaults(x);
    // Count windows do not need event time: without a timestamp their start and end are null.
    const t =
      typeof raw === 'number' && raw >= -MAX_TIMESTAMP && raw <= MAX_TIMESTAMP
        ? raw
        : raw == null && !this.needsTime
          ? Number.NaN
          : toTimestamp(
              raw,
              this.fieldNames.ts === null ? this.label() : `${this.label()} field "${this.fieldNames.ts}"`,
            );
    return this.afterKey(x, t, this.readKey === null ? null : this.readKey(x), metadata);
  }

  /** Goes on from the timestamp and key of `x` (the key is null without a key extractor). */
  afterKey(x: unknown, t: number, key: unknown, metadata: Metadata | undefined): Pushed {
    // A key read before the defaults were checked came from the user's extractor, which they keep.
    if (!this.defaultsChecked) this.checkDefaults(x);
    if (this.readKey !== null && (key === null || key === undefined)) {
      this.skipped++;
      return;
    }
    return this.afterValue(x, t, key, this.readValue === null ? x : this.readValue(x), metadata);
  }

  /** Goes on from the timestamp, key and value of `x`: finds its key's windows and hands it to `process`. */
  afterValue(x: unknown, t: number, key: unknown, value: unknown, metadata: Metadata | undefined): Pushed {
    const part =
      this.readPartition === null ? this.defaultPartition(metadata) : this.partitionFor(this.readPartition(x));
    let kw: KeyWindows;
    // Consecutive elements of one key are the common case (sorted or batched input): skip the map lookup.
    if (this.lastKeyWindows !== null && this.lastKey === key && this.lastKeyWindows.partition === part) {
      kw = this.lastKeyWindows;
    } else {
      const hk = hashKey(key);
      let found = part.keys.get(hk);
      if (found === undefined) {
        found = new KeyWindows(key, part);
        part.keys.set(hk, found);
        part.removed.delete(hk);
      }
      kw = found;
      this.lastKey = key;
      this.lastKeyWindows = kw;
    }
    this.element = x;
    return this.process(kw, t, value, metadata);
  }

  /** Puts one element into its windows and closes what is due; returns what emitting cost. */
  protected abstract process(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed;

  /** Takes what the first element says windows read from it (`windowDefaults`) where no extractor was given. */
  private checkDefaults(x: unknown): void {
    this.defaultsChecked = true;
    const d = windowDefaultsOf(x);
    if (d === undefined) return;
    if (this.readKey === null && d.key !== undefined) this.readKey = d.key;
    if (this.readValue === null && d.value !== undefined) this.readValue = d.value;
    if (this.readPartition === null && d.partition !== undefined) this.readPartition = d.partition;
  }

  /**
   * Without a partition extractor: the partition the element came from (its metadata says, for records of a Kafka
   * partition, even after a `map`), so an application checkpoints each partition's windows with that partition.
   */
  private defaultPartition(md: Metadata | undefined): PartitionWindows {
    if (md !== undefined && md.length > 0) return this.partitionFor(partitionOf(md));
    return this.lastPart ?? this.partitionFor(0);
  }

  protected partitionFor(id: number): PartitionWindows {
    const last = this.lastPart;
    if (last !== null && last.id === id) return last;
    let p = this.parts.get(id);
    if (p === undefined) {
      p = new PartitionWindows(id);
      this.parts.set(id, p);
    }
    this.lastPart = p;
    return p;
  }

  /** A new, empty window. */
  protected openWindow(start: number, end: number, closeAt: number): OpenWindow {
    return {
      start,
      end,
      closeAt,
      states: this.plan.init(),
      maxTs: Number.NEGATIVE_INFINITY,
      minTs: Number.POSITIVE_INFINITY,
      n: 0,
      held: null,
      values: null,
    };
  }

  /** Adds an element to a window, holding its metadata. */
  protected addTo(w: OpenWindow, value: unknown, t: number, md: Metadata | undefined): void {
    this.plan.add(w.states, value, t);
    if (t > w.maxTs) w.maxTs = t;
    if (t < w.minTs) w.minTs = t;
    w.n++;
    if (w.values !== null) w.values.push([value, t]);
    if (md !== undefined && md.length > 0) {
      retainRefs(md);
      (w.held ??= []).push(md);
    }
  }

  /** Emits a window's current result with the element's metadata (`current()` mode). */
  protected emitCurrent(kw: KeyWindows, w: OpenWindow, md: Metadata | undefined): Pushed {
    return this.pass(this.plan.output(kw.key, w.start, w.end, w.states) as O, md);
  }

  /** A window is done: emits it (`final()` mode) with the metadata of what it held, then lets the elements go. */
  protected closeWindow(
    kw: KeyWindows,
    w: OpenWindow,
    start: number | null = w.start,
    end: number | null = w.end,
  ): Pushed {
    kw.dirty = true;
    const held = w.held;
    w.held = null;
    if (this.mode !== 'final') {
      if (held !== null) for (let i = 0; i < held.length; i++) releaseRefs(held[i]);
      return;
    }
    const out = this.plan.output(kw.key, start, end, w.states) as O;
    if (held === null) return this.pass(out);
    try {
      return this.pass(out, concatMetadata(held));
    } finally {
      for (let i = 0; i < held.length; i++) releaseRefs(held[i]);
    }
  }

  /**
   * The input ended (a finite source ran out): every open window is closed now, oldest first, so `final()`
   * emits the last windows too instead of keeping them for ever.
   */
  protected override flushOnEnd(): Pushed {
    const due: [KeyWindows, OpenWindow][] = [];
    for (const p of this.parts.values()) {
      for (const kw of p.keys.values()) {
        for (const w of kw.windows) due.push([kw, w]);
        kw.windows = [];
      }
    }
    due.sort((a, b) => a[1].start - b[1].start);
    let r: Pushed = undefined;
    for (const [kw, w] of due) r = both(r, this.closeAtEnd(kw, w));
    return r;
  }

  /** Closes one window at the end of the input (sliding windows emit only their left windows). */
  protected closeAtEnd(kw: KeyWindows, w: OpenWindow): Pushed {
    return this.closeWindow(kw, w);
  }

  /** Every open window of every key (for tests and for draining). */
  openWindows(): { key: unknown; partition: number; start: number; end: number }[] {
    const out: { key: unknown; partition: number; start: number; end: number }[] = [];
    for (const p of this.parts.values()) {
      for (const kw of p.keys.values()) {
        for (const w of kw.windows) out.push({ key: kw.key, partition: p.id, start: w.start, end: w.end });
      }
    }
    return out;
  }

  /**
   * Writes the open windows changed since the last call into a store transaction. Call it at a checkpoint, in
   * the same transaction as the source offsets: after a restart the window resumes exactly there.
   *
   * @example store.transaction((tx) => { window.persist(tx); tx.set('offsets', 0, 'raw', offset); });
   */
  persist(tx: WindowStoreWriter): void {
    persistWindows(tx, this.namespace, this.parts.values(), this.plan);
  }

  /**
   * Loads the open windows of one partition from a store (a partition newly assigned to this process), replacing
   * what this node held for it.
   */
  restorePartition(store: CheckpointReader, partition: number): void {
    const only: WindowStoreReader = {
      partitions: () => [partition],
      entries: (namespace, pid) => store.entries(namespace, pid),
    };
    this.dropPartition(partition);
    this.restore(only);
  }

  /** {@link Checkpointable}: the same as `persist`. */
  checkpoint(writer: CheckpointWriter): void {
    this.persist(writer);
  }

  /** Forgets the open windows of one partition (taken away from this process). */
  dropPartition(partition: number): void {
    this.parts.delete(partition);
    this.lastPart = null;
    this.lastKeyWindows = null;
  }

  private restore(store: WindowStoreReader): void {
    restoreWindows(store, this.namespace, this.plan, (pid) => this.partitionFor(pid));
    this.lastPart = null;
  }

  /** Marks a key with no open window as removable from the store. */
  protected forgetIfEmpty(kw: KeyWindows): void {
    if (kw.windows.length === 0) kw.dirty = true;
  }
}

function readTimestampField(x: any): unknown {
  return x === null || typeof x !== 'object' ? undefined : x.timestamp;
}
