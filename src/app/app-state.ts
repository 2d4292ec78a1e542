import { join } from 'node:path';
import type { KafkaConnection } from '../connectors/kafka/connection.ts';
import { type Checkpointable, type CheckpointWriter, isCheckpointable, keepsInputOf } from '../core/checkpointable.ts';
import { nodesBelow } from '../core/graph.ts';
import type { Stream } from '../core/stream.ts';
import { TwinstreamError } from '../errors.ts';
import { LmdbStateStore } from '../state/lmdb-store.ts';
import { MemoryStateStore } from '../state/memory-store.ts';
import type { StateStore, Transaction } from '../state/state-store.ts';
import { type Clock, realClock } from '../time/clock.ts';
import { type ChangelogRecord, type ChangelogSpan, readChangelogs } from './changelog.ts';

/** @internal The namespace under which each partition's store keeps the input offset its state covers. */
export const OFFSETS_NAMESPACE = 'offsets';
const COVERED = 'covered';
/** Kafka's default `delete.retention.ms`: how long a compacted topic keeps a tombstone at least. */
const DEFAULT_DELETE_RETENTION = 86_400_000;

/** A node of an application whose state is checkpointed, and the input topic its records come from. */
export interface AppStateNode {
  node: Checkpointable & Stream<any>;
  topic: string;
}

/**
 * @internal A join of two input topics (`joinLookup`, `joinAsof` across topics): the topic whose partitions hold its
 * state (`state`), the other topics it reads (`partners`), and which side its outputs come from (`flow`: the state
 * topic's records, as `joinAsof`'s left ones, or the partners', as `joinLookup`'s left records).
 * @example
 * const lookup: TopicJoin = { op: 'joinLookup', state: 'sensors', partners: ['readings'], flow: 'partners' };
 */
export interface TopicJoin {
  op: string;
  state: string;
  partners: string[];
  flow: 'state' | 'partners';
}

/** @deprecated The name of {@link AppStateNode} when only windows had state. */
export type AppWindow = AppStateNode;

/**
 * @internal The nodes downstream of each input that keep state or records from one element to the next: the
 * {@link Checkpointable} ones, found by that contract, each with the first input above it; and those that keep
 * elements without it (refused by an application with state).
 */
export function stateNodesBelow(
  inputs: ReadonlyMap<string, Stream<any>>,
  joins: ReadonlyMap<Stream<any>, TopicJoin> = new Map(),
): {
  checkpointable: AppStateNode[];
  unsafe: { node: Stream<any>; keeps: string }[];
} {
  const checkpointable: AppStateNode[] = [];
  const unsafe: { node: Stream<any>; keeps: string }[] = [];
  const seen = new Set<Stream<any>>();
  for (const [topic, start] of inputs) {
    const stack = [...nodesBelow(start)];
    while (stack.length > 0) {
      const s = stack.pop()!;
      const join = joins.get(s);
      if (join !== undefined) {
        // A topic join is state of one topic only, and what is below it is below the side its outputs come from.
        const fromState = join.state === topic;
        if (fromState && !seen.has(s) && isCheckpointable(s)) {
          checkpointable.push({ node: s as Checkpointable & Stream<any>, topic });
        }
        if (fromState) seen.add(s);
        if (fromState === (join.flow === 'state')) stack.push(...nodesBelow(s));
        continue;
      }
      if (seen.has(s)) continue;
      seen.add(s);
      if (isCheckpointable(s)) checkpointable.push({ node: s as Checkpointable & Stream<any>, topic });
      else {
        const keeps = keepsInputOf(s);
        if (keeps !== null) unsafe.push({ node: s, keeps });
      }
      stack.push(...nodesBelow(s));
    }
  }
  return { checkpointable, unsafe };
}

/**
 * @internal Refuses a graph with state in which a node keeps records or state it cannot checkpoint: after a
 * restore the records it held would be skipped (their offsets covered by the others' state), or it would start
 * from nothing while the rest resumes.
 */
