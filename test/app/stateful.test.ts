// User state (`apply(fn, { stateful: true })`) in an application, against the real broker: checkpointed to its
// changelog with the offsets, restored by a new instance (empty state directory) and by an instance joining
// mid-run; every output equals the running totals computed directly.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import type { State } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

interface Reading {
  id: number;
  sensor: string;
  v: number;
}
interface Out {
  id: number;
  n: number;
  total: number;
}

const N = 4000;
const readings: Reading[] = Array.from({ length: N }, (_, i) => ({ id: i, sensor: `s${i % 8}`, v: (i * 7) % 13 }));

/** What each reading must come out with: the count and total of its sensor so far, itself included. */
function expected(): Map<number, { n: number; total: number }> {
  const running = new Map<string, { n: number; total: number }>();
  const out = new Map<number, { n: number; total: number }>();
  for (const r of readings) {
    const s = running.get(r.sensor) ?? { n: 0, total: 0 };
    const next = { n: s.n + 1, total: s.total + r.v };
    running.set(r.sensor, next);
    out.set(r.id, next);
  }
  return out;
}

function build(group: string, input: string, output: string, guarantee: string, stateDir?: string, instanceId = '0') {
  const app = new Application({
    brokers,
    instanceId,
    groupId: group,
    autoOffsetReset: 'earliest',
    commitInterval: '200ms',
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
    ...(stateDir === undefined ? {} : { stateDir }),
  });
  const inTopic = app.topic<string, Reading>(input, { value: 'json' });
  const outTopic = app.topic(output, { value: 'json' });
  app
    .stream(inTopic)
    .map((r) => r.value)
    .apply(
      (r, state: State<{ n: number; total: number }>) => {
        const n = state.get('n', 0) + 1;
        const total = state.get('total', 0) + r.v;
        state.set('n', n);
        state.set('total', total);
        return { id: r.id, n, total };
      },
      { stateful: true, namespace: 'running' },
    )
    .toTopic(outTopic);
  return app;
}

/** Every reading came out with its running count and total (once under exactly-once; again, the same, at least once). */
async function checkOutputs(output: string, guarantee: string): Promise<void> {
  const want = expected();
  const got = await readAll<Out>(brokers, output, guarantee === 'exactly-once' ? { expect: N } : {});
  const seen = new Set<number>();
  const wrong: string[] = [];
  for (const r of got) {
    if (guarantee === 'exactly-once') assert.ok(!seen.has(r.value.id), `reading ${r.value.id} came out once`);
    seen.add(r.value.id);
    const w = want.get(r.value.id)!;
    if (w.n !== r.value.n || w.total !== r.value.total)
      wrong.push(`${r.value.id}: ${r.value.n}/${r.value.total}, want ${w.n}/${w.total}`);
  }
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${got.length} outputs differ`);
  assert.equal(seen.size, N);
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a new instance with an empty stateDir resumes user state from the changelog`, async () => {
    const input = uniqueName('stateful-in');
    const output = uniqueName('stateful-out');
    const group = uniqueName('stateful');
    const half = N / 2;
    // The first half of both partitions for the first instance; a partition is restored when its first record
    // comes, so the second instance gets the second half.
    await produceJson(brokers, input, readings.slice(0, half), (r) => r.sensor, 2);
    const dirs = [await mkdtemp(join(tmpdir(), 'ts-stateful-')), await mkdtemp(join(tmpdir(), 'ts-stateful-'))];
    try {
      const first = build(group, input, output, guarantee, dirs[0]);
      await first.run({ timeout: 2000 });
      assert.equal(first.counters.processed, half);
      assert.ok(first.stateCounters.changelogged > 0, 'the first instance wrote its state to the changelog');
      await produceJson(brokers, input, readings.slice(half), (r) => r.sensor, 2);
      const second = build(group, input, output, guarantee, dirs[1]);
      await second.run({ timeout: 3000 });
      assert.ok(second.stateCounters.restored > 0, 'the second instance restored state from the changelog');
      // Restored, not replayed: the second instance read only the second half.
      assert.equal(second.counters.processed, N - half);
      await checkOutputs(output, guarantee);
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  });
}

test('a second instance joining mid-run takes a partition with its user state from the changelog', async () => {
  const input = uniqueName('stateful-in');
  const output = uniqueName('stateful-out');
  const group = uniqueName('stateful');
  const half = N / 2;
  await produceJson(brokers, input, readings.slice(0, half), (r) => r.sensor, 2);
  const a = build(group, input, output, 'at-least-once', undefined, 'a');
  const runA = a.run({ timeout: 8000 });
  while (a.counters.processed < half) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500)); // a checkpoint of the first half
  const b = build(group, input, output, 'at-least-once', undefined, 'b');
  const runB = b.run({ timeout: 8000 });
  // A partition is restored when its first record comes: give the group time to hand the second instance one.
  await new Promise((r) => setTimeout(r, 4000));
  await produceJson(brokers, input, readings.slice(half), (r) => r.sensor, 2);
  await Promise.all([runA, runB]);
  assert.ok(b.stateCounters.restored > 0, 'the second instance restored a partition from the changelog');
  assert.ok(b.counters.processed > 0, 'the second instance processed records');
  // Had it started its partition's sensors from nothing, their totals after the hand-over would be short.
  await checkOutputs(output, 'at-least-once');
});
