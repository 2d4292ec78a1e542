// Quix Streams' temperature tutorial producer in TypeScript: synthetic temperature readings from five sensors, JSON with an ISO `ts`,
// keyed by sensor id, with a uuid header, written to `raw-temperature`.
//
//   npm run kafka                                   (in another terminal: a local broker)
//   npm run example -- kafka-temperature-producer     1000 readings, 0-1 s apart, as in the tutorial
//   npm run example -- kafka-temperature-producer --count 100000 --fast   as fast as possible, timestamps 250 ms apart
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { KafkaAdmin, KafkaProducer } from '../src/connectors/kafka/index.ts';

export const SENSORS = ['Sensor1', 'Sensor2', 'Sensor3', 'Sensor4', 'Sensor5'];

/** One reading as it travels: `{ ts, value }`, keyed by sensor. */
export interface Reading {
  sensor: string;
  ts: string;
  value: number;
}

/** A small seeded generator (mulberry32), so a run can be checked reading by reading. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The readings of a run: a random sensor and a random integer temperature 0..100, `stepMs` apart from `start`. */
export function readings(count: number, options: { seed?: number; start?: number; stepMs?: number } = {}): Reading[] {
  const rnd = random(options.seed ?? 1);
  const start = options.start ?? Date.UTC(2024, 5, 14, 10, 0, 0);
  const step = options.stepMs ?? 250;
  return Array.from({ length: count }, (_, i) => ({
    sensor: SENSORS[Math.floor(rnd() * SENSORS.length)]!,
    ts: new Date(start + i * step).toISOString(),
    value: Math.floor(rnd() * 101),
  }));
}

/** Writes readings to `topic` (created with `partitions` if missing): in batches when `fast`, else one by one, 0-1 s apart. */
export async function produceReadings(
  brokers: string | string[],
  list: readonly Reading[],
  options: { topic?: string; fast?: boolean; partitions?: number; log?: boolean } = {},
): Promise<void> {
  const topic = options.topic ?? 'raw-temperature';
  const admin = new KafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: topic, partitions: options.partitions ?? 1 }]);
  await admin.close();
  const producer = new KafkaProducer({ brokers, compression: options.fast ? 'lz4' : 'none' });
  const message = (r: Reading) => ({
    topic,
    key: Buffer.from(r.sensor),
    value: Buffer.from(JSON.stringify({ ts: r.ts, value: r.value })),
    headers: { uuid: Buffer.from(randomUUID()) },
  });
  try {
    if (options.fast) {
      for (let i = 0; i < list.length; i += 2000) await producer.send(list.slice(i, i + 2000).map(message));
      return;
    }
    for (const r of list) {
      if (options.log) console.log(`Producing value ${JSON.stringify({ ts: r.ts, value: r.value })} for ${r.sensor}`);
      await producer.send([message(r)]);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
    }
  } finally {
    await producer.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? 'localhost:9092' },
      count: { type: 'string', default: '1000' },
      fast: { type: 'boolean' },
    },
  });
  const count = Number(values.count);
  const list = values.fast ? readings(count) : readings(count, { start: Date.now(), stepMs: 500 });
  await produceReadings(values.brokers!, list, { fast: values.fast ?? false, log: !values.fast });
  console.log(`produced ${count} readings`);
}
