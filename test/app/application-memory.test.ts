// Application logic on an in-memory cluster, in virtual time: commits, dead letters, exactly-once outputs, state
// restored from the changelog after a crash, partitions (and their windows) handed over when an instance joins.
// Each test runs in milliseconds; what only a broker shows is in application.test.ts and faults.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/app/index.ts';
import type { KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { count, sum } from '../../src/index.ts';
import type { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, memoryCluster, T0 } from './memory-cluster.ts';
import { checkWindows, N, type Reading, readingRecords, readings, windowSums } from './sensor-windows.ts';
import { advanceUntil, runToEnd, settleAll } from './virtual-time.ts';

test('at-least-once: every record is mapped to the output with its key, the offsets commit, a second run finds nothing', async () => {
  const { clock, kafka } = memoryCluster({ in: 3 });
  kafka.produce(
    'in',
    Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 7}`, value: { id: i, f: 32 + i } })),
  );
  const build = () => {
    const app = memoryApp(kafka, clock);
    app
      .stream(app.topic<string, { id: number; f: number }>('in'))
      .map((r) => ({ id: r.value.id, c: (r.value.f - 32) / 1.8 }))
      .toTopic(app.topic('out'));
    return app;
  };
  const produced = await runToEnd(clock, build().run({ count: 500 }));
  assert.equal(produced.length, 500);
  const out = kafka.read('out');
  assert.deepEqual(
    out.map((r) => (r.value as { id: number }).id).sort((a, b) => a - b),
    Array.from({ length: 500 }, (_, i) => i),
  );
  for (const r of out) assert.equal(r.key, `k${(r.value as { id: number }).id % 7}`);
  const perPartition = [0, 1, 2].map((p) => kafka.read('in').filter((r) => r.partition === p).length);
  assert.deepEqual(kafka.committed('g', 'in'), perPartition);
  assert.deepEqual(await runToEnd(clock, build().run({ timeout: '1s' })), []);
});

test('records that fail to parse or to process are dead-lettered with the reason and offset; the rest flows', async () => {
  const { clock, kafka } = memoryCluster();
  const huge = JSON.stringify({ v: 3, pad: 'x'.repeat(10 * 1024 * 1024) });
  kafka.produce(
    'in',
    ['{"v":1}', '{broken', '{"v":"two"}', huge, '{"v":4}'].map((value) => ({ value })),
  );
  const errors: string[] = [];
  const app = memoryApp(kafka, clock, {
    onProcessingError: (e) => {
      errors.push(String(e));
      return true;
    },
  });
  app
    .stream(app.topic<string, { v: number }>('in'))
    .map((r) => {
      if (typeof r.value.v !== 'number') throw new TypeError(`v is a ${typeof r.value.v}`);
      return r.value.v * 10;
    })
    .toTopic(app.topic('out'));
  const produced = await runToEnd(clock, app.run({ timeout: '1s' }));
  assert.deepEqual(
    produced.map((p) => p.value),
    [10, 40],
  );
  assert.equal(app.counters.deadLettered, 3);
  assert.equal(app.counters.processingErrors, 1);
  assert.match(errors[0]!, /v is a string/);
  const dead = kafka.read('g-dead-letters');
  assert.deepEqual(
    dead.map((r) => [r.value, r.headers['x-error-code'], r.headers['x-source-offset']]),
    [
      ['{broken', 'TS_KAFKA_DESERIALIZE', '1'],
      [{ v: 'two' }, 'TS_KAFKA_PROCESSING', '2'],
      [null, 'TS_KAFKA_TOO_LARGE', '3'],
    ],
  );
  assert.match(dead[1]!.headers['x-error-reason']!, /v is a string/);
  assert.deepEqual(kafka.committed('g', 'in'), [5]);
});

test('exactly-once: each output once, in transactions with its offsets; a second run finds nothing', async () => {
  const { clock, kafka } = memoryCluster({ in: 2 });
  kafka.produce(
    'in',
    Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 5}`, value: { id: i } })),
  );
  const build = () => {
    const app = memoryApp(kafka, clock, {
      processingGuarantee: 'exactly-once',
      commitInterval: '200ms',
    });
    app
      .stream(app.topic<string, { id: number }>('in'))
      .map((r) => ({ id: r.value.id }))
      .toTopic(app.topic('out'));
    return app;
  };
  await runToEnd(clock, build().run({ count: 300 }));
  const ids = kafka.read('out').map((r) => (r.value as { id: number }).id);
  assert.equal(ids.length, 300);
  assert.equal(new Set(ids).size, 300);
  assert.deepEqual(await runToEnd(clock, build().run({ timeout: '1s' })), []);
});

