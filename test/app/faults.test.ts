// Faults against the real broker: processors killed with SIGKILL and restarted (at-least-once loses nothing,
// exactly-once writes each output once; windows restored from their changelog come out as without the kills), a
// broker restarted mid-run, a second instance joining mid-run.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startKafka } from '../../scripts/kafka.ts';
import { Application } from '../../src/app/index.ts';
import type { KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { count } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll, stopAtEnd } from './kafka-io.ts';

const N = 100_000;

interface Processor {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  /** The last progress it printed: records processed, commits made (offsets, and state with its changelog). */
  progress: { processed: number; commits: number };
}

function processor(args: string[]): Processor {
  const child = spawn(process.execPath, ['test/app/fault-processor.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const progress = { processed: 0, commits: 0 };
  child.stdout!.on('data', (d) => {
    const text = String(d);
    for (const m of text.matchAll(/progress processed=(\d+) commits=(\d+)/g)) {
      progress.processed = Number(m[1]);
      progress.commits = Number(m[2]);
    }
    out += text.replace(/progress [^\n]*\n/g, '');
  });
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, progress };
}

/** Waits until `ready()` or the process ended (or 60 s passed). */
async function until(p: Processor, ready: () => boolean): Promise<void> {
  const by = Date.now() + 60_000;
  while (!ready() && p.child.exitCode === null && Date.now() < by) await new Promise((r) => setTimeout(r, 5));
}

const KEYS = 16;

/** What the fault runs read: `id`, keyed `k<id % 16>`, each key one reading every 100 ms of event time. */
function inputValues(n: number): { id: number; t: number }[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, t: 1_700_000_000_000 + Math.floor(i / KEYS) * 100 }));
}

interface FaultRun {
  /** Windows with their state in the changelog instead of a map. */
  window?: boolean;
  /** The processors' state directory (windows): wiped before the first and third restart, kept before the second. */
  stateDir?: string;
  /** A yielding `mapAsync` before the windows (records in flight at every commit). */
  async?: boolean;
  /** State in every stage before the output: accumulate, joinAsof, partition, stateful apply, toFrames and a frame
   * window. */
  pipeline?: boolean;
  /** The input joined as of its time with a topic of references (`joinAsof` across topics) before the windows. */
  join?: boolean;
  /**
   * Each record enriched with its key's room from a table topic (`joinLookup`), loaded by a first run before the
   * input is written (so an uninterrupted run enriches every record).
   */
  lookup?: boolean;
}

