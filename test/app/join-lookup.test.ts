// joinLookup on the in-memory cluster, in virtual time: the right topic kept as a table per partition, restored
// from its changelog after a restart and on an instance that joins, and refused when the topics are not
// co-partitioned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/app/index.ts';
import type { KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { count, type TwinstreamError } from '../../src/index.ts';
import type { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, memoryCluster } from './memory-cluster.ts';
import { advanceUntil, settleAll } from './virtual-time.ts';

const SENSORS = 16;

interface Reading {
  n: number;
  sensor: string;
  celsius: number;
}
interface Sensor {
  room: string;
}
interface Enriched extends Reading {
  room?: string;
}

function build(kafka: MemoryKafka, clock: VirtualClock, clientId: string, guarantee = 'at-least-once'): Application {
  const app = memoryApp(kafka, clock, {
    clientId,
    instanceId: clientId,
    groupId: 'rooms',
    commitInterval: '100ms',
    commitEvery: 100,
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  const sensors = app.stream(app.topic<string, Sensor>('sensors', { partitions: 4 }));
  app
    .stream(app.topic<string, Reading>('readings', { partitions: 4 }))
    .joinLookup(sensors, { how: 'left' })
    .map((r: KafkaRecord<string, Enriched>) => r.value)
    .toTopic(app.topic('enriched'));
  return app;
}

function readings(from: number, count: number): { key: string; value: Reading }[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const sensor = `s${n % SENSORS}`;
    return { key: sensor, value: { n, sensor, celsius: 20 + (n % 7) } };
  });
}

/** The enriched readings from `from` on, by number. */
function enriched(kafka: MemoryKafka, from: number): Map<number, Enriched> {
  const out = new Map<number, Enriched>();
  for (const r of kafka.read('enriched')) {
    const v = r.value as Enriched;
    if (v.n >= from) out.set(v.n, v);
  }
  return out;
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: joinLookup enriches readings from the sensors table, restored after a restart and on a joining instance`, async () => {
    const { clock, kafka } = memoryCluster({ sensors: 4, readings: 4 });
    kafka.produce(
      'sensors',
      Array.from({ length: SENSORS }, (_, i) => ({ key: `s${i}`, value: { room: `room-${i % 5}` } })),
    );
    // The table is read, checkpointed and changelogged; no reading yet.
    await settleAll(clock, [build(kafka, clock, 'a', guarantee).run({ timeout: '1s' })]);
    assert.equal(kafka.read('enriched').length, 0);

    // A restart: the sensors topic has nothing new for the group, the table comes back from its changelog.
    kafka.produce('readings', readings(0, 400));
    const b = build(kafka, clock, 'b', guarantee);
    await settleAll(clock, [b.run({ timeout: '1s' })]);
    assert.ok(b.stateCounters.restored >= SENSORS, `the table restored (${b.stateCounters.restored} entries)`);
    const first = enriched(kafka, 0);
    assert.equal(first.size, 400);
    for (const [n, v] of first) assert.equal(v.room, `room-${Number(v.sensor.slice(1)) % 5}`, `reading ${n}`);

    // A sensor moves and another is deleted (a tombstone); then more readings, read by one instance and a second
    // that joins mid-run and restores the partitions it is given from the changelog.
    kafka.produce('sensors', [
      { key: 's3', value: { room: 'attic' } },
      { key: 's4', value: null },
    ]);
    await settleAll(clock, [build(kafka, clock, 'c', guarantee).run({ timeout: '1s' })]);
    kafka.produce('readings', readings(1000, 3000));
    const d = build(kafka, clock, 'd', guarantee);
    const runD = d.run({ timeout: '1s' });
    await advanceUntil(clock, () => d.counters.processed >= 500, 1);
    const e = build(kafka, clock, 'e', guarantee);
    const outcomes = await settleAll(clock, [runD, e.run({ timeout: '1s' })]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.ok(e.counters.processed > 0 && e.stateCounters.restored > 0, 'the joining instance restored its tables');
    const second = enriched(kafka, 1000);
    assert.equal(second.size, 3000);
    for (const [n, v] of second) {
      const i = Number(v.sensor.slice(1));
      const room = i === 3 ? 'attic' : i === 4 ? undefined : `room-${i % 5}`;
      assert.equal(v.room, room, `reading ${n} of ${v.sensor}`);
    }
    if (guarantee === 'exactly-once') {
      assert.equal(kafka.read('enriched').length, 3400, 'each reading once');
    }
  });
}

test('joinLookup: how inner drops a reading whose sensor is unknown; topics not co-partitioned are refused at run', async () => {
  const { clock, kafka } = memoryCluster({ sensors: 4, readings: 4 });
  kafka.produce('sensors', [{ key: 's1', value: { room: 'hall' } }]);
  const app = memoryApp(kafka, clock, {
    groupId: 'inner',
  });
  const sensors = app.stream(app.topic<string, Sensor>('sensors'));
  app
    .stream(app.topic<string, Reading>('readings'))
    .joinLookup(sensors, { on: 'sensor', merge: (r, s: Sensor | undefined) => `${r.value.n} ${s?.room}` })
    .toTopic(app.topic('inner-out'));
  await settleAll(clock, [app.run({ timeout: '1s' })]);
  kafka.produce('readings', readings(0, 3));
  await settleAll(clock, [app.run({ timeout: '1s' })]);
  assert.deepEqual(
    kafka.read('inner-out').map((r) => r.value),
    ['1 hall'],
  );

  kafka.createTopic('rooms-2', 2);
  const bad = memoryApp(kafka, clock, {
    groupId: 'bad',
  });
  bad
    .stream(bad.topic('readings'))
    .joinLookup(bad.stream(bad.topic('rooms-2')))
    .toTopic(bad.topic('x'));
  await assert.rejects(
    settleAll(clock, [bad.run({ timeout: '1s' })]).then(([o]) => {
      if (o!.status === 'rejected') throw o!.reason;
    }),
    (e: TwinstreamError) => {
      assert.equal(e.code, 'TS_APP_COPARTITION');
      assert.match(e.message, /"readings" \(4 partitions\) with "rooms-2" \(2 partitions\).*co-partitioned/);
      return true;
    },
  );
  assert.throws(
    () => bad.stream(bad.topic('readings')).joinLookup(bad.stream(bad.topic('readings'))),
    /joinLookup.*other/,
  );
  assert.throws(
    () => bad.stream(bad.topic('readings')).joinLookup(bad.stream(bad.topic('rooms-2')), { how: 'outer' as 'left' }),
    /how.*'inner' or 'left'/,
  );
});

test('joinLookup: a window after the join keeps its state with the left topic', async () => {
  const { clock, kafka } = memoryCluster({ sensors: 4, readings: 4 });
  kafka.produce('sensors', [{ key: 's1', value: { room: 'hall' } }]);
  const app = memoryApp(kafka, clock, {
    groupId: 'windowed',
  });
  const sensors = app.stream(app.topic<string, Sensor>('sensors', { partitions: 4 }));
  app
    .stream(app.topic<string, Reading>('readings', { partitions: 4 }))
    .joinLookup(sensors)
    .tumblingWindow('1m', { value: (r: KafkaRecord<string, Enriched>) => r.value.celsius, namespace: 'per-room' })
    .agg({ n: count() })
    .current()
    .toTopic(app.topic('per-room'));
  await settleAll(clock, [app.run({ timeout: '1s' })]);
  kafka.produce(
    'readings',
    readings(0, 64).filter((r) => r.key === 's1'),
  );
  await settleAll(clock, [app.run({ timeout: '1s' })]);
  const counts = kafka.read('per-room').map((r) => (r.value as { n: number }).n);
  assert.deepEqual(counts, [1, 2, 3, 4]);
  assert.ok(
    kafka.topicNames().includes('windowed-changelog-offsets-readings'),
    'the window is state of the readings topic',
  );
});
