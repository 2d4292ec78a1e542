// sim fit and sim dist: known parameters recovered from samples the seeded sampler draws, mean/std conversions
// checked by the closed-form moments, the empirical fallback, and the commands as a user runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { fromMeanStd, MEAN_STD_FAMILIES } from '../../../src/sim/analysis/convert-distribution.ts';
import { fitDistribution } from '../../../src/sim/analysis/fit-distribution.ts';
import { distributionMoments } from '../../../src/sim/analysis/moments.ts';
import type { DistributionConfig } from '../../../src/sim/distributions.ts';
import { runModel } from '../../../src/sim/model/run.ts';
import { Sampler } from '../../../src/sim/sampler.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twinstream-fit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const draw = (c: DistributionConfig, n: number, seed = 11) => {
  const s = new Sampler({ seed });
  return Array.from({ length: n }, () => s.sample(c));
};

const TRUTH: DistributionConfig[] = [
  { dist: 'normal', mean: 10, std: 2 },
  { dist: 'lognormal', mean: 0.5, sigma: 0.4 },
  { dist: 'gamma', shape: 3, scale: 2 },
  { dist: 'weibull', shape: 1.7, scale: 4 },
  { dist: 'uniform', low: 1, high: 5 },
  { dist: 'triangular', low: 1, mode: 2, high: 6 },
];

for (const truth of TRUTH) {
  test(`fit recovers a ${truth.dist} from 5,000 samples and ranks it first by AIC`, () => {
    const r = fitDistribution(draw(truth, 5000));
    assert.equal(r.fits[0]!.family, truth.dist);
    assert.equal(r.empirical, false);
    assert.equal(r.recommended, r.fits[0]!.config);
    const fitted = r.fits[0]!.config as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(truth)) {
      if (k === 'dist') continue;
      // Within 5 % of the range of the data for location parameters, 5 % relative for the others.
      const tolerance = truth.dist === 'triangular' && k === 'mode' ? 0.25 : 0.05 * Math.max(1, Math.abs(v as number));
      assert.ok(Math.abs(fitted[k]! - (v as number)) < tolerance, `${truth.dist}.${k}: ${fitted[k]} vs ${v}`);
    }
  });
}

test('fit recovers an exponential rate; AIC cannot tell it from its gamma and Weibull generalisations', () => {
  const r = fitDistribution(draw({ dist: 'exponential', rate: 2 }, 5000));
  const expo = r.fits.find((f) => f.family === 'exponential')!;
  assert.ok(Math.abs((expo.config as { rate: number }).rate - 2) < 0.1);
  for (const f of ['gamma', 'weibull']) {
    const shape = (r.fits.find((x) => x.family === f)!.config as { shape: number }).shape;
    assert.ok(Math.abs(shape - 1) < 0.05, `${f} shape ${shape}`);
  }
  assert.ok(r.fits[0]!.aic > expo.aic - 2, 'within 2 AIC of the best');
});

test('a two-humped sample passes no family: the recommendation is the data itself, as empirical', () => {
  const data = [
    ...draw({ dist: 'normal', mean: 2, std: 0.3 }, 500, 3),
    ...draw({ dist: 'normal', mean: 8, std: 0.3 }, 500, 4),
  ];
  const r = fitDistribution(data);
  assert.equal(r.empirical, true);
  assert.equal(r.recommended.dist, 'empirical');
  assert.deepEqual(
    (r.recommended as { values: number[] }).values,
    [...data].sort((a, b) => a - b),
  );
  assert.ok(r.fits.every((f) => f.pValue < 0.05));
});

test('positive families are skipped for data at or below 0, with the reason', () => {
  const r = fitDistribution(draw({ dist: 'normal', mean: 0, std: 1 }, 200));
  assert.deepEqual(
    r.skipped.map((s) => s.family),
    ['exponential', 'lognormal', 'gamma', 'weibull'],
  );
  assert.deepEqual(r.fits.map((f) => f.family).sort(), ['normal', 'triangular', 'uniform']);
});

