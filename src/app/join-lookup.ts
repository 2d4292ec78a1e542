import { isKafkaRecord } from '../connectors/kafka/decoded-record.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../core/checkpointable.ts';
import type { Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { applicationOfStream } from './application.ts';

/** How `joinLookup` finds and merges the right value of a left record. */
export interface JoinLookupOptions<L, R, O> {
  /**
   * The key looked up in the table: a field of the left record's value, or a function of the left element.
   * Default: the left record's Kafka key. The table is keyed by the right records' Kafka keys.
   */
  on?: string | ((left: L) => unknown);
  /** `'inner'` (default) drops a left element whose key has no value yet; `'left'` passes it on alone. */
  how?: 'inner' | 'left';
  /**
   * Builds the output. Default: for a record, the record with the fields of both values, the left one's winning
   * (`{ ...right, ...left.value }`); for any other element, `{ ...right, ...left }`.
   */
  merge?: (left: L, right: R | undefined) => O;
  /** The state namespace of the table (and its changelog). Default: `'lookup-<right topic>'`. */
  namespace?: string;
}

/** A table key: strings as they are, anything else as JSON (store keys are strings). */
function tableKey(k: unknown): string {
  return typeof k === 'string' ? k : (JSON.stringify(k) ?? String(k));
}

/**
 * The table of a `joinLookup`: the latest value of each key of the right topic, per partition, looked up by the
 * left records of the same partition (the topics are co-partitioned). {@link Checkpointable}: the keys changed since
 * the last commit go into the right topic's store and changelog.
 * @internal
 * @example
 * new TableJoinNode(app.stream(readings), app.stream(sensors), 'sensors', { how: 'left' }); // what joinLookup makes
 */
export class TableJoinNode<L, R, O> extends Stream<O> implements Checkpointable {
  override kind = 'joinLookup';
  readonly namespace: string;
  private readonly right: Stream<any>;
  private readonly keyOf: (x: L) => unknown;
  private readonly how: 'inner' | 'left';
  private readonly combine: (l: L, r: R | undefined) => O;
  private readonly tables = new Map<number, Map<string, R>>();
  private readonly changed = new Map<number, Set<string>>();

  constructor(left: Stream<L>, right: Stream<any>, rightTopic: string, options: JoinLookupOptions<L, R, O>) {
    const how = options.how ?? 'inner';
    if (how !== 'inner' && how !== 'left') badArgument('joinLookup', 'how', how, "'inner' or 'left'");
    const on = options.on;
    if (on !== undefined && typeof on !== 'function' && (typeof on !== 'string' || on === '')) {
      badArgument('joinLookup', 'on', on, "a field of the left record's value or a function of the left element");
    }
    if (options.merge !== undefined && typeof options.merge !== 'function') {
      badArgument('joinLookup', 'merge', options.merge, 'a function (left, right) => output');
    }
    const namespace = namespaceOption('joinLookup', options.namespace, `lookup-${rightTopic}`);
    super({ clock: left.clock });
    this.namespace = namespace;
    this.how = how;
    this.keyOf =
      typeof on === 'function'
        ? on
        : on === undefined
          ? (x: L) => (x as KafkaRecord).key
          : (x: L) => {
              const v = isKafkaRecord(x) ? (x as KafkaRecord).value : x;
              return v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[on] : undefined;
            };
    this.combine =
      options.merge ??
      ((l: any, r: any) =>
        (isKafkaRecord(l) ? { ...l, value: { ...r, ...(l.value as object) } } : { ...r, ...l }) as O);
    this.right = right;
    left.connect(this);
    right.connect(this);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const partition = partitionOf(metadata);
    let table = this.tables.get(partition);
    if (who === this.right) {
      const r = x as KafkaRecord<unknown, R>;
      const k = tableKey(r.key);
      if (table === undefined) this.tables.set(partition, (table = new Map()));
      // A tombstone (null value) deletes the key, as in a compacted topic.
      if (r.value === null || r.value === undefined) table.delete(k);
      else table.set(k, r.value);
      let changed = this.changed.get(partition);
      if (changed === undefined) this.changed.set(partition, (changed = new Set()));
      changed.add(k);
      return undefined;
    }
    const found = table?.get(tableKey(this.keyOf(x as L)));
    if (found === undefined && this.how === 'inner') return undefined;
    return this.pass(this.combine(x as L, found), metadata);
  }

  /** Writes the keys changed since the last checkpoint (deleted ones as deletes). */
  checkpoint(writer: CheckpointWriter): void {
    for (const [partition, keys] of this.changed) {
      const table = this.tables.get(partition);
      for (const k of keys) {
        const v = table?.get(k);
        if (v === undefined) writer.delete(this.namespace, partition, k);
        else writer.set(this.namespace, partition, k, v);
      }
    }
    this.changed.clear();
  }

  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    const table = new Map<string, R>();
    for (const [k, v] of reader.entries(this.namespace, partition)) table.set(k, v as R);
    this.tables.set(partition, table);
  }

  dropPartition(partition: number): void {
    this.tables.delete(partition);
    this.changed.delete(partition);
  }
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Enriches each record of this application stream with the latest value of its key in another topic, kept as
     * a table (Quix Streams' `join_lookup`, with a topic as the lookup). The right topic is read by the application
     * into one table per partition, checkpointed with a changelog and restored like other state; a left record of
     * partition p looks up the table of partition p, so both topics must be co-partitioned (same partition count,
     * keyed alike): `run` refuses them otherwise (`TS_APP_COPARTITION`). A right record with a null value deletes
     * its key. A left record sees the right records read before it; before a table partition is restored, left
     * records of that partition wait.
     * @example
     * app.stream(readings)
     *   .joinLookup(app.stream(sensors), { on: 'sensor', how: 'left' })
     *   .toTopic(enriched);
     */
    joinLookup<R = unknown, O = T>(other: Stream<KafkaRecord<any, R>>, options?: JoinLookupOptions<T, R, O>): Stream<O>;
  }
}

Stream.register(
  'joinLookup',
  function joinLookup(this: Stream<any>, other: Stream<any>, options: JoinLookupOptions<any, any, any> = {}) {
    const app = applicationOfStream(this, 'joinLookup');
    if (!(other instanceof Stream) || applicationOfStream(other, 'joinLookup') !== app) {
      badArgument('joinLookup', 'other', other, 'a stream of a topic of the same application (app.stream(topic))');
    }
    const rights = app.inputsAbove(other);
    if (rights.length !== 1) {
      badArgument('joinLookup', 'other', rights, 'the stream of one topic (the table), not a concat of several');
    }
    const lefts = app.inputsAbove(this);
    if (lefts.includes(rights[0]!)) badArgument('joinLookup', 'other', rights[0], 'another topic than the left one');
    const node = new TableJoinNode(this, other, rights[0]!, options ?? {});
    app.addJoin(node, { op: 'joinLookup', state: rights[0]!, partners: lefts, flow: 'partners' });
    return node;
  },
);
