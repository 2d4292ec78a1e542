import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RealtimeEnvironment, type SimRecord } from '../../src/sim/index.ts';
import { LAG_PATH } from '../../src/sim/telemetry.ts';

const collector = () => {
  const records: SimRecord[] = [];
  return { records, sink: { name: 'memory', write: (b: readonly SimRecord[]) => void records.push(...b) } };
};

test('a paced run holds its factor: 3 simulated seconds at factor 0.1 take about 0.3 s of wall time', async () => {
  const env = new RealtimeEnvironment({ factor: 0.1, logicalStartTime: 0 });
  const { records, sink } = collector();
  env.setupEgress([sink], { batchSize: 1 });
  const wallAt: number[] = [];
  env.process(
    (function* () {
      for (let i = 0; i < 3; i++) {
        yield env.timeout(1);
        wallAt.push(performance.now());
      }
    })(),
  );
  const t0 = performance.now();
  await env.run();
  const elapsed = performance.now() - t0;
  assert.equal(env.now, 3);
  assert.ok(elapsed >= 295 && elapsed < 450, `elapsed ${elapsed} ms, expected ~300 ms`);
  // Simulated second i + 1 is due 100 ms × (i + 1) after the start: never earlier, and not much later. The schedule
  // is absolute (a step that woke late is followed by a shorter one), so the gaps between steps are not checked.
  for (let i = 0; i < wallAt.length; i++) {
    const due = t0 + (i + 1) * 100;
    assert.ok(wallAt[i]! >= due - 5, `simulated second ${i + 1} came ${due - wallAt[i]!} ms early`);
    assert.ok(wallAt[i]! < due + 150, `simulated second ${i + 1} came ${wallAt[i]! - due} ms late`);
  }
  const lags = records.filter((r) => r.stream_type === 'telemetry' && r.path_id === LAG_PATH);
  assert.ok(lags.length >= 3);
  for (const r of lags) assert.ok((r.value as number) >= 0 && (r.value as number) < 0.05, `lag ${r.value}`);
  await env.teardown();
});

test('factor 0 runs unpaced and publishes no lag', async () => {
  const env = new RealtimeEnvironment({ factor: 0 });
  const { records, sink } = collector();
  env.setupEgress([sink]);
  env.process(
    (function* () {
      for (;;) yield env.timeout(3600);
    })(),
  );
  const t0 = performance.now();
  await env.run({ until: 86_400 * 365 });
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(env.now, 86_400 * 365);
  await env.teardown();
  assert.equal(records.length, 0);
});

test('strict mode throws when the simulation falls behind by more than maxLag', async () => {
  const env = new RealtimeEnvironment({ factor: 0.01, strict: true, maxLag: 0.02 });
  env.process(
    (function* () {
      yield env.timeout(1);
      const until = performance.now() + 60;
      while (performance.now() < until) {
        // a step that takes 60 ms of CPU
      }
      yield env.timeout(1);
      yield env.timeout(1);
    })(),
  );
  await assert.rejects(env.run(), { code: 'TS_SIM_TOO_SLOW' });
});

test('outside input wakes a sleeping paced run at the wall-clock time', async () => {
  const env = new RealtimeEnvironment({ factor: 0.1 });
  const signal = env.event<string>();
  const seen: number[] = [];
  // The wall-clock time of simulated time 0 (a loaded machine may start the run late) and of the input.
  let wallAtZero = Number.NaN;
  let wallAtInput = Number.NaN;
  env.process(
    (function* () {
      wallAtZero = performance.now();
      yield signal;
      seen.push(env.now);
    })(),
  );
  env.timeout(10); // keeps the run going ~1 s of wall time
  setTimeout(() => {
    wallAtInput = performance.now();
    env.notifyExternalInput();
    signal.succeed('go');
  }, 150);
  await env.run({ until: signal });
  assert.equal(seen.length, 1);
  // factor 0.1: one unit of simulated time is 100 ms of wall time.
  const expected = (wallAtInput - wallAtZero) / 100;
  assert.ok(expected > 0, 'the input came while the run slept');
  assert.ok(Math.abs(seen[0]! - expected) < 0.5, `simulated time ${seen[0]} should be ~${expected.toFixed(2)}`);
});

test('bad options fail at construction', () => {
  assert.throws(() => new RealtimeEnvironment({ factor: -1 }), /factor/);
  assert.throws(() => new RealtimeEnvironment({ lagInterval: 0 }), /lagInterval/);
});