test('fromMeanStd gives parameters whose closed-form moments are the mean and std asked for', () => {
  for (const family of MEAN_STD_FAMILIES) {
    const [mean, std] = family === 'exponential' ? [3, 3] : family === 'constant' ? [3, 0] : [3, 1.2];
    const m = distributionMoments(fromMeanStd(family, mean, std));
    assert.ok(Math.abs(m.mean - mean) < 1e-9, `${family} mean ${m.mean}`);
    assert.ok(Math.abs(Math.sqrt(m.variance) - std) < 1e-8, `${family} std ${Math.sqrt(m.variance)}`);
  }
  assert.throws(() => fromMeanStd('exponential', 3, 1), /an exponential's std equals its mean/);
  assert.throws(() => fromMeanStd('gamma', -1, 1), /TS_BAD_ARGUMENT|mean = -1/);
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'sim', ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });

test('sim fit --column --out writes a block a model takes; sim dist converts both ways', async () => {
  const csv = join(dir, 'packing.csv');
  const times = draw({ dist: 'gamma', shape: 4, scale: 0.5 }, 2000, 9);
  writeFileSync(csv, `order,seconds\n${times.map((t, i) => `o${i},${t}`).join('\n')}\nlate,\n`);
  const out = join(dir, 'block.yaml');
  const r = cli('fit', csv, '--column', 'seconds', '--out', out, '--name', 'packing');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^2000 values of seconds \(1 cells skipped: not numbers\)$/m);
  assert.match(r.stdout, /^ {2}gamma +shape=[\d.]+ scale=[\d.]+ /m);
  const block = parse(readFileSync(out, 'utf8')) as { packing: DistributionConfig & { shape: number } };
  assert.equal(block.packing.dist, 'gamma');
  assert.ok(Math.abs(block.packing.shape - 4) < 0.4);
  const summary = await runModel({
    simId: 'Shop',
    arrival: { orders: { dist: 'exponential', rate: 0.3 } },
    service: block,
    resources: { bench: { currentCap: 1, maxCap: 1 } },
    flows: [{ name: 'orders', arrival: 'orders', steps: [{ resource: 'bench', service: 'packing' }] }],
    run: { until: 5000 },
  });
  const served = summary.statistics['Shop.stats.tasks.packing.service_mean']!;
  assert.ok(Math.abs(served - 2) < 0.1, `mean service ${served}, the gamma's 4 × 0.5`);

  const missing = cli('fit', csv, '--column', 'secs');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /has no column "secs"; its columns are: order, seconds/);

  const to = cli('dist', 'lognormal', '--mean', '2', '--std', '0.5');
  assert.equal(to.status, 0, to.stderr);
  const config = JSON.parse(to.stdout.split('\n')[0]!) as { mean: number; sigma: number };
  const back = cli('dist', 'lognormal', `mean=${config.mean}`, `sigma=${config.sigma}`);
  assert.match(back.stdout, /^mean 2, std 0\.5, cv² 0\.0625$/m);
});

test('sim fit --plot writes an SVG of the histogram and the best fits; sim dist takes a lognormal by mean and std', () => {
  const csv = join(dir, 'drilling.csv');
  writeFileSync(csv, `seconds\n${draw({ dist: 'gamma', shape: 4, scale: 0.5 }, 1000, 3).join('\n')}\n`);
  const svg = join(dir, 'drilling.svg');
  const r = cli('fit', csv, '--column', 'seconds', '--plot', svg);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote .*drilling\.svg$/m);
  const text = readFileSync(svg, 'utf8');
  assert.match(text, /^<svg /);
  assert.match(text, /seconds: 1000 values and the best fits/);
  // The legend names the three best families by AIC, the gamma among them; 40 bars of the histogram.
  assert.equal(new Set(text.match(/[a-z]+ \(AIC [\d.-]+\)/g)).size, 3);
  assert.match(text, /gamma \(AIC/);
  const bars = /class="mark-rect role-mark layer_0_marks"[^>]*>(.*?)<\/g>/.exec(text)?.[1] ?? '';
  assert.equal((bars.match(/<path aria-label="seconds: /g) ?? []).length, 40);
  assert.equal((text.match(/class="mark-line role-mark layer_1_marks"/g) ?? []).length, 3);
  const byValues = cli('dist', 'lognormal', 'mean=2', 'std=0.5');
  assert.equal(byValues.status, 0, byValues.stderr);
  assert.match(byValues.stdout, /^mean 2, std 0\.5, cv² 0\.0625$/m);
});
