// Built-in statistics of a model run, checked against a timeline worked out by hand: two entities arrive at t=1 and
// t=2 on a machine of one unit with a constant service of 3. The first is served from 1 to 4, the second waits from
// 2 to 4 and is served from 4 to 7; the run ends at 10.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EgressSink, ModelSpec, SimRecord, StatsLevel } from '../../../src/sim/index.ts';
import { runModel } from '../../../src/sim/model/run.ts';
import { Observations } from '../../../src/sim/stats/observations.ts';
import { TimeAverage } from '../../../src/sim/stats/time-average.ts';

const model = (stats?: { level?: StatsLevel; interval?: number }): ModelSpec => ({
  simId: 'Shop',
  arrival: { every: { dist: 'constant', value: 1 } },
  service: { drill: { dist: 'constant', value: 3 } },
  resources: { press: { currentCap: 1, maxCap: 2 } },
  flows: [{ name: 'orders', arrival: 'every', limit: 2, steps: [{ resource: 'press', service: 'drill' }] }],
  ...(stats === undefined ? {} : { stats }),
  run: { until: 10 },
});

test('statistics by level "all" follow the hand-worked timeline', async () => {
  const s = (await runModel(model({ level: 'all' }))).statistics;
  const at = (name: string) => s[`Shop.stats.${name}`];
  assert.equal(at('resources.press.utilization_avg'), 60); // busy from 1 to 7 of 10
  assert.equal(at('resources.press.queue_length_avg'), 0.2); // one waiting from 2 to 4
  assert.equal(at('resources.press.in_use'), 0);
  assert.equal(at('tasks.drill.finished'), 2);
  assert.equal(at('tasks.drill.in_progress'), 0);
  assert.equal(at('tasks.drill.wait_mean'), 1); // waits 0 and 2
  assert.equal(at('tasks.drill.wait_max'), 2);
  assert.equal(at('tasks.drill.wait_p50'), 1);
  assert.ok(Math.abs(at('tasks.drill.wait_p95')! - 1.9) < 1e-12);
  assert.ok(Math.abs(at('tasks.drill.wait_p99')! - 1.98) < 1e-12);
  assert.equal(at('tasks.drill.service_mean'), 3);
  assert.equal(at('flows.orders.started'), 2);
  assert.equal(at('flows.orders.finished'), 2);
  assert.equal(at('flows.orders.in_system'), 0);
});

test('each level adds to the one below; the default is typical; none measures nothing', async () => {
  const names = async (level?: StatsLevel) =>
    Object.keys((await runModel(model(level === undefined ? undefined : { level }))).statistics).map((n) =>
      n.slice('Shop.stats.'.length),
    );
  assert.deepEqual(await names('none'), []);
  const minimal = await names('minimal');
  assert.deepEqual(minimal.sort(), [
    'resources.press.capacity',
    'resources.press.in_use',
    'resources.press.queue_length',
    'resources.press.utilization',
    'tasks.drill.in_progress',
  ]);
  const basic = await names('basic');
  assert.ok(basic.includes('resources.press.utilization_avg') && basic.includes('flows.orders.in_system'));
  assert.ok(!basic.includes('tasks.drill.wait_mean'));
  const typical = await names();
  assert.ok(typical.includes('tasks.drill.wait_mean') && !typical.includes('tasks.drill.wait_p95'));
  assert.ok((await names('all')).includes('tasks.drill.service_p99'));
});

test('stats.interval publishes each changed statistic as telemetry, and the end of the run', async () => {
  const records: SimRecord[] = [];
  const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
  await runModel(model({ level: 'basic', interval: 4 }), { sinks: [sink] });
  const telemetry = records.filter((r) => r.stream_type === 'telemetry');
  const util = telemetry.filter((r) => r.path_id === 'Shop.stats.resources.press.utilization_avg');
  // at 4 (busy from 1 to 4: 75 %), at 8 (6 of 8: 75 %, unchanged: not repeated), at the end, 10 (60 %)
  assert.deepEqual(
    util.map((r) => [r.sim_ts, r.value]),
    [
      [4, 75],
      [10, 60],
    ],
  );
  // The publisher's timeout for 4 was scheduled at 0, before the first order's end of service (scheduled at 1):
  // at 4 it reads the order still in service.
  const finished = telemetry.filter((r) => r.path_id === 'Shop.stats.flows.orders.finished');
  assert.deepEqual(
    finished.map((r) => [r.sim_ts, r.value]),
    [
      [4, 0],
      [8, 2],
    ],
  );
});

test('a model without a stats block publishes no statistics but shows them in the summary', async () => {
  const records: SimRecord[] = [];
  const summary = await runModel(model(), { sinks: [{ name: 'collect', write: (b) => void records.push(...b) }] });
  assert.equal(records.filter((r) => r.stream_type === 'telemetry').length, 0);
  assert.equal(summary.statistics['Shop.stats.tasks.drill.wait_max'], 2);
});

test('a time average integrates each value over the time it held; reset starts over', () => {
  const a = new TimeAverage(0, 2);
  a.update(5, 4);
  assert.equal(a.average(10), 3);
  a.reset(10);
  assert.equal(a.average(20), 4);
});

test('observations give numpy-style interpolated percentiles and grow past their first buffer', () => {
  const o = new Observations(true);
  for (let i = 2000; i >= 0; i--) o.add(i);
  assert.equal(o.count, 2001);
  assert.equal(o.percentile(50), 1000);
  assert.equal(o.percentile(99), 1980);
  assert.equal(o.mean(), 1000);
  assert.ok(Number.isNaN(new Observations(false).percentile(50)));
});
