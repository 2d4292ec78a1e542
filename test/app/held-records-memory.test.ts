// Nodes that hold records until more input comes, in applications on the in-memory cluster, in virtual time: an
// instance killed mid-run and a new one started write what an uninterrupted run writes, under both guarantees.
// `slidingWindow`, `combineLatest` and `zipLatest` over one topic; `zip`, `mergeSorted` and `joinInterval` over two co-partitioned topics (the
// state kept with the first topic's partitions, the second topic's records read again after a restore skipped).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import type { KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { type Stream, zip } from '../../src/core/index.ts';
import '../../src/window/index.ts';
import type { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, memoryCluster, T0 } from './memory-cluster.ts';
import { advanceUntil, settleAll } from './virtual-time.ts';

const N = 1200;

interface Reading {
  id: number;
  ts: number;
  k: string;
}

type Rec = KafkaRecord<string, Reading>;

/** What each pipeline writes to `out`, from the values of its input topics. */
const pipelines: Record<string, (left: Stream<Rec>, right: Stream<Rec> | null) => Stream<unknown>> = {
  slidingWindow: (left) =>
    left
      .map((r) => r.value.id)
      .slidingWindow(3, { namespace: 'last3' })
      .map((w) => ({ w })),
  // One topic may run a fetch ahead of the other: the queue of one input holds that much (with the default of 10,
  // the source would wait for the other topic, which it cannot read meanwhile).
  zip: (left, right) =>
    zip([left.map((r) => r.value.id), right!.map((r) => r.value.id)], { maxsize: 100_000 }).map(([l, r]) => ({ l, r })),
  mergeSorted: (left, right) =>
    left
      .map((r) => r.value)
      .mergeSorted(
        right!.map((r) => r.value),
        { timestamp: 'ts' },
      )
      .map((v) => ({ id: v.id, ts: v.ts })),
  // Two branches of one topic (every key has both kinds): partition p of each is combined, in the order of its
  // records.
  combineLatest: (left) => {
    const ids = left.map((r) => r.value.id);
    return ids
      .filter((id) => Math.floor(id / 6) % 3 !== 0)
      .combineLatest(
        ids.filter((id) => Math.floor(id / 6) % 3 === 0),
        { emitOn: 0 },
      )
      .map(([v, setpoint]) => ({ v, setpoint }));
  },
  zipLatest: (left) => {
    const ids = left.map((r) => r.value.id);
    return ids
      .filter((id) => Math.floor(id / 6) % 5 !== 0)
      .zipLatest(ids.filter((id) => Math.floor(id / 6) % 5 === 0))
      .map(([v, last]) => ({ v, last }));
  },
  joinInterval: (left, right) =>
    left
      .map((r) => r.value)
      .joinInterval(
        right!.map((r) => r.value),
        { timestamp: 'ts', key: 'k', backward: 300, forward: 100, merge: (l, r) => ({ l: l.id, r: r.id }) },
      ),
};

/** The pipelines that read only the first topic. */
const ONE_TOPIC = new Set(['slidingWindow', 'combineLatest', 'zipLatest']);