export function refuseUnsafe(unsafe: readonly { node: Stream<any>; keeps: string }[]): void {
  if (unsafe.length === 0) return;
  const { node, keeps } = unsafe[0]!;
  const name = node.name ? `"${node.name}" (${node.kind})` : `"${node.kind}"`;
  throw new TwinstreamError(
    'TS_APP_NOT_CHECKPOINTABLE',
    `Application: node ${name} keeps ${keeps} between records but cannot put them into the state checkpoint; ` +
      'a restore would lose them while the windows and other state resume. Replace it with a checkpointable ' +
      'node (windows, frame windows, accumulate, rolling, partition, slidingWindow, zip, combineLatest, mergeSorted, ' +
      'the joins, toFrames, stateful apply), or run without state (changelog: false, at-least-once only)',
    { context: { node: node.name ?? node.kind, keeps } },
  );
}

/**
 * @internal Refuses an exactly-once application without a changelog whose graph keeps state or records: its state
 * would not commit with the outputs and the offsets. A rebalance that rewinds a partition this process keeps, or a
 * restart, reads records again into nodes that already hold some of them (counted twice), and windows closed and
 * committed while an older record was still held open again and come out twice.
 */
export function refuseStateWithoutChangelog(
  inputs: ReadonlyMap<string, Stream<any>>,
  joins: ReadonlyMap<Stream<any>, TopicJoin> = new Map(),
): void {
  const { checkpointable, unsafe } = stateNodesBelow(inputs, joins);
  const node = checkpointable[0]?.node ?? unsafe[0]?.node;
  if (node === undefined) return;
  const name = node.name ? `"${node.name}" (${node.kind})` : `"${node.kind}"`;
  throw new TwinstreamError(
    'TS_APP_NO_CHANGELOG',
    `Application: exactly-once with changelog: false cannot keep node ${name} exact: its state would not commit ` +
      'with the outputs and the offsets, so a rebalance or a restart reads records again into it (counted twice) ' +
      "or emits its results twice. Remove changelog: false (its state then commits in each transaction), or use processingGuarantee: 'at-least-once'",
    { context: { node: node.name ?? node.kind } },
  );
}

/**
 * @internal Refuses a state node reached from two inputs (a `concat`): its state is kept per partition of one
 * input topic, so the partitions of two topics would mix in it.
 */
export function refuseMergedState(
  inputs: ReadonlyMap<string, Stream<any>>,
  joins: ReadonlyMap<Stream<any>, TopicJoin> = new Map(),
): void {
  const reachedFrom = new Map<Stream<any>, string>();
  for (const [topic, start] of inputs) {
    for (const { node } of stateNodesBelow(new Map([[topic, start]]), joins).checkpointable) {
      const other = reachedFrom.get(node);
      if (other !== undefined) {
        const name = node.name ?? node.kind;
        throw new TwinstreamError(
          'TS_APP_STATE',
          `Application: the state node "${name}" is below both "${other}" and "${topic}" (a concat): its state is kept per partition of one input topic; re-key the merged stream first with .groupBy(...)`,
        );
      }
      reachedFrom.set(node, topic);
    }
  }
}

/** @internal The changelog topic of a namespace. */
export function changelogTopic(group: string, namespace: string): string {
  return `${group}-changelog-${namespace}`;
}

/**
 * The state of an application: one store per assigned input partition (lmdb under
 * `stateDir/<group>/<topic>-<partition>`, else memory), windows persisted into the store of their record's
 * partition at each commit, every committed write mirrored to a compacted changelog topic, and a partition's
 * store and windows rebuilt from the changelog when it is assigned, before its first record is processed.
 */
