// Application state with a changelog, against the real broker: windows restored by a new instance from the
// changelog topic (not by replaying their records) give the same final results as a run without restart.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import { KafkaAdmin, type KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { count, max, sum } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

interface Reading {
  id: number;
  sensor: string;
  ts: number;
  v: number;
}
interface Agg {
  key: string;
  start: number;
  end: number;
  n: number;
  total: number;
  top: number;
}

const N = 4000;
const readings: Reading[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  sensor: `s${i % 8}`,
  ts: 1_700_000_000_000 + i * 100, // 100 windows of 4 s, 40 readings each, 5 per sensor
  v: (i * 7) % 13,
}));

/** The closed windows (4 s tumbling, no grace) per sensor, computed directly: `sensor start -> agg`. */
function expected(): Map<string, { n: number; total: number; top: number }> {
  const out = new Map<string, { n: number; total: number; top: number }>();
  const maxTs = new Map<string, number>();
  for (const r of readings) maxTs.set(r.sensor, Math.max(maxTs.get(r.sensor) ?? 0, r.ts));
  for (const r of readings) {
    const start = r.ts - (r.ts % 4000);
    if (start + 4000 > maxTs.get(r.sensor)!) continue; // never closed
    const k = `${r.sensor} ${start}`;
    const a = out.get(k) ?? { n: 0, total: 0, top: Number.NEGATIVE_INFINITY };
    out.set(k, { n: a.n + 1, total: a.total + r.v, top: Math.max(a.top, r.v) });
  }
  return out;
}

