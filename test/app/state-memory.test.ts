// Application state with a changelog, on the in-memory cluster in virtual time: windows restored by a new instance
// from the changelog (not by replaying their records), with lmdb copies on disk, give the same final results as a
// run without restart; a restart with its lmdb copy reads only what the changelog gained since. What only a broker
// shows (compaction, SIGKILL, a rebalance's timing) is in faults.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import { KafkaAdmin, type KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { count, max, sum } from '../../src/index.ts';
import { VirtualClock } from '../../src/time/clock.ts';
import { advanceUntil, settleAll } from './virtual-time.ts';

const T0 = 1_700_000_000_000;

interface Reading {
  id: number;
  sensor: string;
  ts: number;
  v: number;
}

const N = 4000;
const readings: Reading[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  sensor: `s${i % 8}`,
  ts: T0 + i * 100, // 100 windows of 4 s, 40 readings each, 5 per sensor
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

function cluster(): { clock: VirtualClock; kafka: MemoryKafka } {
  const clock = new VirtualClock(T0);
  const kafka = new MemoryKafka({ clock });
  kafka.createTopic('in', 2);
  return { clock, kafka };
}

function build(
  kafka: MemoryKafka,
  clock: VirtualClock,
  stateDir: string | undefined,
  guarantee: string,
  instanceId = '0',
): Application {
  const app = new Application({
    brokers: kafka.brokers,
    client: kafka,
    clock,
    clientId: `i${instanceId}`,
    instanceId,
    groupId: 'g',
    autoOffsetReset: 'earliest',
    ...(stateDir === undefined ? {} : { stateDir }),
    commitInterval: '200ms',
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  app
    .stream(app.topic<string, Reading>('in', { timestamp: (v) => v.ts }))
    .tumblingWindow('4s', { value: (r: KafkaRecord<string, Reading>) => r.value.v, namespace: 'sums' })
    .agg({ n: count(), total: sum(), top: max() })
    .final()
    .toTopic(app.topic('out'));
  return app;
}

/** Runs on `clock` until `running` settles; resolves with its result. */
async function runToEnd<T>(clock: VirtualClock, running: Promise<T>): Promise<T> {
  const [outcome] = await settleAll(clock, [running]);
  if (outcome!.status === 'rejected') throw outcome!.reason;
  return outcome!.value;
}

/** Every closed window came out with the right result: once under exactly-once (at-least-once may repeat one). */
function checkWindows(kafka: MemoryKafka, guarantee: string): void {
  const want = expected();
  const seen = new Set<string>();
  for (const r of kafka.read('out')) {
    const v = r.value as { key: string; start: number; n: number; total: number; top: number };
    const k = `${v.key} ${v.start}`;
    if (guarantee === 'exactly-once') assert.ok(!seen.has(k), `window ${k} once`);
    seen.add(k);
    assert.deepEqual({ n: v.n, total: v.total, top: v.top }, want.get(k), k);
  }
  assert.equal(seen.size, want.size);
}

async function withDirs(n: number, fn: (dirs: string[]) => Promise<void>): Promise<void> {
  const dirs = await Promise.all(Array.from({ length: n }, () => mkdtemp(join(tmpdir(), 'ts-state-'))));
  try {
    await fn(dirs);
  } finally {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a new instance with an empty stateDir restores open windows from the changelog`, async () => {
    const { clock, kafka } = cluster();
    kafka.produce(
      'in',
      readings.map((r) => ({ key: r.sensor, value: r })),
    );
    await withDirs(2, async (dirs) => {
      const first = build(kafka, clock, dirs[0], guarantee);
      await runToEnd(clock, first.run({ count: 1500 }));
      const handledFirst = first.counters.processed;
      assert.ok(handledFirst < N, 'stopped mid-input');
      assert.ok(first.stateCounters.changelogged > 0, 'the first instance wrote its state to the changelog');
      // The changelog has the partitions of the input.
      const admin = new KafkaAdmin({ brokers: kafka.brokers, client: kafka });
      try {
        assert.equal(await admin.partitions('g-changelog-sums'), 2);
      } finally {
        await admin.close();
      }
      const second = build(kafka, clock, dirs[1], guarantee);
      await runToEnd(clock, second.run({ timeout: '3s' }));
      assert.ok(second.stateCounters.restored > 0, 'the second instance restored state from the changelog');
      // Restored, not replayed: the records the first instance had folded into open windows are not read again.
      // Exactly-once reads each record once in all; at-least-once may read again the few records the first
      // instance handled after its last checkpoint.
      const handled = handledFirst + second.counters.processed;
      if (guarantee === 'exactly-once') assert.equal(handled, N);
      else assert.ok(handled >= N && handled <= N + 50, `${handled} records handled for ${N}`);
      checkWindows(kafka, 'exactly-once');
    });
  });
}

test('a second instance joining mid-run takes a partition with its open windows from the changelog into its lmdb copy', async () => {
  const { clock, kafka } = cluster();
  const half = N / 2;
  kafka.produce(
    'in',
    readings.slice(0, half).map((r) => ({ key: r.sensor, value: r })),
  );
  await withDirs(2, async (dirs) => {
    const a = build(kafka, clock, dirs[0], 'at-least-once', 'a');
    const runA = a.run({ timeout: '8s' });
    await advanceUntil(clock, () => a.counters.processed >= half, 1);
    await clock.advance(500); // a checkpoint of the first half
    const b = build(kafka, clock, dirs[1], 'at-least-once', 'b');
    const runB = b.run({ timeout: '8s' });
    await advanceUntil(clock, () => b.stateCounters.restored > 0, 10, 15_000);
    kafka.produce(
      'in',
      readings.slice(half).map((r) => ({ key: r.sensor, value: r })),
    );
    const outcomes = await settleAll(clock, [runA, runB], 50);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.ok(b.counters.processed > 0 && a.counters.processed > half, 'both instances processed records');
    // The second instance continued windows the first had opened: had it not restored them, the windows of its
    // partition open at the hand-over would come out short.
    checkWindows(kafka, 'at-least-once');
  });
});

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a restart with its lmdb copy reads only the changelog written since the copy's checkpoint`, async () => {
    const { clock, kafka } = cluster();
    kafka.produce(
      'in',
      readings.map((r) => ({ key: r.sensor, value: r })),
    );
    await withDirs(2, async (dirs) => {
      // A on its own directory, then B on another (it rebuilds from the whole changelog and goes on), then A
      // again on its first directory: its copy is behind by exactly what B wrote, and that is all it reads.
      const a = build(kafka, clock, dirs[0], guarantee);
      await runToEnd(clock, a.run({ count: 1200 }));
      const b = build(kafka, clock, dirs[1], guarantee);
      await runToEnd(clock, b.run({ count: 1200 }));
      assert.ok(b.stateCounters.restored >= a.stateCounters.changelogged, 'B rebuilt from the whole changelog');
      const again = build(kafka, clock, dirs[0], guarantee);
      await runToEnd(clock, again.run({ timeout: '3s' }));
      assert.ok(b.stateCounters.changelogged > 0);
      assert.equal(again.stateCounters.restored, b.stateCounters.changelogged, 'A read what B wrote, nothing else');
      // Its copy is now up to date: one more restart reads nothing from the changelog.
      const last = build(kafka, clock, dirs[0], guarantee);
      await runToEnd(clock, last.run({ timeout: '1500ms' }));
      assert.equal(last.stateCounters.restored, 0);
      assert.equal(last.counters.processed, 0);
      checkWindows(kafka, guarantee);
    });
  });
}
