// Replications over Kafka against the broker the test setup starts: workers as a user starts them (child processes
// of `twinstream sim worker`), one killed with SIGKILL mid-run, and the summary compared with replicate()'s.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { replicateOverKafka } from '../../src/cluster/replicate-over-kafka.ts';
import { replicationSerde } from '../../src/cluster/replication-messages.ts';
import { runReplicationWorker } from '../../src/cluster/replication-worker.ts';
import { TwinstreamError } from '../../src/errors.ts';
import type { ModelSpec } from '../../src/sim/model/spec.ts';
import { replicate } from '../../src/sim/replicate/replicate.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const MODEL = join(ROOT, 'examples/models/line-a.yaml');

interface Worker {
  child: ChildProcess;
  name: string;
  stdout: string[];
  stderr: string[];
}

function startWorker(brokers: string, group: string, work: string, results: string): Worker {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'sim',
      'worker',
      '--kafka',
      brokers,
      '--group',
      group,
      '--work-topic',
      work,
      '--result-topic',
      results,
      '--partitions',
      '4',
      '--session-timeout',
      '3s',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const w: Worker = { child, name: `${hostname()}:${child.pid}`, stdout: [], stderr: [] };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => w.stdout.push(s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => w.stderr.push(s));
  return w;
}

test('the work and result serde keeps every number JSON cannot hold, and no __proto__ key', () => {
  const value = { cap: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY, none: Number.NaN, zero: -0, n: 1.5 };
  const back = replicationSerde.deserialize(replicationSerde.serialize(value));
  assert.deepEqual(back, value);
  assert.ok(Object.is(back.zero, -0));
  const hostile = replicationSerde.deserialize(Buffer.from('{"__proto__":{"polluted":1},"a":1}'));
  assert.equal(Object.getPrototypeOf(hostile), Object.prototype);
  assert.equal(({} as { polluted?: number }).polluted, undefined);
  assert.deepEqual(Object.keys(hostile), ['a']);
});

test('two worker processes, one killed with SIGKILL mid-run: the summary equals replicate() on the same seed', async () => {
  const brokers = (await kafkaBrokers()).join(',');
  const group = uniqueName('sim-workers');
  const work = uniqueName('sim-work');
  const results = uniqueName('sim-results');
  const workers = [startWorker(brokers, group, work, results), startWorker(brokers, group, work, results)];
  const [victim, survivor] = workers as [Worker, Worker];
  const options = { replications: 16, until: 86_400, seed: 7, measures: ['tasks.milling.wait_mean'] };
  let killedAfter = 0;
  // A worker that ends by itself (but the one killed here) fails the test at once, with what it said.
  const unexpectedExit = new Promise<never>((_, reject) => {
    for (const w of workers) {
      w.child.once('exit', (code, signal) => {
        if (w !== victim || killedAfter === 0)
          reject(new Error(`worker exited (${code ?? signal}): ${w.stderr.join('')}`));
      });
    }
  });
  unexpectedExit.catch(() => {});
  try {
    const summary = await Promise.race([
      unexpectedExit,
      replicateOverKafka(MODEL, {
        ...options,
        brokers,
        workTopic: work,
        resultTopic: results,
        partitions: 4,
        resultTimeout: '60s',
        onResult: (r, received) => {
          if (r.worker === victim.name && killedAfter === 0) {
            killedAfter = received;
            victim.child.kill('SIGKILL');
          }
        },
      }),
    ]);
    assert.ok(killedAfter > 0, 'the victim ran a replication before it was killed');
    assert.ok(killedAfter < 16, 'the victim was killed before the end');
    assert.equal(victim.child.signalCode, 'SIGKILL');
    // The survivor ran what the victim left, from the victim's last commit.
    assert.ok(summary.byWorker[survivor.name]! > 0);
    assert.equal(
      Object.values(summary.byWorker).reduce((a, b) => a + b, 0),
      16,
    );
    assert.deepEqual(Object.keys(summary.byWorker).sort(), [victim.name, survivor.name].sort());

    const threads = await replicate(MODEL, { ...options, workers: 1 });
    assert.deepEqual(summary.seeds, threads.seeds);
    assert.deepEqual(summary.measures, threads.measures);
    assert.deepEqual(summary.runs, threads.runs);
    assert.equal(summary.events, threads.events);
    assert.ok(summary.measures[0]!.mean > 0 && summary.measures[0]!.n === 16);
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  }
  // SIGTERM: the survivor drains, leaves the group and says what it did.
  const [code] = await once(survivor.child, 'exit');
  assert.equal(code, 0, survivor.stderr.join(''));
  assert.match(survivor.stderr.join(''), /replication worker stopped: \d+ replications run, 0 failed, 0 skipped/);
  assert.match(survivor.stdout.join(''), /replication \d+ of job [0-9a-f]{8} \(seed \d+\): \d+ events in [\d.]+ s/);
});

