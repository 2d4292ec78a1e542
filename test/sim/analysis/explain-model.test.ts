// sim explain against textbook queueing results, each closed form computed here from its textbook formula, and
// against simulation: the formulas' waits must fall inside the replications' 95% intervals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { explainModel } from '../../../src/sim/analysis/explain-model.ts';
import { verifyExplanation } from '../../../src/sim/analysis/verify-explanation.ts';
import { loadModel } from '../../../src/sim/model/run.ts';
import type { ModelSpec } from '../../../src/sim/model/spec.ts';
import { validateModel } from '../../../src/sim/model/validate.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// One flow of Poisson arrivals (rate λ) through `stations` resources of c units each, in series.
const queue = (lambda: number, service: object, c: number, stations = 1): Promise<ModelSpec<number>> =>
  validateModel({
    simId: 'Q',
    arrival: { poisson: { dist: 'exponential', rate: lambda } },
    service: { serve: service },
    resources: Object.fromEntries(
      Array.from({ length: stations }, (_, i) => [`server${i}`, { currentCap: c, maxCap: c + 10 }]),
    ),
    flows: [
      {
        name: 'jobs',
        arrival: 'poisson',
        steps: Array.from({ length: stations }, (_, i) => ({ resource: `server${i}`, service: 'serve' })),
      },
    ],
    run: { until: 20000, seed: 7 },
  });

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, b), `${what}: ${a} vs ${b}`);
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

test('M/M/1: ρ = λ/μ, Wq = λ / (μ(μ − λ)), Lq = ρ² / (1 − ρ)', async () => {
  const [lambda, mu] = [0.5, 1];
  const e = explainModel(await queue(lambda, { dist: 'exponential', rate: mu }, 1));
  const r = e.resources[0]!;
  close(r.utilization, lambda / mu, 'ρ');
  close(r.waitErlangC, lambda / (mu * (mu - lambda)), 'Wq Erlang C');
  close(r.waitKingman, lambda / (mu * (mu - lambda)), 'Wq Kingman (exact for M/M/1)');
  close(r.queueLength, (lambda / mu) ** 2 / (1 - lambda / mu), 'Lq');
  assert.equal(r.stable, true);
  assert.equal(e.flows[0]!.throughput, lambda);
});

test('M/M/c: the Erlang C wait of the textbook sum, c = 3, λ = 2, μ = 1', async () => {
  const [lambda, mu, c] = [2, 1, 3];
  const a = lambda / mu;
  const rho = a / c;
  let sum = 0;
  for (let k = 0; k < c; k++) sum += a ** k / factorial(k);
  const top = (a ** c / factorial(c)) * (1 / (1 - rho));
  const erlangC = top / (sum + top);
  const wq = erlangC / (c * mu - lambda);
  const r = explainModel(await queue(lambda, { dist: 'exponential', rate: mu }, c)).resources[0]!;
  close(r.utilization, rho, 'ρ');
  close(r.waitErlangC, wq, 'Wq');
  close(r.queueLength, lambda * wq, 'Lq (Little)');
  // By units: 1 and 2 units cannot keep up with 2 Erlangs; 3 units are this queue.
  assert.deepEqual(
    r.byUnits.slice(0, 2).map((u) => u.waitKingman),
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  );
  close(r.byUnits[2]!.waitKingman, wq, 'Wq at 3 units');
  assert.equal(r.byUnits.length, c + 10);
});

test('M/D/1: Kingman equals Pollaczek–Khinchine, λE[S²] / (2(1 − ρ)), half the M/M/1 wait', async () => {
  const [lambda, s] = [0.6, 1];
  const r = explainModel(await queue(lambda, { dist: 'constant', value: s }, 1)).resources[0]!;
  close(r.waitKingman, (lambda * s * s) / (2 * (1 - lambda * s)), 'Wq');
  close(r.waitKingman, r.waitErlangC / 2, 'half of M/M/1');
});

test('Jackson network: two M/M/1 stations in series each see λ and wait as M/M/1', async () => {
  const e = explainModel(await queue(0.5, { dist: 'exponential', rate: 1 }, 1, 2));
  for (const r of e.resources) {
    close(r.arrivalRate, 0.5, `${r.name} λ`);
    close(r.arrivalScv, 1, `${r.name} ca² (Burke: M/M/1 departures are Poisson)`);
    close(r.waitKingman, 1, `${r.name} Wq`);
  }
  assert.equal(e.flows[0]!.throughput, 0.5);
});

