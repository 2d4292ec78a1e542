// A warm-up: nothing is published before it ends, and the statistics start afresh when it does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';
import { replicate } from '../../../src/sim/replicate/replicate.ts';

// One part a second (the first at t = 1), half a second on the press.
const press = (warmup?: number | string): ModelSpec => ({
  simId: 'Cell',
  arrival: { parts: { dist: 'constant', value: 1 } },
  service: { press: { dist: 'constant', value: 0.5 } },
  resources: { press: { currentCap: 1, maxCap: 1 } },
  flows: [{ name: 'parts', arrival: 'parts', steps: [{ resource: 'press', service: 'press' }] }],
  telemetry: { interval: 60 },
  run: { until: 600, ...(warmup === undefined ? {} : { warmup }) },
});

function collector(): EgressSink & { records: SimRecord[] } {
  const records: SimRecord[] = [];
  return { name: 'collect', records, write: (batch) => void records.push(...batch) };
}

test('records start at the end of the warm-up; statistics count only what follows it', async () => {
  const whole = collector();
  const all = await runModel(press(), { sinks: [whole] });
  const warm = collector();
  const after = await runModel(press('5 min'), { sinks: [warm] });
  assert.equal(Math.min(...warm.records.map((r) => r.sim_ts)), 300);
  // Telemetry at 300, 360, …, 540: five readings of the press's four figures, against ten without a warm-up.
  assert.equal(warm.records.filter((r) => r.stream_type === 'telemetry').length, 5 * 4);
  assert.equal(whole.records.filter((r) => r.stream_type === 'telemetry').length, 10 * 4);
  // Parts 1…599 finish at n + 0.5: all 599 without a warm-up, parts 300…599 after it.
  assert.equal(all.statistics['Cell.stats.tasks.press.finished'], 599);
  assert.equal(after.statistics['Cell.stats.tasks.press.finished'], 300);
  // The press is busy half of each second once parts flow; the idle first second counts only without a warm-up.
  assert.equal(after.statistics['Cell.stats.resources.press.utilization_avg'], 50);
  assert.equal(all.statistics['Cell.stats.resources.press.utilization_avg'], (100 * 299.5) / 600);
  // The run's own counts cover the whole run.
  assert.equal(after.arrived.parts, all.arrived.parts);
});

test('replications honour the warm-up; a warm-up as long as the run is refused', async () => {
  const summary = await replicate(press(300), { replications: 2, workers: 1 });
  const finished = summary.measures.find((m) => m.name === 'tasks.press.finished');
  assert.equal(finished?.mean, 300);
  await assert.rejects(runModel(press(600)), {
    code: 'TS_SIM_BAD_MODEL',
    message: 'run.warmup = 600 is not valid; expected a time less than until (600)',
  });
});