test('models of every kind travel whole: flows of tasks, desflow blueprints, an unlimited resource', async () => {
  const brokers = await kafkaBrokers();
  const stop = new AbortController();
  const topics = {
    groupId: uniqueName('sim-workers'),
    workTopic: uniqueName('sim-work'),
    resultTopic: uniqueName('sim-results'),
    partitions: 2,
  };
  const worker = runReplicationWorker({ brokers, ...topics, sessionTimeout: '3s', signal: stop.signal });
  try {
    // An unlimited resource: Infinity travels as { "$number": "Infinity" }.
    const unlimited: ModelSpec = {
      simId: 'Dock',
      arrival: { trucks: { dist: 'exponential', rate: 0.1 } },
      service: { unload: { dist: 'uniform', low: 5, high: 30 } },
      resources: { dock: { currentCap: Number.POSITIVE_INFINITY, maxCap: Number.POSITIVE_INFINITY } },
      flows: [{ name: 'trucks', arrival: 'trucks', steps: [{ resource: 'dock', service: 'unload' }] }],
      run: { until: 3600 },
    };
    const models = ['examples/models/workshop.yaml', 'examples/desflow/stock.yaml', 'examples/desflow/breakdowns.yaml'];
    for (const file of [...models, unlimited]) {
      const model = typeof file === 'string' ? join(ROOT, file) : file;
      const options = { replications: 3, until: 1800, seed: 11 };
      const overKafka = await replicateOverKafka(model, { ...options, brokers, ...topics, resultTimeout: '60s' });
      const threads = await replicate(model, { ...options, workers: 1 });
      assert.deepEqual(overKafka.runs, threads.runs, String(model));
      assert.deepEqual(overKafka.measures, threads.measures, String(model));
    }
  } finally {
    stop.abort();
  }
  assert.deepEqual(await worker, { replications: 12, failed: 0, skipped: 0 });
});

test('a replication that fails on its worker fails the coordinator with the reason; the worker goes on', async () => {
  const brokers = await kafkaBrokers();
  const work = uniqueName('sim-work');
  const results = uniqueName('sim-results');
  const stop = new AbortController();
  const topics = { groupId: uniqueName('sim-workers'), workTopic: work, resultTopic: results, partitions: 1 };
  const worker = runReplicationWorker({ brokers, ...topics, sessionTimeout: '3s', signal: stop.signal });
  // Valid, but its amount expression gives text at run time.
  const model: ModelSpec = {
    simId: 'Bad',
    arrival: { every: { dist: 'constant', value: 10 } },
    service: { work: { dist: 'constant', value: 1 } },
    containers: { tank: { currentCap: 100, maxCap: 100, init: 50 } },
    flows: [{ name: 'f', arrival: 'every', start: 'take', attributes: { label: true } }],
    tasks: { take: { service: 'work', get: { container: 'tank', amount: 'attr.label' } } },
    run: { until: 100 },
  };
  try {
    await assert.rejects(
      replicateOverKafka(model, { brokers, replications: 2, workTopic: work, resultTopic: results, partitions: 1 }),
      (e: unknown) =>
        e instanceof TwinstreamError &&
        e.code === 'TS_SIM_REPLICATION_FAILED' &&
        /replication [01] \(seed \d+\) failed on worker .+:\d+: .*attr\.label/.test(e.message),
    );
  } finally {
    stop.abort();
  }
  const counts = await worker;
  assert.ok(counts.failed >= 1, JSON.stringify(counts));
});

test('no worker reading the work topic: TS_SIM_REPLICATION_TIMEOUT names the topics and what to start', async () => {
  const brokers = await kafkaBrokers();
  const work = uniqueName('sim-work');
  const results = uniqueName('sim-results');
  await assert.rejects(
    replicateOverKafka(MODEL, {
      brokers,
      replications: 2,
      until: 60,
      workTopic: work,
      resultTopic: results,
      resultTimeout: '1s',
    }),
    (e: unknown) =>
      e instanceof TwinstreamError &&
      e.code === 'TS_SIM_REPLICATION_TIMEOUT' &&
      e.message.includes(`0 of 2 replications came back on ${results}`) &&
      e.message.includes(`twinstream sim worker --kafka`) &&
      e.message.includes(work),
  );
});

test('replicateOverKafka refuses bad options before touching the broker', async () => {
  const bad = (options: Record<string, unknown>, name: string) =>
    assert.rejects(
      replicateOverKafka(MODEL, { brokers: 'localhost:1', replications: 2, ...options }),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_BAD_ARGUMENT' && e.message.includes(name),
    );
  await bad({ replications: 1 }, 'replications');
  await bad({ workTopic: 'same', resultTopic: 'same' }, 'resultTopic');
  await bad({ partitions: 0 }, 'partitions');
  await bad({ brokers: 'no port' }, 'brokers');
});