export class AppState {
  private readonly stores = new Map<string, StateStore>();
  /** The partitions (`topic:partition`) whose restore finished: only their stores take checkpoints. */
  private readonly ready = new Set<string>();
  private readonly windows: AppStateNode[];
  private readonly group: string;
  private readonly stateDir: string | undefined;
  private readonly connection: KafkaConnection;
  private readonly closing = new AbortController();
  private readonly restoring = new Set<Promise<number>>();
  /** Restores under way or done, per `topic:partition` (until revoked): a partition is restored once. */
  private readonly restores = new Map<string, Promise<number>>();
  /** Per input topic, the topics whose state its records join (topic joins): their restore comes first. */
  private readonly lookups: ReadonlyMap<string, readonly string[]>;
  /** Counters: entries restored from changelogs, changelog records written. */
  readonly counters = { restored: 0, changelogged: 0 };
  private readonly clock: Clock;
  /** Per changelog topic, its `delete.retention.ms` (see `setRetention`). */
  private retention: ReadonlyMap<string, number> = new Map();

  constructor(
    windows: AppStateNode[],
    group: string,
    connection: KafkaConnection,
    stateDir?: string,
    lookups: ReadonlyMap<string, readonly string[]> = new Map(),
    clock: Clock = realClock,
  ) {
    const names = new Set<string>();
    for (const w of windows) {
      if (names.has(w.node.namespace) || w.node.namespace === OFFSETS_NAMESPACE) {
        throw new TwinstreamError(
          'TS_APP_STATE',
          `Application: two stateful nodes share the state namespace "${w.node.namespace}"; give each its own \`namespace\``,
        );
      }
      names.add(w.node.namespace);
    }
    this.windows = windows;
    this.group = group;
    this.connection = connection;
    this.stateDir = stateDir;
    this.lookups = lookups;
    this.clock = clock;
  }

  /**
   * The changelogs' `delete.retention.ms` (Kafka's default, a day, for those not given): how long a local copy may
   * lag and still catch up from its checkpoint (see `restore`).
   */
  setRetention(retention: ReadonlyMap<string, number>): void {
    this.retention = retention;
  }

  /** The changelog topics (one per window namespace, plus the covered offsets). */
  changelogs(): { topic: string; input: string }[] {
    const out = this.windows.map((w) => ({ topic: changelogTopic(this.group, w.node.namespace), input: w.topic }));
    for (const input of new Set(this.windows.map((w) => w.topic))) {
      out.push({ topic: changelogTopic(this.group, `${OFFSETS_NAMESPACE}-${input}`), input });
    }
    return out;
  }

  private offsetsTopic(input: string): string {
    return changelogTopic(this.group, `${OFFSETS_NAMESPACE}-${input}`);
  }

  /** The store key under which a partition's store keeps how far it holds changelog `topic` (the next offset). */
  static checkpointKey(topic: string): string {
    return `changelog ${topic}`;
  }

  /**
   * The store key of when (the application's clock) that checkpoint was taken: every record past it in the changelog
   * was written later.
   */
  static checkpointTimeKey(topic: string): string {
    return `changelog-at ${topic}`;
  }

  /**
   * A partition was assigned: opens its store (the local lmdb copy if there is one), brings it up to date from the
   * changelogs, loads its windows, and resolves with the input offset the state covers (-1 for none). The store
   * gets what was read and the new checkpoints in one transaction. A copy catches up from the changelog offsets
   * checkpointed with it when they fit; it is rebuilt from the beginning when it has none (a new copy), when they
   * are past the changelog's end or before its start (another topic by that name, or records gone by retention),
   * or when it lags behind a checkpoint older than half the changelog's `delete.retention.ms`: compaction may have
   * removed a tombstone written since (the key deleted would stay in the copy).
   */
  restore(topic: string, partition: number): Promise<number> {
    if (this.closing.signal.aborted) {
      return Promise.reject(new TwinstreamError('TS_APP_STATE', 'Application: the state is closed'));
    }
    const key = `${topic}:${partition}`;
    const known = this.restores.get(key);
    if (known !== undefined) return known;
    const p = this.restoreAfterTables(topic, partition);
    this.restores.set(key, p);
    this.restoring.add(p);
    const done = () => this.restoring.delete(p);
    p.then(done, done);
    return p;
  }