async function killedRuns(
  guarantee: string,
  run: FaultRun = {},
): Promise<{
  out: KafkaRecord<string, any>[];
  kills: number;
  reference: KafkaRecord<string, any>[] | null;
  /** What the last processor printed when it finished (`done processed=... restored=...`). */
  last: string;
}> {
  const brokers = await kafkaBrokers();
  const input = uniqueName('fault-in');
  const output = uniqueName('fault-out');
  const group = uniqueName('fault');
  const rooms = uniqueName('fault-rooms');
  if (!run.lookup) await produceJson(brokers, input, inputValues(N), (v) => `k${v.id % KEYS}`, 4);
  const refs = uniqueName('fault-refs');
  if (run.join) {
    // A reference per key every 500 ms of event time (q: its rank), and one past the last reading.
    const values: { k: string; t: number; q: number }[] = [];
    const end = inputValues(N).at(-1)!.t + 1000;
    for (let t = 1_700_000_000_000, q = 0; t <= end; t += 500, q++) {
      for (let k = 0; k < KEYS; k++) values.push({ k: `k${k}`, t, q });
    }
    await produceJson(brokers, refs, values, (v) => v.k, 4);
  }
  const args = (out: string, g: string) => [
    '--brokers',
    brokers.join(','),
    '--input',
    input,
    '--output',
    out,
    '--group',
    g,
    '--guarantee',
    guarantee,
    ...(run.window ? ['--window'] : []),
    ...(run.async ? ['--async'] : []),
    ...(run.pipeline ? ['--pipeline'] : []),
    ...(run.join ? ['--join-topic', refs] : []),
    ...(run.lookup ? ['--lookup-topic', rooms] : []),
  ];
  if (run.lookup) {
    // The table first (a room per key, keyed alike: co-partitioned), read to its end with the input still empty.
    await produceJson(brokers, input, [], undefined, 4);
    await produceJson(
      brokers,
      rooms,
      Array.from({ length: KEYS }, (_, k) => ({ k: `k${k}`, room: `room-${k}` })),
      (v) => v.k,
      4,
    );
    const loader = processor([...args(output, group), '--until-end', '--idle', '60000']);
    assert.equal(await loader.exited, 0, loader.output());
    await produceJson(brokers, input, inputValues(N), (v) => `k${v.id % KEYS}`, 4);
  }
  // With windows, the same processor once without interruption (its own group, output and memory state), meanwhile.
  const refOutput = uniqueName('fault-ref');
  const reference = run.window
    ? processor([...args(refOutput, uniqueName('ref')), '--until-end', '--idle', '60000'])
    : null;
  const stateArgs = (i: number) => {
    if (run.stateDir === undefined) return [];
    if (i % 2 === 1) rmSync(run.stateDir, { recursive: true, force: true });
    return ['--state-dir', run.stateDir];
  };
  let kills = 0;
  // Kill the processor mid-run, three times, each after a random 5-20 % of the input (and, with windows, once it
  // committed state to the changelog at least once), however long starting and joining took; then let one run
  // to the end.
  for (let i = 0; i < 3; i++) {
    // Long idle: on a loaded machine a rejoin (the killed member's session expiring) and a restore can take longer
    // than the default 4 s of silence, and a processor that stopped by itself would not be killed.
    const p = processor([...args(output, group), ...stateArgs(i), '--idle', '60000']);
    const target = Math.floor(N * (0.05 + Math.random() * 0.15));
    await until(p, () => p.progress.processed >= target && (!run.window || p.progress.commits > 0));
    if (p.child.exitCode === null) {
      p.child.kill('SIGKILL');
      kills++;
    }
    const code = await p.exited;
    // Ended by itself before the kill: say why (a failure, or its input went quiet for `--idle`).
    if (code !== null) assert.equal(code, 0, `a processor ended by itself: ${p.output()}`);
  }
  // The last run stops once it handled every input record: first the killed members' sessions expire and, under
  // exactly-once, their transactions are fenced and retried, pauses of several seconds (60 s of silence stop it
  // too, a failure).
  const last = processor([...args(output, group), ...stateArgs(3), '--until-end', '--idle', '60000']);
  const code = await last.exited;
  assert.equal(code, 0, last.output());
  let refOut: KafkaRecord<string, any>[] | null = null;
  if (reference) {
    assert.equal(await reference.exited, 0, reference.output());
    refOut = await readAll(brokers, refOutput, { quietMs: 2000 });
  }
  const out = await readAll(brokers, output, { quietMs: 2000 });
  return { out, kills, reference: refOut, last: last.output() };
}

/** How many records the last processor handled (what it printed when it finished). */
function processedBy(last: string): number {
  return Number(/done processed=(\d+)/.exec(last)?.[1] ?? Number.NaN);
}

function ids(out: KafkaRecord<string, any>[]): number[] {
  return out.map((r) => r.value.id);
}

// The first outputs written twice, with where each copy is: what an exactly-once failure says.
function duplicates(out: KafkaRecord<string, any>[]): string {
  const seen = new Map<number, string>();
  const dups: string[] = [];
  for (const r of out) {
    const prev = seen.get(r.value.id);
    if (prev !== undefined && dups.length < 6) dups.push(`${r.value.id}: ${prev} / p${r.partition}@${r.offset}`);
    seen.set(r.value.id, `p${r.partition}@${r.offset}`);
  }
  return dups.join(' | ');
}

test('at-least-once: processors killed with SIGKILL and restarted lose nothing', async () => {
  const { out, kills, last } = await killedRuns('at-least-once');
  assert.equal(kills, 3);
  assert.ok(processedBy(last) > 0, `the killed processors left work for the last one: ${last}`);
  const got = ids(out);
  assert.equal(new Set(got).size, N);
  assert.ok(got.length >= N);
});

// Readers see each output once: the records a killed processor left in its open transaction are aborted, and the
// committed transactions after them are read (the client's own read_committed filter dropped those: see
// src/connectors/kafka/read-committed.ts).
test('exactly-once: processors killed with SIGKILL and restarted write each output exactly once', async () => {
  const { out, kills, last } = await killedRuns('exactly-once');
  assert.equal(kills, 3);
  assert.ok(processedBy(last) > 0, `the killed processors left work for the last one: ${last}`);
  const got = ids(out);
  assert.equal(got.length, N, `written twice: ${duplicates(out)}`);
  assert.equal(new Set(got).size, N);
});

/**
 * Every window of `out` equals the uninterrupted run's (`reference`), each written once under exactly-once
 * (at-least-once may write one twice, with the same result), and none is missing.
 */
