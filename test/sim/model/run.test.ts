// Declarative models: examples/models/line-a.yaml is seed 002's Line_A history example, so for the same seed it must
// publish exactly the events the hand-written simulation (examples/sim-history.ts's logic) publishes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { TwinstreamError } from '../../../src/index.ts';
import {
  dynamicResource,
  type EgressSink,
  RealtimeEnvironment,
  Sampler,
  type SimRecord,
} from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';

const MODEL = new URL('../../../examples/models/line-a.yaml', import.meta.url).pathname;
const HOUR = 3600;

function collector(): EgressSink & { records: SimRecord[] } {
  const records: SimRecord[] = [];
  return { name: 'collect', records, write: (batch) => void records.push(...batch) };
}

// The seed 002 example written by hand against the API, run for `until`.
async function handWritten(until: number): Promise<SimRecord[]> {
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: '2024-01-01T00:00:00Z' });
  env.registry.register({
    simId: 'Line_A',
    arrival: { standard: { dist: 'exponential', rate: 2 } },
    service: { milling: { dist: 'normal', mean: 2, std: 0.2, min: 0 } },
    resources: { lathe: { currentCap: 4, maxCap: 10 } },
  });
  const sink = collector();
  env.setupEgress([sink], { batchSize: 5000 });
  const lathe = dynamicResource(env.registry, 'Line_A', 'lathe');
  // A model gives each distribution its own stream, named by its path.
  const sampler = new Sampler({ seed: 42, streams: true });
  function* task(id: number) {
    const key = `task-${id}`;
    const pathId = 'Line_A.service.milling';
    env.publishEvent(key, { path_id: pathId, status: 'queued' }, 'milling', id);
    const req = lathe.request();
    yield req;
    try {
      env.publishEvent(key, { path_id: pathId, status: 'started' }, 'milling', id);
      yield env.timeout(sampler.sample(env.registry.getConfig(pathId), pathId));
      env.publishEvent(key, { path_id: pathId, status: 'finished' }, 'milling', id);
    } finally {
      lathe.release(req);
    }
  }
  env.process(
    (function* () {
      const arrival = env.registry.getConfig('Line_A.arrival.standard');
      for (let id = 0; ; id++) {
        yield env.timeout(sampler.sample(arrival, 'Line_A.arrival.standard'));
        env.process(task(id));
      }
    })(),
  );
  await env.run({ until });
  await env.teardown();
  return sink.records;
}

test('line-a.yaml publishes the same lifecycle events as the hand-written seed 002 example, and Parquet holds them flattened', async () => {
  const out = mkdtempSync(join(tmpdir(), 'twinstream-model-'));
  try {
    const sink = collector();
    const summary = await runModel(MODEL, { until: HOUR, outDir: out, sinks: [sink] });
    const events = sink.records.filter((r) => r.stream_type === 'event');
    const expected = await handWritten(HOUR);
    assert.ok(expected.length > 20_000, `an hour has about 21,600 lifecycle events, got ${expected.length}`);
    assert.deepEqual(events, expected);
    // Telemetry every 60 s: capacity, in_use, queue_length, utilization of the lathe.
    const telemetry = sink.records.filter((r) => r.stream_type === 'telemetry');
    assert.equal(telemetry.length, 4 * 60);
    assert.deepEqual(
      telemetry.slice(0, 4).map((r) => [r.path_id, r.sim_ts]),
      [
        ['Line_A.lathe.capacity', 0],
        ['Line_A.lathe.in_use', 0],
        ['Line_A.lathe.queue_length', 0],
        ['Line_A.lathe.utilization', 0],
      ],
    );
    assert.equal(summary.simulatedTime, HOUR);
    assert.deepEqual(summary.statuses, {
      queued: expected.filter((r) => (r.value as { status: string }).status === 'queued').length,
      started: expected.filter((r) => (r.value as { status: string }).status === 'started').length,
      finished: expected.filter((r) => (r.value as { status: string }).status === 'finished').length,
    });
    assert.equal(summary.arrived.milling, summary.statuses.queued);
    assert.equal(summary.completed.milling, summary.statuses.finished);
    // The model's Parquet sink: events only, the nested value flattened.
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(out, 'events.parquet')) });
    assert.equal(rows.length, expected.length);
    assert.deepEqual(rows[0], {
      stream_type: 'event',
      key: 'task-0',
      task: 'milling',
      instance: 0,
      sim_ts: (expected[0] as SimRecord).sim_ts,
      timestamp: new Date('2024-01-01T00:00:00.369Z'), // the first gap of the arrival's own stream, seed 42
      path_id: 'Line_A.service.milling',
      status: 'queued',
    });
    assert.deepEqual(
      rows.map((r) => `${r.key}/${r.status}/${r.sim_ts}`),
      expected.map((r) => `${(r as { key: string }).key}/${(r.value as { status: string }).status}/${r.sim_ts}`),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a model object runs too; containers, stores, limits and a parameter schedule work', async () => {
  const sink = collector();
  const summary = await runModel(
    {
      simId: 'Cell',
      arrival: { parts: { dist: 'constant', value: 1 } },
      service: { press: { dist: 'constant', value: 2 }, pack: { dist: 'constant', value: 0.5 } },
      resources: { press: { currentCap: 1, maxCap: 3 } },
      containers: { steel: { currentCap: 10, maxCap: 10, init: 3 } },
      stores: { done: { currentCap: 100, maxCap: 100 } },
      flows: [
        {
          name: 'parts',
          arrival: 'parts',
          entity: 'part',
          limit: 5,
          steps: [
            { resource: 'press', service: 'press', consume: [{ container: 'steel' }] },
            { service: 'pack', store: 'done' },
          ],
        },
      ],
      // A second press from t = 3.
      schedule: [{ at: 3, path: 'Cell.resources.press.currentCap', value: 2 }],
      run: { until: 100 },
    },
    { sinks: [sink] },
  );
  assert.deepEqual(summary.arrived, { parts: 5 });
  // Only 3 units of steel: two parts wait forever for steel.
  assert.deepEqual(summary.completed, { parts: 3 });
  assert.deepEqual(summary.model.stores.get('done')!.items, ['part-0', 'part-1', 'part-2']);
  assert.equal(summary.model.containers.get('steel')!.level, 0);
  assert.equal(summary.model.resources.get('press')!.capacity, 2);
  const started = sink.records
    .filter(
      (r) =>
        (r.value as { status: string }).status === 'started' &&
        (r.value as { path_id: string }).path_id === 'Cell.service.press',
    )
    .map((r) => [(r as { key: string }).key, r.sim_ts]);
  // part-0 presses 1–3; part-1 arrives at 2 and gets the press at 3; part-2 arrives at 3 and gets the new second press.
  assert.deepEqual(started, [
    ['part-0', 1],
    ['part-1', 3],
    ['part-2', 3],
  ]);
});