  /** True while a partition is being restored. */
  get busy(): boolean {
    return this.restoring.size > 0;
  }

  /**
   * The records of a partition that join another topic's state wait for the same partition of that topic to be
   * restored (co-partitioned topics: this instance holds it too), or they would miss what it held, or be dropped
   * by its restore.
   */
  private async restoreAfterTables(topic: string, partition: number): Promise<number> {
    const tables = this.lookups.get(topic);
    if (tables !== undefined) await Promise.all(tables.map((t) => this.restore(t, partition)));
    return this.restoreNow(topic, partition);
  }

  private async restoreNow(topic: string, partition: number): Promise<number> {
    const windows = this.windows.filter((w) => w.topic === topic);
    if (windows.length === 0) return -1;
    const key = `${topic}:${partition}`;
    let store = this.stores.get(key);
    if (!store) {
      store =
        this.stateDir === undefined
          ? new MemoryStateStore()
          : await LmdbStateStore.open({ path: join(this.stateDir, this.group, `${topic}-${partition}`) });
      this.stores.set(key, store);
    }
    const namespaces = new Map(windows.map((w) => [changelogTopic(this.group, w.node.namespace), w.node.namespace]));
    namespaces.set(this.offsetsTopic(topic), OFFSETS_NAMESPACE);
    const s = store;
    // Before the changelogs' ends are listed: what is past them was written later.
    const at = this.clock.now();
    let rebuild = false;
    const reads: [string, string, unknown][] = [];
    const ends = await readChangelogs(
      this.connection,
      [...namespaces.keys()],
      partition,
      (bounds) => {
        const from = new Map<string, bigint>();
        for (const [cl, b] of bounds) {
          const held = s.get(OFFSETS_NAMESPACE, partition, AppState.checkpointKey(cl));
          const since = s.get(OFFSETS_NAMESPACE, partition, AppState.checkpointTimeKey(cl));
          const retention = this.retention.get(cl) ?? DEFAULT_DELETE_RETENTION;
          if (typeof held !== 'number' || BigInt(held) > b.end || BigInt(held) < b.earliest) rebuild = true;
          else if (BigInt(held) < b.end && (typeof since !== 'number' || at - since >= retention / 2)) rebuild = true;
          else from.set(cl, BigInt(held));
        }
        return rebuild ? new Map() : from;
      },
      (cl, k, v) => {
        reads.push([namespaces.get(cl)!, k, v === null ? undefined : JSON.parse(v.toString('utf8'))]);
        this.counters.restored++;
      },
      this.closing.signal,
    );
    const tx = store.begin();
    if (rebuild) {
      // Not a copy of this changelog (none, or one the changelog does not continue): rebuilt from the beginning.
      for (const ns of namespaces.values()) for (const [k] of tx.entries(ns, partition)) tx.delete(ns, partition, k);
    }
    for (const [ns, k, v] of reads) {
      if (v === undefined) tx.delete(ns, partition, k);
      else tx.set(ns, partition, k, v);
    }
    for (const [cl, end] of ends) {
      tx.set(OFFSETS_NAMESPACE, partition, AppState.checkpointKey(cl), Number(end));
      tx.set(OFFSETS_NAMESPACE, partition, AppState.checkpointTimeKey(cl), at);
    }
    tx.commit();
    for (const w of windows) w.node.restorePartition(store, partition);
    this.ready.add(key);
    const covered = store.get(OFFSETS_NAMESPACE, partition, COVERED);
    return typeof covered === 'number' ? covered : -1;
  }