function sameWindows(
  out: KafkaRecord<string, any>[],
  reference: KafkaRecord<string, any>[],
  guarantee: string,
  n: number,
  pairs = false,
): void {
  const key = (r: KafkaRecord<string, any>) => `${r.value.key}@${r.value.start}`;
  const want = new Map(reference.map((r) => [key(r), { n: r.value.n, ids: r.value.ids }]));
  // Each key's windows but its last (still open) closed: 10 readings per window.
  assert.equal(want.size, KEYS * (n / KEYS / 10 - 1));
  if (pairs)
    assert.ok(
      [...want.values()].every((w) => w.n === 5),
      'five pairs per window',
    );
  const seen = new Set<string>();
  const wrong: string[] = [];
  for (const r of out) {
    if (guarantee === 'exactly-once') assert.ok(!seen.has(key(r)), `window ${key(r)} written once`);
    seen.add(key(r));
    const w = want.get(key(r));
    if (w === undefined || w.n !== r.value.n || w.ids !== r.value.ids)
      wrong.push(`${key(r)}: n=${r.value.n} ids=${r.value.ids}, want ${w?.n} ${w?.ids}`);
  }
  assert.deepEqual(wrong.slice(0, 6), [], `${wrong.length} of ${out.length} windows differ`);
  assert.equal(seen.size, want.size);
}

/**
 * Windows killed with SIGKILL three times and restored from the changelog (the local copy wiped, then kept): every
 * window equals the uninterrupted run's, written once under exactly-once (at-least-once may write one twice, with
 * the same result).
 */
async function killedWindows(guarantee: string, run: FaultRun = {}): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ts-faults-'));
  try {
    const { out, kills, reference, last } = await killedRuns(guarantee, { ...run, window: true, stateDir });
    assert.equal(kills, 3);
    assert.ok(processedBy(last) > 0, `the killed processors left work for the last one: ${last}`);
    // The last processor started with its directory wiped: its open windows came from the changelog.
    assert.ok(Number(/restored=(\d+)/.exec(last)?.[1]) > 0, last);
    sameWindows(out, reference!, guarantee, N, run.pipeline);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

test('exactly-once with windows: killed with SIGKILL, state restored from the changelog (local copy wiped, then kept), the windows equal an uninterrupted run', async () => {
  await killedWindows('exactly-once');
});

// Records in a mapAsync at a commit were handed on but are not in the windows yet: the commit waits until they are,
// or the restored state would count them while a restart skips them (windows a reading short, outputs lost).
for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee} with a mapAsync before the windows: killed with SIGKILL, restored from the changelog, the windows equal an uninterrupted run`, async () => {
    await killedWindows(guarantee, { async: true });
  });
}

// Every stage keeps state: a running count per partition, an as-of join, pairs of one key, a running total per
// record key, rows waiting for a frame, frame windows. Each is checkpointed with the others, so a restore resumes
// all of them.
for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee} with accumulate, joinAsof, partition, stateful apply and a frame window: killed with SIGKILL, restored from the changelog, the windows equal an uninterrupted run`, async () => {
    await killedWindows(guarantee, { pipeline: true });
  });
}

