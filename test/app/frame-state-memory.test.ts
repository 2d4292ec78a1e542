// Frame state in an application on an in-memory cluster, in virtual time: rows batched into frames by size, a
// frame window and a running frame aggregate after it, an instance killed mid-run and a new one started; what comes
// out equals an uninterrupted run (under exactly-once, each window once).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { count, max, sum } from '../../src/index.ts';
import type { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, memoryCluster, T0 } from './memory-cluster.ts';
import { advanceUntil, settleAll } from './virtual-time.ts';

const N = 3000;

interface Reading {
  id: number;
  sensor: string;
  ts: number;
  v: number;
}

const readings: Reading[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  sensor: `s${i % 6}`,
  ts: T0 + i * 100 - ((i * 37) % 5) * 40, // a little disorder
  v: (i * 7) % 13,
}));

function frames(kafka: MemoryKafka, clock: VirtualClock, guarantee: string, clientId: string) {
  const app = memoryApp(kafka, clock, {
    clientId,
    commitInterval: '200ms',
    commitEvery: 100,
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  const sf = app
    .stream(app.topic<string, Reading>('in', { timestamp: (v) => v.ts }))
    .map((r) => r.value)
    .toFrames({ size: 16, time: 'ts', key: 'sensor' });
  sf.tumblingWindow('3s', { key: 'sensor', value: 'v', grace: 200 })
    .agg({ n: count(), total: sum(), top: max() })
    .final()
    .toTopic(app.topic('windows'));
  sf.col('v').sum({ namespace: 'running' }).toTopic(app.topic('totals'));
  return app;
}

/** The windows that came out, `sensor start -> result`, each checked once under exactly-once. */
function windowsOut(kafka: MemoryKafka, once: boolean): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of kafka.read('windows')) {
    const v = r.value as { key: string; start: number };
    const k = `${v.key} ${v.start}`;
    if (once) assert.ok(!out.has(k), `window ${k} once`);
    else if (out.has(k)) assert.deepEqual(v, out.get(k), `window ${k} repeated with the same result`);
    out.set(k, v);
  }
  return out;
}

/** The running totals per input partition, in order, once each (at-least-once may repeat the tail of a run). */
function totalsOut(kafka: MemoryKafka): number[] {
  return [...new Set(kafka.read('totals').map((r) => r.value as number))].sort((a, b) => a - b);
}

async function uninterrupted(guarantee: string): Promise<MemoryKafka> {
  const { clock, kafka } = memoryCluster({ in: 2 });
  kafka.produce(
    'in',
    readings.map((r) => ({ key: r.sensor, value: r })),
  );
  const [o] = await settleAll(clock, [frames(kafka, clock, guarantee, 'only').run({ timeout: '1s' })]);
  assert.equal(o!.status, 'fulfilled');
  return kafka;
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: frame windows and running frame sums of an instance killed mid-run resume in the next one`, async () => {
    const want = await uninterrupted(guarantee);
    const { clock, kafka } = memoryCluster({ in: 2 });
    kafka.produce(
      'in',
      readings.map((r) => ({ key: r.sensor, value: r })),
    );
    const killed = frames(kafka, clock, guarantee, 'first');
    killed.run({ timeout: '1s' }).catch(() => {});
    await advanceUntil(clock, () => killed.counters.processed >= 1300, 1);
    kafka.crash('first');
    assert.ok(kafka.read('g-changelog-window').length > 0, 'frame windows went to the changelog before the kill');
    assert.ok(kafka.read('g-changelog-toFrames').length > 0, 'rows waiting for a frame too');
    const next = frames(kafka, clock, guarantee, 'second');
    const [o] = await settleAll(clock, [next.run({ timeout: '1s' })]);
    assert.equal(o!.status, 'fulfilled');
    assert.ok(next.stateCounters.restored > 0, 'the state came from the changelog');
    assert.ok(next.counters.processed < N, 'records the restored state covers are not read again');

    const got = windowsOut(kafka, guarantee === 'exactly-once');
    const expected = windowsOut(want, true);
    assert.ok(expected.size > 100);
    assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()));
    assert.deepEqual(totalsOut(kafka), totalsOut(want));
  });
}
