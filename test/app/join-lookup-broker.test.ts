// joinLookup against the real broker: the sensors topic kept as a table, written to its changelog by one instance,
// restored by two new instances that share the partitions; every reading comes out once with its sensor's room.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import type { KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

interface Reading {
  n: number;
  sensor: string;
}
interface Sensor {
  sensor: string;
  room: string;
}

const SENSORS = 12;
const N = 2000;

function build(group: string, names: { sensors: string; readings: string; out: string }, instanceId: string) {
  const app = new Application({
    brokers,
    instanceId,
    groupId: group,
    autoOffsetReset: 'earliest',
    commitInterval: '200ms',
    processingGuarantee: 'exactly-once',
  });
  const sensors = app.stream(app.topic<string, Sensor>(names.sensors));
  app
    .stream(app.topic<string, Reading>(names.readings))
    .joinLookup(sensors, { how: 'left' })
    .map((r: KafkaRecord<string, Reading & { room?: string }>) => r.value)
    .toTopic(app.topic(names.out));
  return app;
}

test('exactly-once: joinLookup tables restored from their changelog by two new instances', async () => {
  const names = { sensors: uniqueName('sensors'), readings: uniqueName('readings'), out: uniqueName('enriched') };
  const group = uniqueName('lookup');
  const sensors = Array.from({ length: SENSORS }, (_, i) => ({ sensor: `s${i}`, room: `room-${i % 5}` }));
  await produceJson(brokers, names.sensors, sensors, (s) => s.sensor, 3);
  await produceJson(brokers, names.readings, [], undefined, 3);
  const first = build(group, names, 'a');
  await first.run({ timeout: 2000 });
  assert.ok(first.stateCounters.changelogged >= SENSORS, 'the table went to its changelog');

  const readings = Array.from({ length: N }, (_, n) => ({ n, sensor: `s${n % SENSORS}` }));
  await produceJson(brokers, names.readings, readings, (r) => r.sensor, 3);
  const b = build(group, names, 'b');
  const c = build(group, names, 'c');
  await Promise.all([b.run({ timeout: 4000 }), c.run({ timeout: 4000 })]);
  assert.ok(b.stateCounters.restored + c.stateCounters.restored >= SENSORS, 'the tables came from the changelog');

  const got = await readAll<Reading & { room?: string }>(brokers, names.out, { expect: N });
  const seen = new Set<number>();
  for (const r of got) {
    assert.ok(!seen.has(r.value.n), `reading ${r.value.n} once`);
    seen.add(r.value.n);
    assert.equal(r.value.room, `room-${Number(r.value.sensor.slice(1)) % 5}`, `reading ${r.value.n}`);
  }
  assert.equal(seen.size, N);
});
