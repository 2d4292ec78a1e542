// Writing and reading whole topics in tests, through the library's own producer and sources.
import type { Application } from '../../src/app/index.ts';
import { KafkaAdmin, KafkaProducer, type KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { Stream } from '../../src/index.ts';
import { uniqueName } from '../kafka-setup.ts';

/** Creates `topic` (with `partitions`) if needed and writes `values` (JSON; strings as they are), keyed by `key(v)`. */
export async function produceJson<T>(
  brokers: string[],
  topic: string,
  values: readonly T[],
  key?: (v: T) => string,
  partitions = 1,
): Promise<void> {
  const admin = new KafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: topic, partitions }]);
  await admin.close();
  const producer = new KafkaProducer({ brokers });
  try {
    for (let i = 0; i < values.length; i += 5000) {
      await producer.send(
        values.slice(i, i + 5000).map((v) => ({
          topic,
          key: key ? Buffer.from(key(v)) : undefined,
          value: typeof v === 'string' ? Buffer.from(v) : Buffer.from(JSON.stringify(v)),
        })),
      );
    }
  } finally {
    await producer.close();
  }
}

/** Reads `topic` from the start (committed transactions only) until `quietMs` pass without a new record. */
export async function readAll<V = unknown>(
  brokers: string[],
  topic: string,
  options: { quietMs?: number; value?: 'json' | 'string'; expect?: number } = {},
): Promise<KafkaRecord<string, V>[]> {
  const source = Stream.fromKafka<string, V>(topic, {
    brokers,
    groupId: uniqueName('reader'),
    autoOffsetReset: 'earliest',
    isolationLevel: 'read_committed',
    value: options.value ?? 'json',
  });
  const out: KafkaRecord<string, V>[] = [];
  let last = Date.now();
  source.sink((r) => {
    out.push(r);
    last = Date.now();
  });
  source.start();
  const quiet = options.quietMs ?? 1500;
  const started = Date.now();
  while (Date.now() - last < quiet || (out.length === 0 && Date.now() - started < 15_000)) {
    if (options.expect !== undefined && out.length >= options.expect && Date.now() - last >= 300) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  source.stop();
  await source.done;
  return out;
}

/**
 * The end offset of each partition of `topic` (the offset the next record written there will get) and, with
 * `group`, the offset that group committed there (-1 for none).
 */
export async function endOffsets(
  brokers: string[],
  topic: string,
  group?: string,
): Promise<{ end: bigint[]; committed: bigint[] }> {
  const { Consumer } = await import('@platformatic/kafka');
  const consumer = new Consumer({
    bootstrapBrokers: brokers,
    clientId: 'twinstream-test',
    groupId: group ?? uniqueName('ends'),
  });
  try {
    const end = [...((await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [])];
    if (group === undefined) return { end, committed: end.map(() => -1n) };
    const partitions = end.map((_, p) => p);
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic) ?? [];
    return { end, committed: partitions.map((p) => committed[p] ?? -1n) };
  } finally {
    await consumer.close(true);
  }
}

/**
 * Stops `app` once it has handled every record `topics` held when this was called: each partition handled up to
 * its end offset (restored state counts: its records are not read again), or committed up to there before. For
 * runs that must end when the input is done however long a rejoin or a broker restart pauses it. Resolves with
 * what disarms it.
 */
export async function stopAtEnd(app: Application, topics: string | readonly string[]): Promise<() => void> {
  const brokers = typeof app.config.brokers === 'string' ? app.config.brokers.split(',') : [...app.config.brokers];
  const names = typeof topics === 'string' ? [topics] : topics;
  const ends = await Promise.all(names.map((t) => endOffsets(brokers, t, app.config.groupId)));
  const source = () => (app as unknown as { source: { handledOffsets(): ReadonlyMap<string, number> } | null }).source;
  const watch = setInterval(() => {
    const handled = source()?.handledOffsets();
    if (!handled) return;
    const all = names.every((topic, i) => {
      const { end, committed } = ends[i]!;
      return end.every((e, p) => committed[p]! >= e || (handled.get(`${topic}:${p}`) ?? -1) >= e - 1n);
    });
    if (all) {
      clearInterval(watch);
      void app.stop();
    }
  }, 100);
  return () => clearInterval(watch);
}