// The input joined as of its time with a second topic: the join's state (waiting readings, kept references) is
// kept with the input's partitions, and a reference partition is read once that partition's state is restored.
for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee} with a joinAsof of two topics before the windows: killed with SIGKILL, restored from the changelog, the windows equal an uninterrupted run`, async () => {
    await killedWindows(guarantee, { join: true });
  });
}

// A table topic (`joinLookup`) restored from its changelog by every restarted processor, before the records it
// enriches: each record comes out (once under exactly-once) with its key's room, as in an uninterrupted run.
for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee} with joinLookup: killed with SIGKILL and restarted, the table restored from its changelog, every record enriched as without the kills`, async () => {
    const { out, kills, last } = await killedRuns(guarantee, { lookup: true });
    assert.equal(kills, 3);
    assert.ok(processedBy(last) > 0, `the killed processors left work for the last one: ${last}`);
    assert.ok(Number(/restored=(\d+)/.exec(last)?.[1]) > 0, `the table came from the changelog: ${last}`);
    const wrong = out.filter((r) => r.value.room !== `room-${r.value.id % KEYS}`);
    assert.deepEqual(
      wrong.slice(0, 6).map((r) => r.value),
      [],
      `${wrong.length} of ${out.length} records without their room`,
    );
    const got = ids(out);
    assert.equal(new Set(got).size, N);
    if (guarantee === 'exactly-once') assert.equal(got.length, N);
  });
}

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
      groupId: uniqueName('restart'),
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
    // It stops once every record was handled, however long the restart pauses it (60 s of silence: a failure).
    const disarm = await stopAtEnd(app, input);
    const running = app.run({ timeout: 60_000 });
    while (app.counters.processed < 2000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(app.counters.processed < n, 'the restart lands mid-run');
    await kafka.restart();
    await running.finally(disarm);
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
    // Without the changelog: the windows a partition held when it moved are rebuilt by replaying their records
    // (test/app/state-memory.test.ts hands windows over through the changelog).
    const app = new Application({
      brokers,
      groupId: groupId,
      autoOffsetReset: 'earliest',
      commitInterval: '200ms',
      sessionTimeout: '3s',
      changelog: false,
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

// A member that loses a partition in a rebalance holds outputs of it in its open transaction: it aborts that
// transaction and reads its other partitions again from their commits, so the new owner's outputs are the only ones.
test('exactly-once with windows: instances joining and leaving live (SIGTERM), every window once and equal to an uninterrupted run', async () => {
  const brokers = await kafkaBrokers();
  const n = 24_000;
  const input = uniqueName('live-in');
  const output = uniqueName('live-out');
  const group = uniqueName('live');
  await produceJson(brokers, input, inputValues(n), (v) => `k${v.id % KEYS}`, 4);
  const args = (out: string, g: string, instance: string) => [
    '--brokers',
    brokers.join(','),
    '--input',
    input,
    '--output',
    out,
    '--group',
    g,
    '--guarantee',
    'exactly-once',
    '--window',
    '--pace',
    '--instance',
    instance,
  ];
  const refOutput = uniqueName('live-ref');
  const reference = processor([...args(refOutput, uniqueName('live-ref'), 'ref'), '--until-end', '--idle', '60000']);
  // Each instance stops after 8 s without input (once the others took every partition, or the input is done).
  const instance = (id: string) => processor([...args(output, group, id), '--idle', '8000']);
  const first = instance('1');
  await until(first, () => first.progress.processed >= n * 0.15);
  const second = instance('2');
  await until(second, () => second.progress.processed > 0);
  const third = instance('3');
  await until(third, () => third.progress.processed > 0);
  assert.equal(first.child.exitCode, null, `the first was still running: ${first.output()}`);
  first.child.kill('SIGTERM'); // it drains, commits and leaves the group: the others take its partitions
  assert.equal(await first.exited, 0, first.output());
  const fourth = instance('4');
  for (const p of [second, third, fourth]) assert.equal(await p.exited, 0, p.output());
  const total = [first, second, third, fourth].reduce((t, p) => t + p.progress.processed, 0);
  assert.ok(total >= n, `every record was read (${total})`);
  assert.equal(await reference.exited, 0, reference.output());
  const want = await readAll(brokers, refOutput, { quietMs: 2000 });
  const out = await readAll(brokers, output, { quietMs: 2000 });
  sameWindows(out, want, 'exactly-once', n);
});

test('groupBy with instances joining and killed with SIGKILL: every window per new key comes out, none short', async () => {
  const brokers = await kafkaBrokers();
  const input = uniqueName('regroup-in');
  const output = uniqueName('regroup-out');
  const group = uniqueName('regroup');
  const n = 24_000;
  const customers = 12;
  // Keyed by store; each customer shops in one store (their readings stay in order through the repartition topic)
  // and reads one every 100 ms of event time: 10 per 1 s window.
  const values = Array.from({ length: n }, (_, i) => ({
    id: i,
    c: `c${i % customers}`,
    t: 1_700_000_000_000 + Math.floor(i / customers) * 100,
  }));
  await produceJson(brokers, input, values, (v) => `store-${Number(v.c.slice(1)) % 5}`, 4);
  const args = ['--brokers', brokers.join(','), '--input', input, '--output', output, '--group', group, '--group-by'];
  const first = processor([...args, '--idle', '10000']);
  await until(first, () => first.progress.processed >= n * 0.2);
  const second = processor([...args, '--idle', '10000']);
  await until(second, () => second.progress.processed > 0 && first.progress.processed >= n * 0.5);
  assert.equal(first.child.exitCode, null, first.output());
  first.child.kill('SIGKILL');
  await first.exited;
  const third = processor([...args, '--idle', '10000']);
  assert.equal(await second.exited, 0, second.output());
  assert.equal(await third.exited, 0, third.output());
  assert.ok(processedBy(third.output()) > 0, `the instance started after the kill took partitions: ${third.output()}`);
  const out = await readAll<{ key: string; start: number; n: number; ids: number }>(brokers, output, { quietMs: 2000 });
  // Each customer's windows but its last (still open) closed, 10 readings each; at-least-once may count a reading
  // twice after a hand-over (it is written to the repartition topic again), never lose one.
  const most = new Map<string, number>();
  for (const r of out) {
    const k = `${r.value.key}@${r.value.start}`;
    most.set(k, Math.max(most.get(k) ?? 0, r.value.n));
  }
  assert.equal(most.size, customers * (n / customers / 10 - 1));
  const short = [...most].filter(([, count]) => count < 10);
  assert.deepEqual(short.slice(0, 6), [], `${short.length} windows short`);
});
