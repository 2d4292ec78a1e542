import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DistributionConfig, Sampler } from '../../src/sim/index.ts';

const configs: DistributionConfig[] = [
  { dist: 'exponential', rate: 2 },
  { dist: 'normal', mean: 2, std: 0.2 },
  { dist: 'lognormal', mean: 0, sigma: 0.5 },
  { dist: 'uniform', low: 1, high: 3 },
  { dist: 'triangular', low: 0, mode: 1, high: 4 },
  { dist: 'gamma', shape: 2, scale: 1.5 },
  { dist: 'gamma', shape: 0.5, scale: 1 },
  { dist: 'weibull', shape: 1.5, scale: 2 },
  { dist: 'constant', value: 7 },
  { dist: 'empirical', values: [1, 2, 3], weights: [0.2, 0.3, 0.5] },
];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('samples have the distributions means (50k draws each)', () => {
  const s = new Sampler({ seed: 7 });
  const expected = [0.5, 2, Math.exp(0.125), 2, 5 / 3, 3, 0.5, 2 * 0.9027452929509336, 7, 2.3];
  configs.forEach((c, i) => {
    const xs = Array.from({ length: 50_000 }, () => s.sample(c));
    const m = mean(xs);
    assert.ok(
      Math.abs(m - expected[i]!) < 0.03 * Math.max(1, expected[i]!),
      `${c.dist}: mean ${m}, expected ${expected[i]}`,
    );
  });
});

test('the same seed gives the same samples; saved state resumes the exact sequence', () => {
  const a = new Sampler({ seed: 42 });
  const b = new Sampler({ seed: 42 });
  const draw = (s: Sampler) => configs.map((c) => s.sample(c));
  assert.deepEqual(draw(a), draw(b));
  const saved = JSON.parse(JSON.stringify(a.saveState()));
  const next = [draw(a), draw(a)];
  const resumed = Sampler.fromState(saved);
  assert.deepEqual([draw(resumed), draw(resumed)], next);
  b.restoreState(saved);
  assert.deepEqual([draw(b), draw(b)], next);
});

test('min and max clip samples', () => {
  const s = new Sampler();
  for (let i = 0; i < 1000; i++) {
    const x = s.sample({ dist: 'normal', mean: 0, std: 5, min: 0, max: 1 });
    assert.ok(x >= 0 && x <= 1);
  }
});

test('invalid distributions name the dot path and the accepted values', () => {
  const s = new Sampler();
  assert.throws(
    () => s.sample({ dist: 'exponential', rate: -2 }, 'Line_A.arrival.standard'),
    (e: any) =>
      e.code === 'TS_SIM_BAD_DISTRIBUTION' &&
      e.message === 'Line_A.arrival.standard.rate = -2 is not valid; expected a finite number > 0',
  );
  assert.throws(
    () => s.sample({ dist: 'poisson' } as any, 'x'),
    /x\.dist = "poisson" is not valid; expected one of exponential, normal, lognormal/,
  );
  assert.throws(() => s.sample({ dist: 'triangular', low: 0, mode: 5, high: 4 }), /mode/);
  assert.throws(() => s.sample({ dist: 'empirical', values: [1, 2], weights: [1] }), /weights/);
  assert.throws(() => new Sampler({ seed: 1.5 }), { code: 'TS_SIM_BAD_SEED' });
});

test('an empirical distribution of a million values is checked once, not at every sample', () => {
  const values = Array.from({ length: 1_000_000 }, (_, i) => i);
  const weights = values.map((i) => (i % 2 === 0 ? 1 : 0));
  const sampler = new Sampler({ seed: 3 });
  const plain = { dist: 'empirical' as const, values };
  const weighted = { dist: 'empirical' as const, values, weights };
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) {
    sampler.sample(plain);
    assert.equal(sampler.sample(weighted) % 2, 0); // odd values weigh 0
  }
  // Measured here: about 20 ms; checking a million values at each of 40,000 draws took minutes.
  assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);
  // A config that changes (new arrays, as the registry makes) is checked again.
  assert.throws(() => sampler.sample({ dist: 'empirical', values: [1, Number.NaN] }), /values/);
});

