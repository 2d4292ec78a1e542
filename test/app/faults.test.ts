// Faults against the real broker: processors killed with SIGKILL and restarted (at-least-once loses nothing,
// exactly-once writes each output once), a broker restarted mid-run, a second instance joining mid-run.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { startKafka } from '../../scripts/kafka.ts';
import { Application, count } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll } from './kafka-io.ts';

const N = 100_000;

function processor(args: string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['test/app/fault-processor.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

async function killedRuns(guarantee: string): Promise<{ ids: number[]; kills: number }> {
  const brokers = await kafkaBrokers();
  const input = uniqueName('fault-in');
  const output = uniqueName('fault-out');
  const group = uniqueName('fault');
  await produceJson(
    brokers,
    input,
    Array.from({ length: N }, (_, i) => ({ id: i })),
    (v) => `k${v.id % 16}`,
    4,
  );
  const args = [
    '--brokers',
    brokers.join(','),
    '--input',
    input,
    '--output',
    output,
    '--group',
    group,
    '--guarantee',
    guarantee,
  ];
  let kills = 0;
  // Kill the processor at random points, three times; then let one run to the end.
  for (let i = 0; i < 3; i++) {
    const p = processor(args);
    await new Promise((r) => setTimeout(r, 2500 + Math.random() * 2500));
    if (p.child.exitCode === null) {
      p.child.kill('SIGKILL');
      kills++;
    }
    await p.exited;
  }
  // The last run stops after 20 s without input: it first waits for the killed members' sessions to expire and,
  // under exactly-once, for their transactions to be fenced and retried, pauses longer than a few seconds.
  const last = processor([...args, '--idle', '20000']);
  const code = await last.exited;
  assert.equal(code, 0, last.output());
  const out = await readAll<{ id: number }>(brokers, output, { quietMs: 2000 });
  const seen = new Map<number, string>();
  const dups: string[] = [];
  for (const r of out) {
    const prev = seen.get(r.value.id);
    if (prev !== undefined && dups.length < 6) dups.push(`${r.value.id}: ${prev} / p${r.partition}@${r.offset}`);
    seen.set(r.value.id, `p${r.partition}@${r.offset}`);
  }
  if (dups.length) console.log('DUPS', dups.join(' | '));
  return { ids: out.map((r) => r.value.id), kills };
}

test('at-least-once: processors killed with SIGKILL and restarted lose nothing', async () => {
  const { ids, kills } = await killedRuns('at-least-once');
  assert.ok(kills >= 1, 'at least one processor was killed mid-run');
  assert.equal(new Set(ids).size, N);
  assert.ok(ids.length >= N);
});

test('exactly-once: processors killed with SIGKILL and restarted write each output exactly once', async () => {
  const { ids, kills } = await killedRuns('exactly-once');
  assert.ok(kills >= 1, 'at least one processor was killed mid-run');
  assert.equal(ids.length, N);
  assert.equal(new Set(ids).size, N);
});

test('a broker restarted mid-run: the application reconnects and finishes with nothing lost', async () => {
  const kafka = await startKafka();
  try {
    const brokers = kafka.brokers;
    const input = uniqueName('restart-in');
    const output = uniqueName('restart-out');
    const n = 20_000;
    await produceJson(
      brokers,
      input,
      Array.from({ length: n }, (_, i) => ({ id: i })),
      undefined,
      2,
    );
    const app = new Application({
      brokers,
      consumerGroup: uniqueName('restart'),
      autoOffsetReset: 'earliest',
      retries: 60,
      retryDelay: 250,
      commitInterval: '200ms',
    });
    // Slow enough that the restart lands mid-run.
    app
      .stream(app.topic<string, { id: number }>(input))
      .mapAsync(async (r) => {
        if (r.value.id % 500 === 0) await new Promise((res) => setTimeout(res, 20));
        return { id: r.value.id };
      })
      .toTopic(app.topic(output));
    const running = app.run({ timeout: 8000 });
    while (app.counters.processed < 2000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(app.counters.processed < n, 'the restart lands mid-run');
    await kafka.restart();
    await running;
    const out = await readAll<{ id: number }>(brokers, output, { quietMs: 2000 });
    assert.equal(new Set(out.map((r) => r.value.id)).size, n);
  } finally {
    await kafka.stop();
  }
});

test('a second instance joining mid-run takes partitions; every window equals the single-instance result', async () => {
  const brokers = await kafkaBrokers();
  const input = uniqueName('scale-in');
  const group = uniqueName('scale');
  const keys = 12;
  const perKey = 2000;
  // Each key: one reading every 100 ms of event time, so 10 per 1 s window.
  const values = [];
  for (let i = 0; i < perKey; i++)
    for (let k = 0; k < keys; k++) values.push({ id: i * keys + k, k: `s${k}`, t: 1_700_000_000_000 + i * 100 });
  await produceJson(brokers, input, values, (v) => v.k, 4);
  const build = (output: string, groupId: string) => {
    const app = new Application({
      brokers,
      consumerGroup: groupId,
      autoOffsetReset: 'earliest',
      commitInterval: '200ms',
      sessionTimeout: '3s',
    });
    app
      .stream(app.topic<string, { t: number }>(input))
      .tumblingWindow('1s', { timestamp: (r: any) => r.value.t })
      .agg({ n: count() })
      .final()
      .map((w) => ({ key: w.key, end: w.end, n: w.n }))
      .toTopic(app.topic(output));
    return app;
  };
  const single = uniqueName('scale-single');
  await build(single, uniqueName('single')).run({ timeout: 3000 });
  const output = uniqueName('scale-out');
  const a = build(output, group);
  const runA = a.run({ timeout: 6000 });
  while (a.counters.processed < 3000) await new Promise((r) => setTimeout(r, 10));
  const b = build(output, group);
  const runB = b.run({ timeout: 6000 });
  await Promise.all([runA, runB]);
  assert.ok(b.counters.processed > 0, 'the second instance got partitions');
  const expected = await readAll<{ key: string; end: number; n: number }>(brokers, single, { quietMs: 1500 });
  const got = await readAll<{ key: string; end: number; n: number }>(brokers, output, { quietMs: 1500 });
  const asMap = (rs: { value: { key: string; end: number; n: number } }[]) =>
    new Map(rs.map((r) => [`${r.value.key}@${r.value.end}`, r.value.n]));
  const want = asMap(expected);
  const have = asMap(got);
  assert.equal(want.size, keys * (perKey / 10 - 1));
  assert.deepEqual([...have.entries()].sort(), [...want.entries()].sort());
});
