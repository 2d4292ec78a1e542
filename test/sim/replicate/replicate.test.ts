// Replications: seeds spawned from one seed, the same summary on one thread or several, Student-t intervals.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TwinstreamError } from '../../../src/errors.ts';
import { runModel } from '../../../src/sim/model/run.ts';
import type { ModelSpec } from '../../../src/sim/model/spec.ts';
import { replicate } from '../../../src/sim/replicate/replicate.ts';
import { spawnSeeds } from '../../../src/sim/replicate/spawn-seeds.ts';
import { studentT } from '../../../src/sim/replicate/student-t.ts';

const MODEL = new URL('../../../examples/models/line-a.yaml', import.meta.url).pathname;

test('seeds spawned from a seed are the same every time, distinct, and valid sampler seeds', () => {
  const a = spawnSeeds(42, 50);
  assert.deepEqual(a, spawnSeeds(42, 50));
  assert.equal(new Set(a).size, 50);
  assert.ok(a.every((s) => Number.isInteger(s) && s >= 1 && s <= 4294967295));
  assert.notDeepEqual(a, spawnSeeds(43, 50));
});

test('studentT: the mean ± t(0.975, n-1)·s/√n of a table; t(0.975, 3) is 3.182 in every table', () => {
  const xs = [9.8, 10.1, 10.4, 9.9];
  const ci = studentT(xs, 0.95);
  const mean = xs.reduce((a, b) => a + b) / 4;
  const s = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 3);
  assert.equal(ci.mean, mean);
  assert.ok(Math.abs(ci.std - s) < 1e-12);
  assert.ok(Math.abs(ci.halfWidth / (s / 2) - 3.182) < 1e-3);
  assert.ok(Math.abs(studentT(xs, 0.99).halfWidth / (s / 2) - 5.841) < 1e-3);
  assert.throws(
    () => studentT(xs, 1.5),
    (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_BAD_ARGUMENT',
  );
});

test('replicate: one worker or two give the same summary; each run repeats alone with its seed', async () => {
  const options = {
    replications: 4,
    until: 600,
    measures: ['tasks.milling.wait_mean', 'Line_A.stats.flows.milling.started'],
  };
  const one = await replicate(MODEL, { ...options, workers: 1 });
  const two = await replicate(MODEL, { ...options, workers: 2 });
  assert.deepEqual(
    one.runs.map((r) => r.statistics),
    two.runs.map((r) => r.statistics),
  );
  assert.deepEqual(one.measures, two.measures);
  assert.deepEqual(
    one.measures.map((m) => m.name),
    ['tasks.milling.wait_mean', 'flows.milling.started'],
  );
  const waits = one.runs.map((r) => r.statistics['tasks.milling.wait_mean']!);
  assert.equal(new Set(waits).size, 4, 'four different runs');
  assert.deepEqual(one.measures[0], { name: 'tasks.milling.wait_mean', ...studentT(waits, 0.95) });
  // A replication is the model run with its seed: the same statistics as runModel with that seed and no egress.
  const out = mkdtempSync(join(tmpdir(), 'twinstream-replicate-'));
  try {
    const alone = await runModel(MODEL, { seed: one.seeds[2]!, until: 600, stats: 'all', outDir: out });
    assert.equal(alone.statistics['Line_A.stats.tasks.milling.wait_mean'], waits[2]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('replicate refuses an unknown measure, naming the ones there are, and bad options', async () => {
  await assert.rejects(
    replicate(MODEL, { replications: 2, until: 60, measures: ['tasks.drilling.wait_mean'] }),
    (e: unknown) =>
      e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MEASURE' && /tasks\.milling\.wait_mean/.test(e.message),
  );
  await assert.rejects(replicate(MODEL, { replications: 1 }), /replications/);
  await assert.rejects(replicate(MODEL, { replications: 2, workers: 0 }), /workers/);
  await assert.rejects(replicate(MODEL, { replications: 2, level: 95 }), /level/);
});

test('a replication that throws fails the run with its index, its seed and the error inside, on one thread or several', async () => {
  // A negative service time: every replication throws at its first service.
  const spec: ModelSpec = {
    simId: 'Neg',
    arrival: { a: { dist: 'exponential', rate: 1 } },
    service: { s: { dist: 'normal', mean: -5, std: 0 } },
    resources: { r: { currentCap: 1, maxCap: 1 } },
    flows: [{ name: 'f', arrival: 'a', steps: [{ resource: 'r', service: 's' }] }],
    run: { until: 100, seed: 3 },
  };
  const seeds = spawnSeeds(3, 6);
  for (const workers of [1, 2]) {
    await assert.rejects(replicate(spec, { replications: 6, workers }), (e: unknown) => {
      assert.ok(e instanceof TwinstreamError && e.code === 'TS_SIM_REPLICATION_FAILED', String(e));
      const { index, seed, code } = e.context as { index: number; seed: number; code: string };
      assert.equal(seed, seeds[index]);
      assert.equal(code, 'TS_SIM_BAD_DELAY');
      assert.match(e.message, new RegExp(`^replication ${index} \\(seed ${seed}\\) failed: timeout delay = -5`));
      return true;
    });
  }
});

test('replicate takes a typed ModelSpec: a model object of the wrong shape does not compile, and is refused', async () => {
  const spec: ModelSpec = {
    simId: 'tiny',
    arrival: {},
    service: {},
    flows: [],
    run: { until: '1m' },
  };
  await assert.rejects(
    // @ts-expect-error `run.until` is a duration (seconds or a string such as '1m'), not a boolean
    replicate({ ...spec, run: { until: true } }, { replications: 2 }),
    /run\.until/,
  );
  // @ts-expect-error a model needs its flows
  await assert.rejects(replicate({ simId: 'tiny', arrival: {}, service: {}, run: { until: 60 } }, { replications: 2 }));
});