/** One app per instance: `id` with the output, under a guarantee, committing every 50 records. */
function passThrough(
  kafka: MemoryKafka,
  clock: VirtualClock,
  guarantee: string,
  clientId: string,
  instanceId = '0',
): Application {
  const app = memoryApp(kafka, clock, {
    clientId,
    instanceId,
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
    commitInterval: '100ms',
    commitEvery: 50,
  });
  app
    .stream(app.topic<string, { id: number }>('in'))
    .mapAsync(async (r) => ({ id: r.value.id }))
    .toTopic(app.topic('out'));
  return app;
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: an instance killed mid-run and a new one started lose nothing${guarantee === 'exactly-once' ? ', and write each output once' : ''}`, async () => {
    const { clock, kafka } = memoryCluster({ in: 4 });
    const n = 5000;
    kafka.produce(
      'in',
      Array.from({ length: n }, (_, i) => ({ key: `k${i % 16}`, value: { id: i } })),
    );
    const killed = passThrough(kafka, clock, guarantee, 'first');
    const first = killed.run({ timeout: '1s' });
    first.catch(() => {}); // it fails once killed, if ever
    await advanceUntil(clock, () => killed.counters.processed >= 2000, 1);
    kafka.crash('first');
    const committedAtKill = kafka.committed('g', 'in').reduce((a, b) => a + b, 0);
    assert.ok(committedAtKill > 0 && committedAtKill < n, `killed mid-run (${committedAtKill} committed)`);
    const second = passThrough(kafka, clock, guarantee, 'second');
    // The killed one is left as it is (it retries in vain, as nothing of a killed process reaches the cluster).
    await runToEnd(clock, second.run({ timeout: '1s' }));
    assert.ok(second.counters.processed > 0 && second.counters.processed < n, 'the second read from the commits');
    const ids = kafka.read('out').map((r) => (r.value as { id: number }).id);
    assert.equal(new Set(ids).size, n);
    if (guarantee === 'exactly-once') assert.equal(ids.length, n);
  });
}

test('exactly-once: instances joining and leaving while records arrive write each output once', async () => {
  const { clock, kafka } = memoryCluster({ in: 4 });
  const n = 6000;
  let written = 0;
  const write = (count: number) => {
    kafka.produce(
      'in',
      Array.from({ length: count }, (_, i) => ({ key: `k${(written + i) % 16}`, value: { id: written + i } })),
    );
    written += count;
  };
  const apps = new Map<string, Application>();
  const runs: Promise<unknown>[] = [];
  const start = (id: string) => {
    const app = passThrough(kafka, clock, 'exactly-once', id, id);
    apps.set(id, app);
    runs.push(app.run({ timeout: '2s' }));
  };
  const processed = () => [...apps.values()].reduce((t, a) => t + a.counters.processed, 0);
  start('a');
  // 100 records every 10 ms; members come and go in between.
  const steps: Record<number, () => void> = {
    10: () => start('b'),
    25: () => start('c'),
    35: () => void apps.get('a')!.stop(),
    45: () => start('d'),
    50: () => void apps.get('c')!.stop(),
  };
  for (let step = 0; written < n; step++) {
    write(100);
    steps[step]?.();
    await clock.advance(10);
  }
  const outcomes = await settleAll(clock, runs, 50);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    outcomes.map(() => 'fulfilled'),
  );
  assert.ok(processed() >= n);
  const ids = kafka.read('out').map((r) => (r.value as { id: number }).id);
  assert.equal(new Set(ids).size, n, 'every record');
  assert.equal(ids.length, n, 'each once');
});

test('exactly-once: a commit under way when the group rebalances is refused, aborted and its work read again, not fatal', async () => {
  const { clock, kafka } = memoryCluster({ in: 2 });
  const n = 400;
  kafka.produce(
    'in',
    Array.from({ length: n }, (_, i) => ({ key: `k${i % 8}`, value: { id: i } })),
  );
  // Each record takes 30 ms of the clock: a commit waits that long for what is in flight before it adds offsets.
  const build = (id: string) => {
    const app = memoryApp(kafka, clock, {
      clientId: id,
      instanceId: id,
      commitInterval: '100ms',
      processingGuarantee: 'exactly-once',
    });
    app
      .stream(app.topic<string, { id: number }>('in'))
      .mapAsync(
        async (r) => {
          await new Promise<void>((resolve) => clock.setTimer(30, resolve));
          return { id: r.value.id };
        },
        { parallelism: 4 },
      )
      .toTopic(app.topic('out'));
    return app;
  };
  const a = build('a');
  const runA = a.run({ timeout: '1s' });
  await advanceUntil(clock, () => a.counters.processed >= 20, 1);
  // The commit timer fires at the next multiple of 100 ms; the second instance joins while it waits.
  await clock.advance(100 - (clock.now() % 100) + 5);
  const b = build('b');
  const outcomes = await settleAll(clock, [runA, b.run({ timeout: '1s' })], 20);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'fulfilled'],
  );
  assert.ok(b.counters.processed > 0, 'the second instance got a partition');
  const ids = kafka.read('out').map((r) => (r.value as { id: number }).id);
  assert.equal(new Set(ids).size, n, 'every record');
  assert.equal(ids.length, n, 'each once');
});

function windows(
  kafka: MemoryKafka,
  clock: VirtualClock,
  guarantee: string,
  clientId: string,
  instanceId = '0',
  commits: { commitInterval: string; commitEvery?: number } = { commitInterval: '200ms', commitEvery: 100 },
) {
  const app = memoryApp(kafka, clock, {
    clientId,
    instanceId,
    ...commits,
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  return windowSums(app);
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: windows of an instance killed mid-run are restored from the changelog by the next one`, async () => {
    const { clock, kafka } = memoryCluster({ in: 2 });
    kafka.produce('in', readingRecords());
    const killed = windows(kafka, clock, guarantee, 'first');
    const first = killed.run({ timeout: '1s' });
    first.catch(() => {});
    await advanceUntil(clock, () => killed.counters.processed >= 1500, 1);
    kafka.crash('first');
    assert.ok(kafka.read('g-changelog-sums').length > 0, 'state went to the changelog before the kill');
    const next = windows(kafka, clock, guarantee, 'second');
    await runToEnd(clock, next.run({ timeout: '1s' }));
    assert.ok(next.stateCounters.restored > 0, 'the open windows came from the changelog');
    assert.ok(next.counters.processed < N, 'records the restored state covers are not read again');
    checkWindows(kafka, guarantee);
  });
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a second instance joining mid-run takes partitions with their open windows${guarantee === 'exactly-once' ? ', each window once' : ''}`, async () => {
    const { clock, kafka } = memoryCluster({ in: 4 });
    const half = N / 2;
    kafka.produce('in', readingRecords(0, half));
    const commits = { commitInterval: '5s' };
    const a = windows(kafka, clock, guarantee, 'a', '0', commits);
    const runA = a.run({ timeout: '6s' });
    await advanceUntil(clock, () => a.counters.processed >= half, 1);
    await clock.advance(5000); // a commit: the first half's offsets, outputs and state
    assert.ok(
      kafka.committed('g', 'in').some((o) => o > 0),
      'the first half committed',
    );
    // The second half is processed before the next commit: when the second instance joins, the first holds
    // outputs of the partitions it loses in its open transaction (windows closed by records not committed yet).
    kafka.produce('in', readingRecords(half));
    await advanceUntil(clock, () => a.counters.processed >= N, 1);
    const b = windows(kafka, clock, guarantee, 'b', '1', commits);
    const outcomes = await settleAll(clock, [runA, b.run({ timeout: '6s' })], 50);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.ok(b.counters.processed > 0, 'the second instance got partitions');
    assert.ok(b.stateCounters.restored > 0, 'with the windows they held');
    checkWindows(kafka, guarantee);
  });
}

test('exactly-once: windows closed by the clock while transactions commit come out once each', async () => {
  const { clock, kafka } = memoryCluster();
  const app = memoryApp(kafka, clock, {
    commitInterval: '10ms',
    processingGuarantee: 'exactly-once',
  });
  app
    .stream(app.topic<string, { id: number; ts: number }>('in', { timestamp: (v) => v.ts }))
    .tumblingWindow('10ms', {
      value: (r: KafkaRecord<string, { id: number; ts: number }>) => r.value.id,
      idleTimeout: '15ms',
      namespace: 'timers',
    })
    .agg({ n: count(), ids: sum() })
    .final()
    .toTopic(app.topic('out'));
  const running = app.run({ timeout: '1s' });
  // Readings one second apart in event time, written every 25 ms of the clock: each window closes on the clock.
  for (let i = 0; i < 150; i++) {
    kafka.produce('in', [{ key: 'k', value: { id: i, ts: T0 + i * 1000 } }]);
    await clock.advance(25);
  }
  await runToEnd(clock, running);
  const got = kafka.read('out').map((r) => r.value as { n: number; ids: number });
  assert.deepEqual(
    got.map((w) => w.ids).sort((x, y) => x - y),
    Array.from({ length: 150 }, (_, i) => i),
  );
  assert.ok(got.every((w) => w.n === 1));
});

test('exactly-once with changelog: false is refused at run() when the graph keeps state, allowed when it keeps none', async () => {
  const { clock, kafka } = memoryCluster({ in: 2 });
  kafka.produce('in', [{ key: 'a', value: { ts: T0, v: 1 } }]);
  const build = (windowed: boolean) => {
    const app = memoryApp(kafka, clock, {
      groupId: windowed ? 'g-windows' : 'g-map',
      processingGuarantee: 'exactly-once',
      changelog: false,
    });
    const input = app.stream(app.topic<string, { ts: number; v: number }>('in', { timestamp: (v) => v.ts }));
    const out = app.topic('out');
    if (windowed)
      input
        .tumblingWindow('1s', { value: (r: any) => r.value.v })
        .agg({ n: count() })
        .final()
        .toTopic(out);
    else input.map((r) => r.value.v).toTopic(out);
    return app;
  };
  await assert.rejects(
    runToEnd(clock, build(true).run({ count: 1 })),
    (e: any) =>
      e.code === 'TS_APP_NO_CHANGELOG' &&
      /tumblingWindow|window/.test(e.message) &&
      /Remove changelog: false/.test(e.message) &&
      /at-least-once/.test(e.message),
  );
  assert.deepEqual(await runToEnd(clock, build(false).run({ count: 1 })), [{ topic: 'out', value: 1 }]);
});

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: a window fed by an error branch (catch()) is checkpointed and restored like the others`, async () => {
    const { clock, kafka } = memoryCluster({ in: 2 });
    kafka.produce('in', readingRecords());
    const build = (clientId: string) => {
      const app = memoryApp(kafka, clock, {
        clientId,
        commitInterval: '200ms',
        commitEvery: 100,
        processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
      });
      const checked = app.stream(app.topic<string, Reading>('in', { timestamp: (v) => v.ts })).map((r) => {
        if (r.value.v === 0) throw new Error('no reading');
        return r.value.id;
      });
      // State on the main path too: the records' offsets are then covered by the checkpoint, not by the commits.
      checked.accumulate((n: number) => n + 1, { start: 0 }).toTopic(app.topic('ok'));
      checked
        .catch()
        .tumblingWindow('40s', {
          key: (e: any) => e.value.key,
          timestamp: (e: any) => e.value.value.ts,
          value: (e: any) => e.value.value.id,
          namespace: 'failures',
        })
        .agg({ n: count(), ids: sum() })
        .final()
        .toTopic(app.topic('failures'));
      return app;
    };
    const killed = build('first');
    killed.run({ timeout: '1s' }).catch(() => {});
    await advanceUntil(clock, () => killed.counters.processed >= 1500, 1);
    kafka.crash('first');
    await runToEnd(clock, build('second').run({ timeout: '1s' }));
    const failed = readings.filter((r) => r.v === 0);
    const last = new Map<string, number>();
    for (const r of failed) last.set(r.sensor, Math.max(last.get(r.sensor) ?? 0, r.ts));
    const want = new Map<string, { n: number; ids: number }>();
    for (const r of failed) {
      const start = r.ts - (r.ts % 40_000);
      if (start + 40_000 > last.get(r.sensor)!) continue;
      const w = want.get(`${r.sensor} ${start}`) ?? { n: 0, ids: 0 };
      want.set(`${r.sensor} ${start}`, { n: w.n + 1, ids: w.ids + r.id });
    }
    const got = new Map<string, { n: number; ids: number }>();
    for (const r of kafka.read('failures')) {
      const v = r.value as { key: string; start: number; n: number; ids: number };
      const k = `${v.key} ${v.start}`;
      if (guarantee === 'exactly-once') assert.ok(!got.has(k), `window ${k} once`);
      got.set(k, { n: v.n, ids: v.ids });
    }
    assert.ok(want.size > 20);
    assert.deepEqual(got, want);
  });
}