test('an invalid model file is an error naming each dot path, its line and what is accepted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-model-bad-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'simId: Line_A',
        'arrival:',
        '  standard: { dist: exponential, rate: 2 }',
        'service:',
        '  milling: { dist: normal, mean: 2, std: -1 }',
        'resources:',
        '  lathe: { currentCap: -4, maxCap: 10 }',
        'flows:',
        '  - name: m',
        '    arrival: standard',
        '    steps: [{ resource: lathe, service: milling, store: 7 }]',
        'run: { until: 10 }',
        '',
      ].join('\n'),
    );
    await assert.rejects(runModel(file), (e: unknown) => {
      assert.ok(e instanceof TwinstreamError);
      assert.equal(e.code, 'TS_SIM_BAD_MODEL');
      assert.match(e.message, /bad\.yaml is not a valid model/);
      assert.match(e.message, /✖ expected a number >= 0\n {2}→ at resources\.lathe\.currentCap \(line 7\)/);
      assert.match(e.message, /→ at service\.milling\.std \(line 5\)/);
      assert.match(e.message, /→ at flows\[0\]\.steps\[0\]\.store \(line 11\)/);
      return true;
    });
    // A reference to something the model does not have.
    const spec: ModelSpec = {
      simId: 'L',
      arrival: { a: { dist: 'constant', value: 1 } },
      service: { s: { dist: 'constant', value: 1 } },
      flows: [{ name: 'f', arrival: 'a', steps: [{ resource: 'lathe', service: 's' }] }],
      run: { until: 1 },
    };
    await assert.rejects(
      runModel(spec),
      /"lathe" is not a resource of this model[^\n]*\n {2}→ at flows\[0\]\.steps\[0\]\.resource/,
    );
    await assert.rejects(
      runModel({ ...spec, run: { until: 1, factor: 'fast' } } as unknown as ModelSpec),
      /expected a number\n {2}→ at run\.factor/,
    );
    await assert.rejects(runModel(join(dir, 'missing.yaml')), /cannot read model .*missing\.yaml/);
    writeFileSync(join(dir, 'broken.yaml'), 'simId: [\n');
    await assert.rejects(runModel(join(dir, 'broken.yaml')), /broken\.yaml is not valid YAML \(line \d+\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('durations in a model are seconds or duration strings: until 1h, telemetry every 10m, a schedule at 30m', async () => {
  const spec: ModelSpec = {
    simId: 'L',
    arrival: { a: { dist: 'constant', value: 60 } },
    service: { s: { dist: 'constant', value: 1 } },
    resources: { lathe: { currentCap: 1, maxCap: 2 } },
    flows: [{ name: 'f', arrival: 'a', steps: [{ resource: 'lathe', service: 's' }] }],
    schedule: [{ at: '30m', path: 'L.resources.lathe.currentCap', value: 2 }],
    telemetry: { interval: '10m' },
    run: { until: '1h' },
  };
  const strings = await runModel(spec, { sinks: [] });
  const numbers = await runModel({
    ...spec,
    schedule: [{ ...spec.schedule![0]!, at: 1800 }],
    telemetry: { interval: 600 },
    run: { until: 3600 },
  });
  assert.equal(strings.simulatedTime, 3600);
  const counts = (m: typeof strings) => [m.simulatedTime, m.events, m.arrived, m.completed, m.statuses];
  assert.deepEqual(counts(strings), counts(numbers));
  assert.ok(strings.events > 100, `${strings.events} events`);
  assert.equal((await runModel(spec, { until: '2h' })).simulatedTime, 7200);
  await assert.rejects(runModel({ ...spec, run: { until: 'soon' } }), /expected a number\n {2}→ at run\.until/);
});
