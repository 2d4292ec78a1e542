import { portOf } from '../connectors/kafka/broker-port.ts';
import {
  clientOptions,
  type KafkaConnection,
  kafkaError,
  timeoutOf,
  withTimeout,
} from '../connectors/kafka/connection.ts';
import type { PortConsumer, PortMessages } from '../connectors/kafka/kafka-port.ts';
import type { KafkaProducer, KafkaTransaction } from '../connectors/kafka/producer.ts';
import { TwinstreamError } from '../errors.ts';

/** One write of a state store mirrored to its changelog: a JSON value, or null for a deleted key. */
export interface ChangelogRecord {
  topic: string;
  partition: number;
  key: Buffer;
  value: Buffer | null;
}

/**
 * Where one write put a partition's records in its changelog: from `first` (-1 when the client split them over
 * several batches: not known) to just before `next`.
 */
export interface ChangelogSpan {
  first: number;
  next: number;
}

/**
 * Writes changelog records (acknowledged by all replicas, or inside `tx`) and resolves with, per `topic:partition`
 * written, where its records went: a store that applied them and held the changelog up to `first` holds it up to
 * `next`. A partition whose offset the broker did not report is left out (its checkpoint stays where it was: a
 * restore then reads a little more, never less).
 * @internal
 */
export async function writeChangelog(
  producer: KafkaProducer,
  records: readonly ChangelogRecord[],
  tx?: KafkaTransaction,
): Promise<Map<string, ChangelogSpan>> {
  const next = new Map<string, ChangelogSpan>();
  if (records.length === 0) return next;
  const counts = new Map<string, number>();
  for (const r of records) counts.set(`${r.topic}:${r.partition}`, (counts.get(`${r.topic}:${r.partition}`) ?? 0) + 1);
  const messages = records.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    key: r.key,
    value: r.value ?? undefined,
  }));
  const config = producer.config;
  const what = `writing ${records.length} state changelog record(s)`;
  let result: { offsets?: { topic: string; partition: number; offset: bigint }[] };
  try {
    const client = await producer.producer();
    const sending = tx ? tx.send({ messages } as any) : client.send({ messages, acks: -1 } as any);
    result = (await withTimeout(sending, timeoutOf(config, 'Application'), what, config)) as typeof result;
  } catch (error) {
    throw kafkaError('TS_KAFKA_PRODUCE', `${what} failed`, error, config, {
      topics: [...new Set(records.map((r) => r.topic))],
    });
  }
  // One record batch per partition and request: its records have consecutive offsets from the base offset. A
  // partition reported twice (the client split the send) keeps the greatest base offset only (a safe lower bound).
  const bases = new Map<string, number[]>();
  for (const o of result?.offsets ?? []) {
    const key = `${o.topic}:${o.partition}`;
    bases.set(key, [...(bases.get(key) ?? []), Number(o.offset)]);
  }
  for (const [key, list] of bases) {
    const count = counts.get(key);
    if (count === undefined || list.some((b) => b < 0)) continue;
    next.set(
      key,
      list.length === 1 ? { first: list[0]!, next: list[0]! + count } : { first: -1, next: Math.max(...list) },
    );
  }
  return next;
}

/** @internal Where a restore reads one changelog: from `from` up to `end` (exclusive). */
export interface ChangelogRange {
  from: bigint;
  end: bigint;
}

/**
 * Reads one partition of each changelog (committed records only) between the offsets `plan` chooses from the
 * topics' bounds (earliest offset, end offset now), handing each record to `fn` in offset order, and resolves with
 * the end offsets read up to. The end is known from the consumer's fetch position, which moves past transaction
 * markers too, so a changelog ending with a marker is read without waiting for a record that never comes.
 * @internal
 */
