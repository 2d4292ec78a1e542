// `twinstream run examples/pipelines/kafka-windows.yaml` against the test setup's Kafka broker: readings produced
// to a topic, windows read back from the output topic the pipeline wrote.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KafkaAdmin, KafkaProducer } from '../../src/connectors/kafka/index.ts';
import { Stream } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');

let brokers: string[];
let admin: KafkaAdmin;
before(async () => {
  brokers = await kafkaBrokers();
  admin = new KafkaAdmin({ brokers });
});
after(async () => admin?.close());

test('kafka-windows: readings from a topic, per-sensor minutes to another topic keyed by sensor', async () => {
  const topic = uniqueName('readings');
  const outTopic = uniqueName('minutes');
  await admin.ensureTopics([
    { name: topic, partitions: 1 },
    { name: outTopic, partitions: 1 },
  ]);
  const t0 = Date.parse('2024-06-14T10:00:00Z');
  const readings = Array.from({ length: 24 }, (_, i) => ({
    sensor: i % 2 === 0 ? 'room-1' : 'room-2',
    ts: t0 + i * 10_000,
    fahrenheit: 60 + i,
  }));
  const producer = new KafkaProducer({ brokers });
  await producer.send(
    readings.map((r) => ({ topic, key: Buffer.from(r.sensor), value: Buffer.from(JSON.stringify(r)) })),
  );
  await producer.close();

  const r = spawnSync(process.execPath, [MAIN, 'run', join(ROOT, 'examples/pipelines/kafka-windows.yaml')], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: topic,
      KAFKA_OUT_TOPIC: outTopic,
      KAFKA_GROUP: uniqueName('pipeline'),
      KAFKA_LIMIT: String(readings.length),
    },
  });
  assert.equal(r.status, 0, r.stderr);
  const printed = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // Four minutes of readings, two sensors: eight windows, each the count and mean of its readings.
  assert.equal(printed.length, 8, r.stdout);
  for (const w of printed) {
    const inside = readings.filter((x) => x.sensor === w.key && x.ts >= w.start && x.ts < w.end);
    assert.equal(w.readings, inside.length);
    assert.equal(w.mean, inside.reduce((a, x) => a + x.fahrenheit, 0) / inside.length);
  }

  const source = Stream.fromKafka<string, Record<string, unknown>>(outTopic, {
    brokers,
    groupId: uniqueName('check'),
    autoOffsetReset: 'earliest',
    value: 'json',
  });
  const got: { key: string; value: Record<string, unknown> }[] = [];
  source.sink((m) => {
    got.push({ key: m.key, value: m.value });
    if (got.length === printed.length) source.stop();
  });
  source.start();
  await source.done;
  assert.deepEqual(
    got.map((m) => m.value),
    printed,
  );
  for (const m of got) assert.equal(m.key, m.value.key);
});
