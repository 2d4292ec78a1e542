import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Egress, RealtimeEnvironment, type SimRecord, telemetryRecord } from '../../../src/sim/index.ts';
import { isoTimestamp } from '../../../src/sim/telemetry.ts';

const rec = (i: number) => telemetryRecord('p', i, i, i * 1000);

test('records go to every sink in batches of batchSize, the rest at teardown', async () => {
  const batches: number[][] = [];
  const closed: string[] = [];
  const egress = new Egress(
    [
      {
        name: 'a',
        write: (b) => void batches.push(b.map((r) => r.value as number)),
        close: () => void closed.push('a'),
      },
      { name: 'b', write: async () => {}, close: async () => void closed.push('b') },
    ],
    { batchSize: 3 },
  );
  for (let i = 0; i < 7; i++) egress.publish(rec(i));
  await egress.drain();
  assert.deepEqual(batches, [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  await egress.teardown();
  assert.deepEqual(batches[2], [6]);
  assert.deepEqual(closed, ['a', 'b']);
  assert.equal(egress.written, 7);
  assert.throws(() => egress.publish(rec(8)), { code: 'TS_SIM_EGRESS_CLOSED' });
});

test('flushInterval is simulated time: partial batches leave once a simulated day has passed', async () => {
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: 0 });
  const flushedAt: number[] = [];
  env.setupEgress([{ name: 'm', write: (b) => void flushedAt.push(b.at(-1)!.sim_ts) }], {
    batchSize: 10_000,
    flushInterval: 86_400,
  });
  env.process(
    (function* () {
      for (;;) {
        env.publishTelemetry('x', 1);
        yield env.timeout(3600);
      }
    })(),
  );
  await env.run({ until: 3 * 86_400 + 1 });
  await env.egress!.drain();
  // flushed before the first event at or after each day boundary: the records of days 0, 1 and 2
  assert.deepEqual(flushedAt, [82_800, 169_200, 255_600]);
  await env.teardown();
});

test('the queue is bounded: a slow sink holds the simulation back instead of growing the queue', async () => {
  const env = new RealtimeEnvironment({ factor: 0 });
  let maxPending = 0;
  let writes = 0;
  const egress = env.setupEgress(
    [
      {
        name: 'slow',
        write: () =>
          new Promise<void>((resolve) => {
            writes++;
            setTimeout(resolve, 2);
          }),
      },
    ],
    { batchSize: 10, maxPending: 30 },
  );
  env.process(
    (function* () {
      for (let i = 0; i < 500; i++) {
        env.publishEvent(`e${i}`, i);
        maxPending = Math.max(maxPending, egress.pending);
        yield env.timeout(1);
      }
    })(),
  );
  await env.run();
  await env.teardown();
  assert.ok(maxPending <= 30, `pending reached ${maxPending}`);
  assert.equal(writes, 50);
  assert.equal(egress.written, 500);
});

test('a failing sink stops the run with its error', async () => {
  const env = new RealtimeEnvironment({ factor: 0 });
  env.setupEgress([{ name: 'bad', write: () => Promise.reject(new Error('disk full')) }], {
    batchSize: 1,
    maxPending: 1,
  });
  env.process(
    (function* () {
      for (;;) {
        env.publishEvent('k', 1);
        yield env.timeout(1);
      }
    })(),
  );
  await assert.rejects(env.run({ until: 100 }), /disk full/);
});

test('bad egress options are rejected at construction', () => {
  assert.throws(() => new Egress([{ name: 'x' } as any]), { code: 'TS_SIM_BAD_EGRESS' });
  assert.throws(() => new Egress([], { batchSize: 0 }), /batchSize/);
  assert.throws(() => new Egress([], { batchSize: 10, maxPending: 5 }), /maxPending/);
  assert.throws(() => new Egress([], { flushInterval: -1 }), /flushInterval/);
});

test('payload shapes', () => {
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: '2024-01-01T00:00:00Z' });
  const out: SimRecord[] = [];
  env.setupEgress([{ name: 'm', write: (b) => void out.push(...b) }], { batchSize: 1 });
  env.publishTelemetry('Line_A.lathe.in_use', 3);
  env.publishEvent('task-1', { status: 'queued' });
  return env.egress!.drain().then(() => {
    assert.deepEqual(out, [
      {
        stream_type: 'telemetry',
        path_id: 'Line_A.lathe.in_use',
        value: 3,
        sim_ts: 0,
        timestamp: '2024-01-01T00:00:00.000Z',
      },
      {
        stream_type: 'event',
        key: 'task-1',
        value: { status: 'queued' },
        sim_ts: 0,
        timestamp: '2024-01-01T00:00:00.000Z',
      },
    ]);
  });
});

test('isoTimestamp matches Date.toISOString', () => {
  const samples = [
    0,
    0.4,
    999.9,
    1,
    86_399_999,
    86_400_000,
    Date.parse('2024-02-29T23:59:59.999Z'),
    1.7e12 + 0.5,
    -1,
    253402300800000,
  ];
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    x = (x * 48271) % 2147483647;
    samples.push((x / 2147483647) * 4e12 + (i % 7) / 3);
  }
  for (const ms of samples) assert.equal(isoTimestamp(ms), new Date(ms).toISOString(), String(ms));
});
