// Local lmdb copies of application state that the changelog has moved past, on the in-memory cluster in virtual
// time: a copy another process wrote around (a zombie under at-least-once) catches up in the changelog's order, and
// a copy lagging behind a checkpoint older than half the changelog's delete.retention.ms (a tombstone written since
// may be compacted away) is rebuilt from the changelog instead of trusted.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Application } from '../../src/app/index.ts';
import { KafkaAdmin, type KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import type { State } from '../../src/index.ts';
import { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, T0 } from './memory-cluster.ts';
import { advanceUntil, settleAll } from './virtual-time.ts';

const HOUR = 3_600_000;

/** A running count per record key (a record with `reset` deletes it), in stateful apply; lmdb copies in `dir`. */
function build(kafka: MemoryKafka, clock: VirtualClock, dir: string | undefined, clientId: string): Application {
  const app = memoryApp(kafka, clock, {
    clientId,
    commitInterval: '100ms',
    commitEvery: 20,
    ...(dir === undefined ? {} : { stateDir: dir }),
  });
  app
    .stream(app.topic<string, { reset?: boolean }>('in'))
    .apply(
      (r: KafkaRecord<string, { reset?: boolean }>, state: State<{ n: number }>) => {
        if (r.value.reset) {
          state.delete('n');
          return { k: r.key, n: 0 };
        }
        const n = state.get('n', 0) + 1;
        state.set('n', n);
        return { k: r.key, n };
      },
      { stateful: true, namespace: 'counts' },
    )
    .toTopic(app.topic('out'));
  return app;
}

function cluster(clock: VirtualClock): MemoryKafka {
  const kafka = new MemoryKafka({ clock });
  kafka.createTopic('in', 1);
  return kafka;
}

async function runToEnd(clock: VirtualClock, app: Application): Promise<void> {
  const [outcome] = await settleAll(clock, [app.run({ timeout: '1s' })]);
  if (outcome!.status === 'rejected') throw outcome!.reason;
}

/** The count last written for record key `k`. */
function lastCount(kafka: MemoryKafka, k: string): number | undefined {
  const mine = kafka.read('out').filter((r) => (r.value as { k: string }).k === k);
  return (mine.at(-1)?.value as { n: number } | undefined)?.n;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-stale-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('at-least-once: a changelog write by another process between two checkpoints is caught up in the changelog order', async () => {
  await withDir(async (dir) => {
    const clock = new VirtualClock(T0);
    const kafka = cluster(clock);
    kafka.produce('in', [{ key: 'z', value: {} }]);
    kafka.produce(
      'in',
      Array.from({ length: 2000 }, (_, i) => ({ key: `k${i % 3}`, value: {} })),
    );
    const first = build(kafka, clock, dir, 'first');
    const running = first.run({ timeout: '1s' });
    await advanceUntil(clock, () => first.counters.processed >= 500, 1);
    // A zombie that lost the partition still writes z's count: the changelog now says 1000, after this copy's
    // checkpoint and before its next write.
    const zKey = kafka
      .read('g-changelog-counts')
      .map((r) => r.key?.toString())
      .find((k) => k?.includes('"z"'));
    assert.ok(zKey !== undefined, "z's count is in the changelog");
    kafka.produce('g-changelog-counts', [{ key: zKey, value: 1000, partition: 0 }]);
    const [outcome] = await settleAll(clock, [running]);
    assert.equal(outcome!.status, 'fulfilled');
    // The copy's checkpoint stayed before that write: the next run reads from there, and its z is the changelog's.
    kafka.produce('in', [{ key: 'z', value: {} }]);
    const second = build(kafka, clock, dir, 'second');
    await runToEnd(clock, second);
    assert.equal(lastCount(kafka, 'z'), 1001);
    assert.ok(second.stateCounters.restored > 0, 'the copy caught up from its checkpoint');
  });
});

/**
 * A copy of cluster `old` (z counted 3 times) used with a cluster whose changelog has moved on without z (as after
 * z's delete and the compaction of its set and tombstone): 12 hours, or `wait`, later.
 */
async function staleCopy(wait: number, retention?: number): Promise<{ z: number | undefined; restored: number }> {
  let result: { z: number | undefined; restored: number } = { z: undefined, restored: 0 };
  await withDir(async (dir) => {
    const clock = new VirtualClock(T0);
    const old = cluster(clock);
    old.produce(
      'in',
      Array.from({ length: 3 }, () => ({ key: 'z', value: {} })),
    );
    await runToEnd(clock, build(old, clock, dir, 'old'));
    assert.equal(lastCount(old, 'z'), 3);

    const kafka = cluster(clock);
    if (retention !== undefined) {
      const admin = new KafkaAdmin({ brokers: kafka.brokers, client: kafka });
      await admin.ensureTopics([
        {
          name: 'g-changelog-counts',
          partitions: 1,
          config: { 'cleanup.policy': 'compact', 'delete.retention.ms': retention },
        },
      ]);
      await admin.close();
    }
    kafka.produce(
      'in',
      Array.from({ length: 400 }, (_, i) => ({ key: `k${i % 5}`, value: {} })),
    );
    await runToEnd(clock, build(kafka, clock, undefined, 'other'));
    await clock.advance(wait);
    kafka.produce('in', [{ key: 'z', value: {} }]);
    const next = build(kafka, clock, dir, 'next');
    await runToEnd(clock, next);
    result = { z: lastCount(kafka, 'z'), restored: next.stateCounters.restored };
  });
  return result;
}

test('a copy lagging behind a checkpoint older than half the default delete.retention.ms (1 day) is rebuilt', async () => {
  const { z } = await staleCopy(13 * HOUR);
  assert.equal(z, 1, 'z is not in the changelog: the rebuilt copy has no count for it');
});

test("the changelog's own delete.retention.ms is read: 40 minutes after a checkpoint, 1 hour of retention rebuilds", async () => {
  const { z } = await staleCopy(40 * 60_000, HOUR);
  assert.equal(z, 1);
});

test('a copy lagging behind a recent checkpoint is trusted: it catches up from there', async () => {
  const fresh = await staleCopy(10 * 60_000, HOUR);
  assert.equal(fresh.z, 4, 'the copy kept z (no tombstone since its checkpoint could have gone)');
  const rebuilt = await staleCopy(40 * 60_000, HOUR);
  assert.ok(
    fresh.restored < rebuilt.restored,
    `caught up (${fresh.restored}) rather than rebuilt (${rebuilt.restored})`,
  );
});
