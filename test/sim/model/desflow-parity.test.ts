// Behaviours where desflow 0.25 blueprints once ran differently here, each checked against what desflow 0.25 itself
// gives on the same blueprint (`desflow run --stdout`, traces written out below): a spawned entity handed the
// spawner's outcome, and a run's stop condition checked again after registry updates and breakdowns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { runModel, validateModel } from '../../../src/sim/model/index.ts';

async function trace(blueprint: Record<string, unknown>) {
  const records: SimRecord[] = [];
  const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
  const summary = await runModel(await validateModel(blueprint, 'blueprint.yaml'), { sinks: [sink] });
  const lines = records
    .filter((r) => r.stream_type === 'event')
    .map((r) => {
      const v = r.value as Record<string, unknown>;
      return `${r.sim_ts} ${r.key} ${v.task ?? v.resource} ${v.status}`;
    });
  return { lines, summary };
}

test("a spawned entity's first task reads the spawning task's outcome as its payload, as desflow's", async () => {
  // desflow 0.25: ship-1 runs at 11 (t > 15 fails); ship-2 balks at 21 on payload.weight 7 handed on by pack.
  const { lines } = await trace({
    simulation: { sim_id: 'Ship', factor: 0, random_seed: 3 },
    resources: { dock: { current_cap: 1 } },
    services: { one: { dist: 'constant', value: 1 } },
    arrivals: { orders: { dist: 'constant', value: 10, spawn: 'pack' } },
    tasks: {
      pack: { service: 'one', payload: { weight: 7 }, spawn: { task: 'ship' } },
      ship: { service: 'one', resource: 'dock', payload: {}, balk: 'payload.weight > 5 and t > 15' },
    },
    run: { until: 25 },
  });
  assert.deepEqual(lines, [
    '10 orders-1 pack started',
    '11 orders-1 pack finished',
    '11 ship-1 ship queued',
    '11 ship-1 ship started',
    '12 ship-1 ship finished',
    '20 orders-2 pack started',
    '21 orders-2 pack finished',
    '21 ship-2 ship balked',
  ]);
});

test('a stop condition is checked again when a scenario updates the registry: the run ends at 15, as desflow 0.25 ends it', async () => {
  const { lines, summary } = await trace({
    simulation: { sim_id: 'Reg', factor: 0, random_seed: 3 },
    variables: { open: 1 },
    services: { one: { dist: 'constant', value: 1 } },
    arrivals: { jobs: { dist: 'constant', value: 10, spawn: 'work' } },
    tasks: { work: { service: 'one', payload: {} } },
    scenario: [{ at: 15, path: 'Reg.variables.open', value: 0 }],
    run: { until: 100, stop: { condition: 'registry["Reg.variables.open"] == 0' } },
  });
  assert.deepEqual(lines, ['10 jobs-1 work started', '11 jobs-1 work finished']);
  assert.equal(summary.simulatedTime, 15);
  assert.equal(summary.stopped?.by, 'condition registry["Reg.variables.open"] == 0');
});

test("a stop condition is checked again when a repair grants a queued request: the run ends at 10.5, as desflow 0.25's", async () => {
  // The press breaks down at 0.5 before the first job (t = 1) and is repaired at 10.5, when job 1 takes it.
  const { lines, summary } = await trace({
    simulation: { sim_id: 'Press', factor: 0, random_seed: 3 },
    resources: {
      press: {
        current_cap: 1,
        breakdown: {
          time_to_failure: { dist: 'constant', value: 0.5 },
          repair: { dist: 'constant', value: 10 },
          work: 'finish',
        },
      },
    },
    services: { long: { dist: 'constant', value: 30 } },
    arrivals: { jobs: { dist: 'constant', value: 1, spawn: 'work' } },
    tasks: { work: { service: 'long', resource: 'press', payload: {} } },
    run: { until: 100, stop: { condition: 'users.press >= 1' } },
  });
  assert.equal(summary.simulatedTime, 10.5);
  assert.deepEqual(lines.slice(0, 2), ['0.5 press-breakdown press down', '1 jobs-1 work queued']);
  // desflow also writes job 1's start at 10.5 (its stop is an event scheduled after the grant); here the run stops
  // at the repair itself.
  assert.deepEqual(lines.slice(-2), ['10 jobs-10 work queued', '10.5 press-breakdown press repaired']);
});

test('run.drain translates: the arrivals stop at until and the run goes on until the last entity leaves, or the limit', async () => {
  // A part every second on a press of 3 s, each spawning a label 2 s after it is pressed. desflow 0.25: with
  // `drain: true` 43 event records, the last label-8 finishing at 28 (label-9, due at 30, is not in the model
  // yet); with `drain: { limit: 5 s }` 24 records, the run ending at 15 before label-4 starts.
  const blueprint = (drain: unknown) => ({
    simulation: { sim_id: 'Cell', factor: 0, random_seed: 3 },
    resources: { press: { current_cap: 1 } },
    services: { press: { dist: 'constant', value: 3 }, one: { dist: 'constant', value: 1 } },
    arrivals: { parts: { dist: 'constant', value: 1, spawn: 'press' } },
    tasks: {
      press: { service: 'press', resource: 'press', payload: {}, spawn: { task: 'label', after: 2 } },
      label: { service: 'one', payload: {} },
    },
    run: { until: 10, drain },
  });
  const all = await trace(blueprint(true));
  assert.equal(all.summary.simulatedTime, 28);
  assert.equal(all.lines.length, 43);
  assert.equal(all.lines.at(-1), '28 label-8 label finished');
  assert.equal(all.summary.arrived.parts, 9);
  const limited = await trace(blueprint({ limit: '5 s' }));
  assert.equal(limited.summary.simulatedTime, 15);
  assert.equal(limited.lines.length, 24);
  assert.equal(limited.lines.at(-1), '13 parts-5 press started');
  await assert.rejects(trace(blueprint({ limit: '5 s', until: 3 })), {
    code: 'TS_SIM_BAD_MODEL',
    message: /run\.drain\.until: expected true or \{ limit: <duration> \}/,
  });
});