test('desflow families: truncated normal, lognormal by mean and std, empirical histogram (mean, std, bounds)', () => {
  const s = new Sampler({ seed: 11 });
  const n = 50_000;
  const stats = (xs: number[]) => {
    const m = mean(xs);
    return { m, sd: Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) };
  };
  // Normal(1, 1) truncated at 0: with λ = φ(1)/Φ(1) = 0.2876, mean 1 + λ = 1.2876 and std √(1 − λ − λ²) = 0.7935.
  const low = Array.from({ length: n }, () => s.sample({ dist: 'truncated_normal', mean: 1, std: 1 }));
  assert.ok(Math.min(...low) >= 0);
  const a = stats(low);
  assert.ok(Math.abs(a.m - 1.2876) < 0.015 && Math.abs(a.sd - 0.7935) < 0.015, JSON.stringify(a));
  // Far in the tail (5 std above the mean) and between two bounds: every draw inside, the mean near the bound.
  const tail = Array.from({ length: n }, () => s.sample({ dist: 'truncated_normal', mean: 0, std: 1, low: 5 }));
  assert.ok(Math.min(...tail) >= 5 && Math.abs(mean(tail) - 5.1865) < 0.01, String(mean(tail)));
  const both = Array.from({ length: n }, () =>
    s.sample({ dist: 'truncated_normal', mean: 10, std: 3, low: 8, high: 12 }),
  );
  assert.ok(Math.min(...both) >= 8 && Math.max(...both) <= 12 && Math.abs(mean(both) - 10) < 0.03);
  // Lognormal of mean 2 and std 0.5 (of the values, as desflow takes them).
  const ln = stats(Array.from({ length: n }, () => s.sample({ dist: 'lognormal', mean: 2, std: 0.5 })));
  assert.ok(Math.abs(ln.m - 2) < 0.02 && Math.abs(ln.sd - 0.5) < 0.02, JSON.stringify(ln));
  // The same lognormal by μ and σ of the logarithm.
  const s2 = Math.log(1 + 0.25 / 4);
  const mu = stats(
    Array.from({ length: n }, () => s.sample({ dist: 'lognormal', mu: Math.log(2) - s2 / 2, sigma: Math.sqrt(s2) })),
  );
  assert.ok(Math.abs(mu.m - 2) < 0.02 && Math.abs(mu.sd - 0.5) < 0.02, JSON.stringify(mu));
  // A histogram: bin [0, 1) with count 1 and [1, 3) with count 3 — uniform inside each, so P(x < 1) = 1/4 and the
  // mean is 0.25·0.5 + 0.75·2 = 1.625.
  const h = Array.from({ length: n }, () => s.sample({ dist: 'empirical', edges: [0, 1, 3], counts: [1, 3] }));
  assert.ok(Math.min(...h) >= 0 && Math.max(...h) < 3);
  assert.ok(Math.abs(h.filter((x) => x < 1).length / n - 0.25) < 0.01);
  assert.ok(Math.abs(mean(h) - 1.625) < 0.02, String(mean(h)));
});

test('the new families refuse bad parameters by field', () => {
  const s = new Sampler();
  assert.throws(
    () => s.sample({ dist: 'truncated_normal', mean: 1, std: 1, low: 2, high: 1 }, 'p'),
    /p\.high = 1 is not valid; expected a number > low \(2\)/,
  );
  assert.throws(() => s.sample({ dist: 'lognormal', mean: -1, std: 1 }, 'p'), /p\.mean = -1 .*> 0/);
  assert.throws(() => s.sample({ dist: 'lognormal', mean: 1, std: 1, sigma: 1 } as never, 'p'), /not both/);
  assert.throws(() => s.sample({ dist: 'empirical', edges: [0, 2, 1], counts: [1, 1] }, 'p'), /p\.edges/);
  assert.throws(() => s.sample({ dist: 'empirical', edges: [0, 1, 2], counts: [1] }, 'p'), /p\.counts .*2 finite/);
});

test('with streams, each path draws from its own stream: other paths and their order do not change it', () => {
  const config = { dist: 'exponential' as const, rate: 1 };
  const alone = new Sampler({ seed: 5, streams: true });
  const a = Array.from({ length: 100 }, () => alone.sample(config, 'M.service.mill'));
  const busy = new Sampler({ seed: 5, streams: true });
  const b: number[] = [];
  for (let i = 0; i < 100; i++) {
    busy.sample(config, 'M.arrival.orders'); // draws of another path in between
    busy.sample(config, 'M.service.pack');
    b.push(busy.sample(config, 'M.service.mill'));
  }
  assert.deepEqual(b, a);
  assert.notDeepEqual(
    Array.from({ length: 100 }, () => busy.sample(config, 'M.service.pack')),
    Array.from({ length: 100 }, () => busy.sample(config, 'M.service.mill')),
  );
  // Another seed, another stream for the same path; saved state resumes every stream.
  const other = new Sampler({ seed: 6, streams: true });
  assert.notEqual(other.sample(config, 'M.service.mill'), a[0]);
  const saved = JSON.parse(JSON.stringify(busy.saveState()));
  const next = [busy.sample(config, 'M.service.mill'), busy.sample(config, 'M.arrival.orders')];
  const resumed = Sampler.fromState(saved);
  assert.deepEqual([resumed.sample(config, 'M.service.mill'), resumed.sample(config, 'M.arrival.orders')], next);
});
