import { join } from 'node:path';
import type { Consumer } from '@platformatic/kafka';
import { clientOptions, type KafkaConnection } from '../connectors/kafka/connection.ts';
import type { OutgoingMessage } from '../connectors/kafka/producer.ts';
import type { Stream } from '../core/stream.ts';
import { TwinstreamError } from '../errors.ts';
import { LmdbStateStore } from '../state/lmdb-store.ts';
import { MemoryStateStore } from '../state/memory-store.ts';
import type { StateStore, Transaction } from '../state/state-store.ts';
import { WindowNode } from '../window/window-node.ts';
import type { WindowStoreWriter } from '../window/window-store.ts';

/** The namespace under which each partition's store keeps the input offset its state covers. */
export const OFFSETS_NAMESPACE = 'offsets';
const COVERED = 'covered';

/** A window of an application and the input topic its records come from. */
export interface AppWindow {
  node: WindowNode<any, any>;
  topic: string;
}

/** The window nodes downstream of `start` (not past another window: its output is not keyed by input partition). */
export function windowsBelow(start: Stream<any>): WindowNode<any, any>[] {
  const out: WindowNode<any, any>[] = [];
  const seen = new Set<Stream<any>>();
  const stack = [...start.downstreams];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    if (s instanceof WindowNode) {
      out.push(s);
      continue;
    }
    stack.push(...s.downstreams);
  }
  return out;
}