test('an overloaded resource is UNSTABLE, cuts the throughput and gets a sizing hint', async () => {
  const e = explainModel(await queue(3, { dist: 'exponential', rate: 1 }, 2));
  const r = e.resources[0]!;
  assert.equal(r.stable, false);
  close(r.utilization, 1.5, 'ρ');
  assert.equal(r.waitKingman, Number.POSITIVE_INFINITY);
  close(e.flows[0]!.throughput, 2, 'throughput = c·μ');
  assert.equal(e.bottleneck, 'server0');
  assert.equal(r.unitsForStable, 4);
  assert.equal(r.unitsFor85, 4); // 3 / 4 = 75 %
  assert.match(e.hints[0]!, /server0 is UNSTABLE .* at least 4 units/);
});

test('Line_A is UNSTABLE (ρ = 2·2/4 = 1), as desflow marks it', async () => {
  const e = explainModel(await loadModel(join(ROOT, 'examples/models/line-a.yaml')));
  assert.equal(e.resources[0]!.utilization, 1);
  assert.equal(e.resources[0]!.stable, false);
});

test('--verify: M/M/1 and M/M/3 waits and utilisations from the formulas fall inside the simulated intervals', async () => {
  for (const [lambda, c] of [
    [0.5, 1],
    [2, 3],
  ] as const) {
    const spec = await queue(lambda, { dist: 'exponential', rate: 1 }, c);
    const e = explainModel(spec);
    const v = await verifyExplanation(spec, e, { replications: 10, workers: 2, until: 20000 });
    const r = e.resources[0]!;
    const sim = v.resources.server0!;
    const wait = v.waits.serve!;
    const inside = (x: number, ci: { low: number; high: number }, what: string) =>
      assert.ok(x >= ci.low && x <= ci.high, `M/M/${c} ${what}: formula ${x} outside [${ci.low}, ${ci.high}]`);
    inside(r.utilization, sim.utilization, 'ρ');
    inside(r.waitErlangC, wait, 'Wq');
    inside(r.queueLength, sim.queueLength, 'Lq');
  }
});

test('sim explain prints the table with UNSTABLE, and --json the same analysis', () => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [join(ROOT, 'src/cli/main.ts'), 'sim', 'explain', join(ROOT, 'examples/models/line-a.yaml'), ...args],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
  const text = run();
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^ {2}lathe +4 +2 +2 +0\.01 +1 +100\.0% +∞ +∞ +∞ +UNSTABLE$/m);
  assert.match(text.stdout, /^bottleneck: lathe \(ρ = 100\.0%\) UNSTABLE$/m);
  const json = run('--json');
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as {
    resources: { name: string; utilization: number; waitKingman: unknown }[];
  };
  assert.equal(parsed.resources[0]!.utilization, 1);
  assert.equal(parsed.resources[0]!.waitKingman, 'Infinity');
});

test('sim explain --verify puts simulated figures with their intervals beside the formulas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-explain-'));
  try {
    const file = join(dir, 'mm1.json');
    writeFileSync(
      file,
      JSON.stringify({
        simId: 'MM1',
        arrival: { poisson: { dist: 'exponential', rate: 0.5 } },
        service: { serve: { dist: 'exponential', rate: 1 } },
        resources: { server: { currentCap: 1, maxCap: 1 } },
        flows: [{ name: 'jobs', arrival: 'poisson', steps: [{ resource: 'server', service: 'serve' }] }],
        run: { until: 5000 },
      }),
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'src/cli/main.ts'), 'sim', 'explain', file, '--verify', '--replications', '4', '--workers', '2'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ρ simulated +Wq simulated +Lq simulated/);
    assert.match(
      r.stdout,
      /^ {2}server +1 +0\.5 +1 +1 +1 +50\.0% +1 +1 +0\.5 +ok +[\d.]+% ± [\d.]+% +[\d.]+ ± [\d.]+ +[\d.]+ ± [\d.]+$/m,
    );
    assert.match(r.stdout, /^simulated: 4 replications of 5000 time units, 95% intervals, [\d.]+ s wall$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
