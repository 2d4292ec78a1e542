// Joins of two topics against the real broker: joinLookup's table written to its changelog by one instance and
// restored by two new ones (every reading once, with its sensor's room), and joinAsof read by two instances.
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

test('at-least-once: joinAsof of two topics on the broker, two instances sharing the partitions', async () => {
  const quotes = uniqueName('quotes');
  const trades = uniqueName('trades');
  const out = uniqueName('priced');
  const group = uniqueName('asof');
  const T0 = 1_700_000_000_000;
  const qs: { t: number; symbol: string; price: number }[] = [];
  const ts: { t: number; n: number; symbol: string }[] = [];
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) qs.push({ t: T0 + i * 10, symbol: `s${(i * 5) % SENSORS}`, price: 100 + (i % 97) });
    else ts.push({ t: T0 + i * 10, n: i, symbol: `s${(i * 3) % SENSORS}` });
  }
  for (let s = 0; s < SENSORS; s++) qs.push({ t: T0 + N * 10, symbol: `s${s}`, price: 1 });
  await produceJson(brokers, quotes, qs, (q) => q.symbol, 3);
  await produceJson(brokers, trades, ts, (x) => x.symbol, 3);
  const build2 = (instanceId: string) => {
    const app = new Application({
      brokers,
      instanceId,
      groupId: group,
      autoOffsetReset: 'earliest',
      commitInterval: '200ms',
    });
    const q = app.stream(app.topic<string, (typeof qs)[number]>(quotes, { timestamp: (v) => v.t }));
    app
      .stream(app.topic<string, (typeof ts)[number]>(trades, { timestamp: (v) => v.t }))
      .joinAsof(q, { on: 'key', grace: '1h', how: 'left' })
      .map((r) => (r as KafkaRecord<string, { n: number; symbol: string; price?: number }>).value)
      .toTopic(app.topic(out));
    return app;
  };
  await Promise.all([build2('a').run({ timeout: 4000 }), build2('b').run({ timeout: 4000 })]);
  const want = new Map<number, number | undefined>();
  for (const x of ts) {
    let price: number | undefined;
    for (const q of qs) if (q.t <= x.t && q.symbol === x.symbol) price = q.price;
    want.set(x.n, price);
  }
  const got = await readAll<{ n: number; symbol: string; price?: number }>(brokers, out, { expect: ts.length });
  const seen = new Set<number>();
  for (const r of got) {
    assert.equal(r.value.price, want.get(r.value.n), `trade ${r.value.n}`);
    seen.add(r.value.n);
  }
  assert.equal(seen.size, ts.length);
});
