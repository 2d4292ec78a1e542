// Common random numbers: a model gives each distribution its own random stream, seeded from the run's seed and the
// distribution's path, so two designs run on the same seed see the same arrivals and service times, and the noise
// of their paired difference drops compared with independent runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';

// An M/M/2 line: one arrival every second on average, two lathes; the designs differ in the mean service time
// (1.6 s today, 1.5 s with a faster tool).
const line = (serviceMean: number, seed: number): ModelSpec => ({
  simId: 'Shop',
  arrival: { orders: { dist: 'exponential', rate: 1 } },
  service: { turning: { dist: 'exponential', rate: 1 / serviceMean } },
  resources: { lathe: { currentCap: 2, maxCap: 4 } },
  flows: [{ name: 'orders', arrival: 'orders', steps: [{ resource: 'lathe', service: 'turning' }] }],
  run: { until: 3000, seed },
});

const WAIT = 'Shop.stats.tasks.turning.wait_mean';

const variance = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

test('two designs on one seed see the same arrivals; the paired difference varies far less than with independent seeds', async () => {
  const crn: number[] = [];
  const independent: number[] = [];
  for (let r = 1; r <= 20; r++) {
    const today = await runModel(line(1.6, r));
    const faster = await runModel(line(1.5, r));
    const fasterElsewhere = await runModel(line(1.5, r + 1000));
    // The same arrival stream whatever the service time.
    assert.equal(faster.arrived.orders, today.arrived.orders);
    crn.push(today.statistics[WAIT]! - faster.statistics[WAIT]!);
    independent.push(today.statistics[WAIT]! - fasterElsewhere.statistics[WAIT]!);
  }
  // On common random numbers the faster tool shortens the wait in every pair (independent runs do not show it).
  assert.ok(
    crn.every((d) => d > 0),
    crn.join(', '),
  );
  const ratio = variance(crn) / variance(independent);
  assert.ok(
    ratio < 0.2,
    `variance of the paired difference: ${variance(crn)} with common random numbers, ${variance(independent)} without (ratio ${ratio})`,
  );
});