export async function readChangelogs(
  connection: KafkaConnection,
  topics: readonly string[],
  partition: number,
  plan: (bounds: ReadonlyMap<string, { earliest: bigint; end: bigint }>) => ReadonlyMap<string, bigint>,
  fn: (topic: string, key: string, value: Buffer | null) => void,
  signal?: AbortSignal,
): Promise<Map<string, bigint>> {
  const timeout = timeoutOf(connection, 'Application');
  // State is what committed transactions wrote: an aborted one's writes are dropped, even when a fetch ends before
  // its abort marker.
  const consumer: PortConsumer = await portOf(connection).consumer(
    {
      ...clientOptions(connection, 'Application', 'restore'),
      groupId: `twinstream-restore-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      autocommit: false,
      maxWaitTime: 100,
    },
    true,
  );
  try {
    const list = (timestamp?: bigint) =>
      withTimeout(
        consumer.listOffsets({ topics: [...topics], isolationLevel: 1, ...(timestamp ? { timestamp } : {}) }),
        timeout,
        `listing the offsets of ${topics.join(', ')}`,
        connection,
      );
    const [earliest, ends] = await Promise.all([list(-2n), list()]);
    const bounds = new Map<string, { earliest: bigint; end: bigint }>();
    for (const t of topics) {
      bounds.set(t, { earliest: earliest.get(t)?.[partition] ?? 0n, end: ends.get(t)?.[partition] ?? 0n });
    }
    const from = plan(bounds);
    const wanted = new Map<string, ChangelogRange>();
    for (const t of topics) {
      const start = from.get(t) ?? bounds.get(t)!.earliest;
      const end = bounds.get(t)!.end;
      if (start < end) wanted.set(t, { from: start, end });
    }
    if (wanted.size > 0) await consumeRanges(consumer, wanted, partition, timeout, fn, signal);
    return new Map(topics.map((t) => [t, bounds.get(t)!.end]));
  } finally {
    await consumer.close(true).catch(() => {});
  }
}

/**
 * Consumes each topic's range of one partition; fails when the position stops moving for `timeout` ms, or when
 * `signal` aborts (the application stops).
 */
async function consumeRanges(
  consumer: PortConsumer,
  wanted: ReadonlyMap<string, ChangelogRange>,
  partition: number,
  timeout: number,
  fn: (topic: string, key: string, value: Buffer | null) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const stream: PortMessages = await consumer.consume({
    topics: [...wanted.keys()],
    mode: 'manual',
    offsets: [...wanted].map(([topic, r]) => ({ topic, partition, offset: r.from })),
    autocommit: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const position = (t: string) => stream.offsetsToFetch.get(`${t}:${partition}`) ?? 0n;
      let last = '';
      let movedAt = Date.now();
      const check = () => {
        const now = [...wanted.keys()].map(position).join(',');
        if (now !== last) {
          last = now;
          movedAt = Date.now();
        }
        // The position moves when a fetch is taken in, before its records reach 'data': done when none wait.
        if (stream.readableLength === 0 && [...wanted].every(([t, r]) => position(t) >= r.end)) return finish();
        if (Date.now() - movedAt > timeout) {
          const where = [...wanted].map(([t, r]) => `${t} at ${position(t)} of ${r.end}`).join(', ');
          finish(
            new TwinstreamError(
              'TS_APP_STATE',
              `restoring partition ${partition} from its changelog made no progress for ${timeout} ms (${where})`,
            ),
          );
        }
      };
      const timer = setInterval(check, 50);
      const onAbort = () =>
        finish(new TwinstreamError('TS_APP_STATE', `restoring partition ${partition} stopped: the application stops`));
      const finish = (error?: unknown) => {
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
      stream.on('data', (m: any) => {
        const r = wanted.get(m.topic);
        if (m.partition !== partition || r === undefined || BigInt(m.offset) >= r.end) return;
        fn(m.topic, (m.key as Buffer).toString('utf8'), m.value && m.value.length > 0 ? (m.value as Buffer) : null);
      });
      stream.on('fetch', () => setImmediate(check));
      stream.on('error', finish);
    });
  } finally {
    await stream.close().catch(() => {});
  }
}
