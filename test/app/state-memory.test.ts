// Application state with a changelog, on the in-memory cluster in virtual time: windows restored by a new instance
// from the changelog (not by replaying their records), with lmdb copies on disk, give the same final results as a
// run without restart; a restart with its lmdb copy reads only what the changelog gained since. What only a broker
// shows (compaction, SIGKILL, a rebalance's timing) is in faults.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Application } from '../../src/app/index.ts';
import { KafkaAdmin, type MemoryKafka } from '../../src/connectors/kafka/index.ts';
import type { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, memoryCluster } from './memory-cluster.ts';
import { checkWindows, N, readingRecords, windowSums } from './sensor-windows.ts';
import { advanceUntil, runToEnd, settleAll } from './virtual-time.ts';

function build(
  kafka: MemoryKafka,
  clock: VirtualClock,
  stateDir: string | undefined,
  guarantee: string,
  instanceId = '0',
): Application {
  const app = memoryApp(kafka, clock, {
    clientId: `i${instanceId}`,
    instanceId,
    ...(stateDir === undefined ? {} : { stateDir }),
    commitInterval: '200ms',
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  return windowSums(app);
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
    const { clock, kafka } = memoryCluster({ in: 2 });
    kafka.produce('in', readingRecords());
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
  const { clock, kafka } = memoryCluster({ in: 2 });
  const half = N / 2;
  kafka.produce('in', readingRecords(0, half));
  await withDirs(2, async (dirs) => {
    const a = build(kafka, clock, dirs[0], 'at-least-once', 'a');
    const runA = a.run({ timeout: '8s' });
    await advanceUntil(clock, () => a.counters.processed >= half, 1);
    await clock.advance(500); // a checkpoint of the first half
    const b = build(kafka, clock, dirs[1], 'at-least-once', 'b');
    const runB = b.run({ timeout: '8s' });
    await advanceUntil(clock, () => b.stateCounters.restored > 0, 10, 15_000);
    kafka.produce('in', readingRecords(half));
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
    const { clock, kafka } = memoryCluster({ in: 2 });
    kafka.produce('in', readingRecords());
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