function build(kafka: MemoryKafka, clock: VirtualClock, name: string, guarantee: string, clientId: string) {
  const app = memoryApp(kafka, clock, {
    clientId,
    instanceId: clientId,
    commitInterval: '100ms',
    commitEvery: 50,
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  const left = app.stream(app.topic<string, Reading>('left'));
  const right = ONE_TOPIC.has(name) ? null : app.stream(app.topic<string, Reading>('right'));
  pipelines[name]!(left, right).toTopic(app.topic('out'));
  return app;
}

/** A cluster with the two topics (3 partitions each) filled alike: the same keys, each partition sorted in time. */
function cluster(): { clock: VirtualClock; kafka: MemoryKafka } {
  const { clock, kafka } = memoryCluster({ left: 3, right: 3 });
  for (const topic of ['left', 'right']) {
    const shift = topic === 'left' ? 0 : 37;
    kafka.produce(
      topic,
      Array.from({ length: N }, (_, i) => ({
        key: `s${i % 6}`,
        value: { id: topic === 'left' ? i : 10_000 + i, ts: T0 + i * 100 + shift, k: `k${i % 4}` },
      })),
    );
  }
  return { clock, kafka };
}

/** The outputs as sorted JSON lines: with their multiplicity (exactly-once), or without (at-least-once may repeat). */
function outputs(kafka: MemoryKafka, guarantee: string): string[] {
  const lines = kafka.read('out').map((r) => JSON.stringify(r.value));
  return (guarantee === 'exactly-once' ? lines : [...new Set(lines)]).sort();
}

for (const name of Object.keys(pipelines)) {
  for (const guarantee of ['at-least-once', 'exactly-once']) {
    test(`${guarantee}: ${name} of an instance killed mid-run is restored by the next one, its outputs those of an uninterrupted run`, async () => {
      const whole = cluster();
      await settleAll(whole.clock, [build(whole.kafka, whole.clock, name, guarantee, 'whole').run({ timeout: '1s' })]);
      const want = outputs(whole.kafka, guarantee);
      assert.ok(want.length > N / 2, `${want.length} outputs`);

      const { clock, kafka } = cluster();
      const killed = build(kafka, clock, name, guarantee, 'first');
      killed.run({ timeout: '1s' }).catch(() => {}); // it fails once killed, if ever
      const total = ONE_TOPIC.has(name) ? N : 2 * N;
      await advanceUntil(clock, () => killed.counters.processed >= total / 3, 1);
      kafka.crash('first');
      const namespace = name === 'slidingWindow' ? 'last3' : name;
      assert.ok(kafka.read(`g-changelog-${namespace}`).length > 0, 'state went to the changelog before the kill');
      const next = build(kafka, clock, name, guarantee, 'second');
      await settleAll(clock, [next.run({ timeout: '1s' })]);
      assert.ok(next.stateCounters.restored > 0, 'the held records came from the changelog');
      assert.ok(next.counters.processed < total, 'records the restored state covers are not read again');
      assert.deepEqual(outputs(kafka, guarantee), want);
    });
  }
}

test('a zip of two topics that are not co-partitioned is refused', async () => {
  const { clock, kafka } = memoryCluster({ left: 3, right: 2 });
  const app = new Application({ brokers: kafka.brokers, client: kafka, clock, groupId: 'g' });
  const left = app.stream(app.topic<string, Reading>('left')).map((r) => r.value.id);
  const right = app.stream(app.topic<string, Reading>('right')).map((r) => r.value.id);
  zip([left, right]).toTopic(app.topic('out'));
  const [outcome] = await settleAll(clock, [app.run({ timeout: '1s' })]);
  assert.equal(outcome!.status, 'rejected');
  const e = (outcome as PromiseRejectedResult).reason;
  assert.equal(e.code, 'TS_APP_COPARTITION');
  assert.match(e.message, /zip joins "left" \(3 partitions\) with "right" \(2 partitions\)/);
});

test('a zip whose input runs more than maxsize ahead stops the application with TS_ZIP_OVERFLOW naming maxsize, instead of stalling', async () => {
  const { clock, kafka } = cluster(); // each partition of "left" comes before "right" in the fetch order
  const app = memoryApp(kafka, clock);
  const left = app.stream(app.topic<string, Reading>('left')).map((r) => r.value.id);
  const right = app.stream(app.topic<string, Reading>('right')).map((r) => r.value.id);
  zip([left.named('left ids'), right], { maxsize: 10 }).toTopic(app.topic('pairs'));
  const [outcome] = await settleAll(clock, [app.run({ timeout: '1s' })]);
  assert.equal(outcome!.status, 'rejected');
  const e = (outcome as PromiseRejectedResult).reason;
  assert.equal(e.code, 'TS_ZIP_OVERFLOW');
  assert.match(
    e.message,
    /input 1 \("left ids"\) holds 11 elements of partition \d while input 2 has none, more than maxsize 10/,
  );
  assert.match(e.message, /\{ maxsize: 100_000 \}/);
});
