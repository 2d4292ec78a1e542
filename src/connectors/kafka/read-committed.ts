// Reading committed records only. A read_committed fetch returns the records of aborted transactions too, with a
// list of those transactions (producer id, first offset): the client must drop them, from each listed first
// offset up to that producer's abort marker. @platformatic/kafka 2.12's own filter gets this wrong both ways:
// - it keeps one range per producer id, so it delivers, as if committed, the records of all but the last aborted
//   transaction of a producer in a response (a restarted exactly-once processor aborts one transaction per crash
//   under one producer id; measured: 1000 of 2000 aborted records read);
// - it ends that range at the producer's last abort marker in the response, so the committed transactions between
//   an aborted one and a later abort marker are dropped. A killed exactly-once processor leaves such a marker when
//   its successor fences it: 11,000 of 100,000 committed outputs were lost to every reader in the fault tests, and
//   changelog restores lost state the same way.
// Its filter runs on every read_committed fetch and cannot be turned off. So a twinstream consumer tells the
// client it reads uncommitted (its filter stays off) and asks the broker for read_committed itself, in the Fetch
// and ListOffsets requests (the broker then returns records up to the last stable offset only, and lists the
// aborted transactions); the filter below is the only one.
import type { Consumer } from '@platformatic/kafka';
import { TwinstreamError } from '../../errors.ts';
import { findSymbol } from './fast-produce.ts';
import { failOnRefusedAuthentication } from './final-auth-failure.ts';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;

interface Batch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  producerId: bigint;
  attributes: number;
  records: { key?: Buffer | null }[];
}

interface FetchPartition {
  abortedTransactions?: { producerId: bigint; firstOffset: bigint }[] | null;
  records?: Batch[] | null;
}

interface FetchResponse {
  responses?: { partitions?: FetchPartition[] }[];
}

/** @internal Drops, in place, every batch of an aborted transaction from a fetch response (control batches stay). */
export function dropAbortedBatches(response: FetchResponse): number {
  let dropped = 0;
  for (const topic of response?.responses ?? []) {
    for (const partition of topic.partitions ?? []) {
      const aborted = partition.abortedTransactions;
      const batches = partition.records;
      if (!aborted?.length || !batches?.length) continue;
      const pending = [...aborted].sort((a, b) =>
        a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
      );
      const abortedNow = new Set<bigint>();
      const kept: Batch[] = [];
      for (const batch of batches) {
        const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
        while (pending.length > 0 && pending[0]!.firstOffset <= last) abortedNow.add(pending.shift()!.producerId);
        if (batch.attributes & CONTROL) {
          // An abort marker (control type 0) ends its producer's aborted transaction.
          if (batch.records[0]?.key?.readInt16BE(2) === 0) abortedNow.delete(batch.producerId);
          kept.push(batch);
        } else if (batch.attributes & TRANSACTIONAL && abortedNow.has(batch.producerId)) dropped++;
        else kept.push(batch);
      }
      if (kept.length === batches.length) continue;
      // The client moves its position to the end of a response's last batch: a dropped last batch stays as a
      // record-less control batch, or a response of aborted records only would be fetched again forever.
      const last = batches[batches.length - 1]!;
      if (kept[kept.length - 1] !== last) kept.push({ ...last, attributes: last.attributes | CONTROL, records: [] });
      partition.records = kept;
    }
  }
  return dropped;
}

type Kafka = typeof import('@platformatic/kafka');
type Api = (...args: any[]) => unknown;

/**
 * The arguments of the client's request builders set for a read_committed consumer: the isolation level of Fetch
 * (connection, maxWait, minBytes, maxBytes, isolation, ...) and ListOffsets (connection, replicaId, isolation, ...),
 * and `requireStable` of OffsetFetch (connection, groups, requireStable, ...): the group's committed offsets are
 * read once no transaction that commits offsets of those partitions is pending (the broker answers "unstable",
 * which the client retries), as a Kafka consumer reading committed records asks (KIP-447). Without it, a member
 * given a partition in a rebalance could read the offsets from before the last transaction of its previous owner,
 * whose markers were still being written, and process those records a second time.
 */
const COMMITTED_ARGS: Record<string, [number, unknown]> = {
  Fetch: [4, 1],
  ListOffsets: [2, 1],
  OffsetFetch: [2, true],
};

/**
 * A consumer of @platformatic/kafka that reads committed records only, with twinstream's filter alone (see the top
 * of this file). `options` are the client's consumer options; their isolation level is ignored.
 *
 * @example
 * const consumer = readCommittedConsumer(await import('@platformatic/kafka'), { bootstrapBrokers, groupId });
 * @internal
 */
export function readCommittedConsumer(kafka: Kafka, options: Record<string, unknown>): Consumer {
  const consumer = new kafka.Consumer({ ...options, isolationLevel: 0 } as any);
  const getApi = findSymbol(consumer, 'plt.kafka.base.getApi');
  if (getApi === undefined) {
    // Another client version: reading uncommitted records where committed ones were asked for would be silent.
    throw new TwinstreamError(
      'TS_KAFKA_CONSUME',
      'read_committed: this version of @platformatic/kafka has no API lookup to ask the broker for committed records; use the version in package.json',
    );
  }
  const original = (consumer as any)[getApi] as (name: string, callback: (error: unknown, api?: Api) => void) => void;
  const wrapped = new WeakMap<Api, Api>();
  (consumer as any)[getApi] = function getApiCommitted(
    this: unknown,
    name: string,
    callback: (e: unknown, api?: Api) => void,
  ) {
    const set = COMMITTED_ARGS[name];
    if (set === undefined) return original.call(this, name, callback);
    const [at, value] = set;
    original.call(this, name, (error, api) => {
      if (error || api === undefined) return callback(error, api);
      let w = wrapped.get(api);
      if (w === undefined) {
        w = (...args: unknown[]) => {
          args[at] = value;
          return api(...args);
        };
        // The client reads the API's own fields (`version`: OffsetFetch's response is read by it).
        Object.assign(w, api);
        wrapped.set(api, w);
      }
      callback(null, w);
    });
  };
  dropAbortedOnFetch(consumer);
  return consumer;
}

/**
 * A consumer of the client: reading committed records only ({@link readCommittedConsumer}), or all; a refused
 * authentication fails its operations at once.
 * @internal
 */
export function newConsumer(kafka: Kafka, options: Record<string, unknown>, readCommitted: boolean): Consumer {
  const consumer = readCommitted ? readCommittedConsumer(kafka, options) : new kafka.Consumer(options as any);
  failOnRefusedAuthentication(kafka, consumer);
  return consumer;
}

/**
 * Makes a consumer drop aborted transactions from every fetch (its message streams fetch through it). Part of
 * {@link readCommittedConsumer}; alone, on a consumer the client filters too, it cannot undo the client's drops.
 * @internal
 */
export function dropAbortedOnFetch(consumer: Consumer): void {
  const fetch = consumer.fetch.bind(consumer) as (options: unknown, callback?: unknown) => unknown;
  (consumer as unknown as { fetch: unknown }).fetch = (options: unknown, callback?: unknown) => {
    if (typeof callback !== 'function') {
      return (fetch(options) as Promise<FetchResponse>).then((response) => {
        dropAbortedBatches(response);
        return response;
      });
    }
    return fetch(options, (error: unknown, response: FetchResponse) => {
      if (!error && response) dropAbortedBatches(response);
      callback(error, response);
    });
  };
}