/** The changelog topic of a namespace. */
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
  private readonly windows: AppWindow[];
  private readonly group: string;
  private readonly stateDir: string | undefined;
  private readonly connection: KafkaConnection;
  /** Counters: entries restored from changelogs, changelog records written. */
  readonly counters = { restored: 0, changelogged: 0 };

  constructor(windows: AppWindow[], group: string, connection: KafkaConnection, stateDir?: string) {
    const names = new Set<string>();
    for (const w of windows) {
      if (names.has(w.node.namespace) || w.node.namespace === OFFSETS_NAMESPACE) {
        throw new TwinstreamError(
          'TS_APP_STATE',
          `Application: two windows share the state namespace "${w.node.namespace}"; give each its own \`namespace\``,
        );
      }
      names.add(w.node.namespace);
    }
    this.windows = windows;
    this.group = group;
    this.connection = connection;
    this.stateDir = stateDir;
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

  /**
   * A partition was assigned: opens its store, rebuilds it from the changelogs (from the beginning to the end
   * offsets read now), loads its windows, and resolves with the input offset the state covers (-1 for none).
   */
  async restore(topic: string, partition: number): Promise<number> {
    const windows = this.windows.filter((w) => w.topic === topic);
    if (windows.length === 0) return -1;
    const key = `${topic}:${partition}`;
    const old = this.stores.get(key);
    if (old) await old.close();
    let store: StateStore;
    if (this.stateDir !== undefined) {
      const { rm } = await import('node:fs/promises');
      const path = join(this.stateDir, this.group, `${topic}-${partition}`);
      // The changelog is the truth: the local copy is rebuilt from it (a stale one could be ahead or behind).
      await rm(path, { recursive: true, force: true });
      store = await LmdbStateStore.open({ path });
    } else store = new MemoryStateStore();
    this.stores.set(key, store);
    const topics = [...windows.map((w) => w.node.namespace), `${OFFSETS_NAMESPACE}-${topic}`];
    const names = new Map(
      topics.map((ns) => [changelogTopic(this.group, ns), ns === topics.at(-1) ? OFFSETS_NAMESPACE : ns]),
    );
    await readChangelogs(this.connection, [...names.keys()], partition, (cl, k, v) => {
      const ns = names.get(cl)!;
      if (v === null) store.delete(ns, partition, k);
      else store.set(ns, partition, k, JSON.parse(v.toString('utf8')));
      this.counters.restored++;
    });
    for (const w of windows) w.node.restorePartition(store, partition);
    const covered = store.get(OFFSETS_NAMESPACE, partition, COVERED);
    return typeof covered === 'number' ? covered : -1;
  }

  /**
   * At a commit: writes the windows' changed state and the input offsets it covers into one transaction per
   * partition store, and returns those transactions (committed by the caller after the changelog records are
   * written) with the changelog records.
   */
  checkpoint(handled: ReadonlyMap<string, number>): { records: OutgoingMessage[]; commit: () => void } {
    const txs = new Map<string, Transaction>();
    const records: OutgoingMessage[] = [];
    const txOf = (topic: string, partition: number): Transaction | null => {
      const key = `${topic}:${partition}`;
      let tx = txs.get(key);
      if (!tx) {
        const store = this.stores.get(key);
        if (!store) return null;
        tx = store.begin();
        txs.set(key, tx);
      }
      return tx;
    };
    for (const w of this.windows) {
      const topic = changelogTopic(this.group, w.node.namespace);
      const writer: WindowStoreWriter = {
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
      w.node.persist(writer);
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
    return {
      records,
      commit: () => {
        for (const tx of txs.values()) tx.commit();
      },
    };
  }

  /**
   * A partition was revoked: its windows are dropped from this process and its store closed (its new owner
   * restores it from the changelog).
   */
  revoke(topic: string, partition: number): void {
    const none = { partitions: () => [], entries: () => [] };
    for (const w of this.windows) if (w.topic === topic) w.node.restorePartition(none, partition);
    const key = `${topic}:${partition}`;
    const store = this.stores.get(key);
    this.stores.delete(key);
    void store?.close().catch(() => {});
  }

  async close(): Promise<void> {
    for (const s of this.stores.values()) await s.close().catch(() => {});
    this.stores.clear();
  }
}

/**
 * Reads one partition of each changelog from its beginning to its end offset (read now, committed records only),
 * handing each record (last write wins) to `fn`.
 */
async function readChangelogs(
  connection: KafkaConnection,
  topics: string[],
  partition: number,
  fn: (topic: string, key: string, value: Buffer | null) => void,
): Promise<void> {
  const kafka = await import('@platformatic/kafka');
  const consumer: Consumer = new kafka.Consumer({
    ...clientOptions(connection, 'Application', 'consumer'),
    groupId: `twinstream-restore-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    autocommit: false,
    maxWaitTime: 100,
    isolationLevel: 1,
  } as any);
  try {
    const ends = await consumer.listOffsets({ topics, isolationLevel: 1 } as any);
    const wanted = new Map<string, bigint>();
    for (const t of topics) {
      const end = ends.get(t)?.[partition] ?? 0n;
      if (end > 0n) wanted.set(t, end);
    }
    if (wanted.size === 0) return;
    const stream = await consumer.consume({
      topics: [...wanted.keys()],
      mode: 'manual',
      offsets: [...wanted.keys()].map((topic) => ({ topic, partition, offset: 0n })),
      autocommit: false,
    } as any);
    const left = new Set(wanted.keys());
    await new Promise<void>((resolve, reject) => {
      // Transaction markers take offsets too: the last record may sit before the end offset. A quiet second
      // after the last record read ends the restore of what is there.
      let quiet = setTimeout(resolve, 3000);
      stream.on('data', (m: any) => {
        if (m.partition !== partition || !left.has(m.topic)) return;
        fn(m.topic, (m.key as Buffer).toString('utf8'), m.value && m.value.length > 0 ? (m.value as Buffer) : null);
        if (BigInt(m.offset) + 1n >= wanted.get(m.topic)!) left.delete(m.topic);
        clearTimeout(quiet);
        if (left.size === 0) resolve();
        else quiet = setTimeout(resolve, 1000);
      });
      stream.on('error', reject);
    });
    await stream.close().catch(() => {});
  } finally {
    await consumer.close(true).catch(() => {});
  }
}
