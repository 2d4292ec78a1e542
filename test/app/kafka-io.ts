// Writing and reading whole topics in tests, through the library's own producer and sources.
import { KafkaAdmin, KafkaProducer, type KafkaRecord, Stream } from '../../src/index.ts';
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