  /**
   * At a commit: writes the windows' changed state and the input offsets it covers into one transaction per
   * partition store, and returns the changelog records with what commits those transactions once the records are
   * written: `commit(next, contiguous)` with where `writeChangelog` put them, checkpointed in the same transactions.
   * With `contiguous` (no transactions: another process may have written to the changelog meanwhile), a copy's
   * checkpoint moves only when the records went right after it: otherwise the copy lacks what was written in
   * between, and a restore reads again from where it stands, putting the writes back in the changelog's order.
   */
  checkpoint(handled: ReadonlyMap<string, number>): {
    records: ChangelogRecord[];
    commit: (next: ReadonlyMap<string, ChangelogSpan>, contiguous: boolean) => void;
  } {
    const at = this.clock.now();
    const txs = new Map<string, Transaction>();
    const records: ChangelogRecord[] = [];
    const txOf = (topic: string, partition: number): Transaction | null => {
      const key = `${topic}:${partition}`;
      let tx = txs.get(key);
      if (!tx) {
        // A store still being restored takes no checkpoint: its nodes hold nothing of it yet (a start state at most).
        if (!this.ready.has(key)) return null;
        const store = this.stores.get(key);
        if (!store) return null;
        tx = store.begin();
        txs.set(key, tx);
      }
      return tx;
    };
    for (const w of this.windows) {
      const topic = changelogTopic(this.group, w.node.namespace);
      const writer: CheckpointWriter = {
        // A partition without a store is not assigned here (any more): its writes go nowhere.
        set: (namespace, partition, key, value, options) => {
          const tx = txOf(w.topic, partition);
          if (!tx) return;
          tx.set(namespace, partition, key, value, options);
          records.push({ topic, partition, key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) });
        },
        delete: (namespace, partition, key) => {
          const tx = txOf(w.topic, partition);
          if (!tx) return;
          tx.delete(namespace, partition, key);
          records.push({ topic, partition, key: Buffer.from(key), value: null });
        },
      };
      w.node.checkpoint(writer);
    }
    for (const [key, offset] of handled) {
      const i = key.lastIndexOf(':');
      const topic = key.slice(0, i);
      const partition = Number(key.slice(i + 1));
      const tx = txOf(topic, partition);
      if (!tx) continue;
      if (tx.get(OFFSETS_NAMESPACE, partition, COVERED) === offset) continue;
      tx.set(OFFSETS_NAMESPACE, partition, COVERED, offset);
      records.push({
        topic: this.offsetsTopic(topic),
        partition,
        key: Buffer.from(COVERED),
        value: Buffer.from(JSON.stringify(offset)),
      });
    }
    this.counters.changelogged += records.length;
    const inputOf = new Map(this.changelogs().map((c) => [c.topic, c.input]));
    return {
      records,
      commit: (next, contiguous) => {
        for (const [key, span] of next) {
          const i = key.lastIndexOf(':');
          const cl = key.slice(0, i);
          const partition = Number(key.slice(i + 1));
          const tx = txs.get(`${inputOf.get(cl)}:${partition}`);
          if (tx === undefined) continue;
          const ck = AppState.checkpointKey(cl);
          if (contiguous && tx.get(OFFSETS_NAMESPACE, partition, ck) !== span.first) continue;
          tx.set(OFFSETS_NAMESPACE, partition, ck, span.next);
          tx.set(OFFSETS_NAMESPACE, partition, AppState.checkpointTimeKey(cl), at);
        }
        for (const tx of txs.values()) tx.commit();
      },
    };
  }

  /**
   * A partition was revoked: its windows are dropped from this process and its store closed (its new owner
   * restores it from the changelog).
   */
  revoke(topic: string, partition: number): void {
    for (const w of this.windows) if (w.topic === topic) w.node.dropPartition(partition);
    const key = `${topic}:${partition}`;
    this.restores.delete(key);
    const store = this.stores.get(key);
    this.stores.delete(key);
    this.ready.delete(key);
    void store?.close().catch(() => {});
  }

  /** Stops restores under way (they reject, writing nothing) and closes the stores. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.restoring]);
    for (const s of this.stores.values()) await s.close().catch(() => {});
    this.stores.clear();
  }
}