function build(
  group: string,
  input: string,
  output: string,
  stateDir: string | undefined,
  guarantee: string,
  instanceId = '0',
): Application {
  const app = new Application({
    brokers,
    instanceId,
    groupId: group,
    autoOffsetReset: 'earliest',
    ...(stateDir === undefined ? {} : { stateDir }),
    commitInterval: '200ms',
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  const inTopic = app.topic<string, Reading>(input, { value: 'json', timestamp: (v) => v.ts });
  const outTopic = app.topic(output, { value: 'json' });
  app
    .stream(inTopic)
    .tumblingWindow('4s', { value: (r: KafkaRecord<string, Reading>) => r.value.v, namespace: 'sums' })
    .agg({ n: count(), total: sum(), top: max() })
    .final()
    .toTopic(outTopic);
  return app;
}

/**
 * Reads the output and checks every closed window came out with the right result: exactly once under
 * exactly-once; under at-least-once a window may come twice, never with another result.
 */
async function checkWindows(output: string, guarantee: string): Promise<void> {
  const want = expected();
  // Under at-least-once duplicates count too: read until the topic is quiet rather than up to a number.
  const got = await readAll<Agg>(brokers, output, guarantee === 'exactly-once' ? { expect: want.size } : {});
  const seen = new Set<string>();
  for (const r of got) {
    const k = `${r.value.key} ${r.value.start}`;
    if (guarantee === 'exactly-once') assert.ok(!seen.has(k), `window ${k} emitted once`);
    seen.add(k);
    assert.deepEqual({ n: r.value.n, total: r.value.total, top: r.value.top }, want.get(k), k);
  }
  assert.equal(seen.size, want.size);
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a new instance with an empty stateDir restores open windows from the changelog`, async () => {
    const input = uniqueName('state-in');
    const output = uniqueName('state-out');
    const group = uniqueName('state');
    await produceJson(brokers, input, readings, (r) => r.sensor, 2);
    const dirs = [await mkdtemp(join(tmpdir(), 'ts-state-')), await mkdtemp(join(tmpdir(), 'ts-state-'))];
    try {
      const first = build(group, input, output, dirs[0]!, guarantee);
      await first.run({ count: 1500 });
      const handledFirst = first.counters.processed;
      assert.ok(first.stateCounters.changelogged > 0, 'the first instance wrote its state to the changelog');

      // The changelog is compacted and has the partitions of the input.
      const admin = new KafkaAdmin({ brokers });
      try {
        assert.equal(await admin.partitions(`${group}-changelog-sums`), 2);
      } finally {
        await admin.close();
      }

      const second = build(group, input, output, dirs[1]!, guarantee);
      await second.run({ timeout: 3000 });
      assert.ok(second.stateCounters.restored > 0, 'the second instance restored state from the changelog');
      // Restored, not replayed: the records the first instance had folded into open windows are not read again.
      // Exactly-once reads each record once in all. At-least-once may read again the few records the first
      // instance handled after its last checkpoint; the windows below must still come out right, each once.
      const handled = handledFirst + second.counters.processed;
      if (guarantee === 'exactly-once') assert.equal(handled, N);
      else assert.ok(handled >= N && handled <= N + 50, `${handled} records handled for ${N}`);

      const got = await readAll<Agg>(brokers, output, { expect: expected().size });
      const want = expected();
      const seen = new Map<string, { n: number; total: number; top: number }>();
      for (const r of got) {
        const k = `${r.value.key} ${r.value.start}`;
        assert.ok(!seen.has(k), `window ${k} emitted once`);
        seen.set(k, { n: r.value.n, total: r.value.total, top: r.value.top });
      }
      assert.equal(seen.size, want.size);
      for (const [k, v] of want) assert.deepEqual(seen.get(k), v, k);
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  });
}

for (const where of ['lmdb', 'memory']) {
  test(`a second instance joining mid-run takes a partition with its open windows from the changelog (${where} stores)`, async () => {
    const input = uniqueName('state-in');
    const output = uniqueName('state-out');
    const group = uniqueName('state');
    const half = N / 2;
    await produceJson(brokers, input, readings.slice(0, half), (r) => r.sensor, 2);
    const dirs =
      where === 'lmdb' ? [await mkdtemp(join(tmpdir(), 'ts-state-')), await mkdtemp(join(tmpdir(), 'ts-state-'))] : [];
    try {
      const a = build(group, input, output, dirs[0], 'at-least-once', 'a');
      const runA = a.run({ timeout: 8000 });
      while (a.counters.processed < half) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // a checkpoint of the first half
      const b = build(group, input, output, dirs[1], 'at-least-once', 'b');
      const runB = b.run({ timeout: 8000 });
      // Until the second instance restored its partition (or 15 s).
      const joinedBy = Date.now() + 15_000;
      while (b.stateCounters.restored === 0 && Date.now() < joinedBy) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1000));
      await produceJson(brokers, input, readings.slice(half), (r) => r.sensor, 2);
      await Promise.all([runA, runB]);
      assert.ok(b.stateCounters.restored > 0, 'the second instance restored a partition from the changelog');
      assert.ok(b.counters.processed > 0 && a.counters.processed > half, 'both instances processed records');
      // The second instance continued windows the first had opened: had it not restored them, the windows of its
      // partition open at the hand-over would come out short, and checkWindows would see it.
      await checkWindows(output, 'at-least-once');
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  });
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a restart with its lmdb copy reads only the changelog written since the copy's checkpoint`, async () => {
    const input = uniqueName('state-in');
    const output = uniqueName('state-out');
    const group = uniqueName('state');
    await produceJson(brokers, input, readings, (r) => r.sensor, 2);
    const dirs = [await mkdtemp(join(tmpdir(), 'ts-state-')), await mkdtemp(join(tmpdir(), 'ts-state-'))];
    try {
      // A on its own directory, then B on another (it rebuilds from the whole changelog and goes on), then A
      // again on its first directory: its copy is behind by exactly what B wrote, and that is all it reads.
      const a = build(group, input, output, dirs[0], guarantee);
      await a.run({ count: 1200 });
      const b = build(group, input, output, dirs[1], guarantee);
      await b.run({ count: 1200 });
      assert.ok(b.stateCounters.restored >= a.stateCounters.changelogged, 'B rebuilt from the whole changelog');
      const again = build(group, input, output, dirs[0], guarantee);
      await again.run({ timeout: 3000 });
      assert.ok(b.stateCounters.changelogged > 0);
      assert.equal(again.stateCounters.restored, b.stateCounters.changelogged, 'A read what B wrote, nothing else');
      // Its copy is now up to date: one more restart reads nothing from the changelog.
      const last = build(group, input, output, dirs[0], guarantee);
      await last.run({ timeout: 1500 });
      assert.equal(last.stateCounters.restored, 0);
      assert.equal(last.counters.processed, 0);
      await checkWindows(output, guarantee);
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  });
}
