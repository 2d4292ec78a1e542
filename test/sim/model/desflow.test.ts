// desflow 0.25 blueprints run unchanged: the translation (field by field, and the refusals naming the field and its
// line), and twinstream's statistics on examples/desflow/*.yaml against desflow's own, recorded in
// desflow-figures.json by scripts/desflow-compare.ts --record (where they came from is in the file): each mean must
// agree within the two 95% confidence intervals.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { agree } from '../../../scripts/desflow-compare.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { fromDesflow, loadModel, runModel } from '../../../src/sim/model/index.ts';
import { replicate } from '../../../src/sim/replicate/replicate.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const figures = JSON.parse(readFileSync(new URL('./desflow-figures.json', import.meta.url), 'utf8')) as {
  source: string;
  blueprints: Record<
    string,
    { seed: number; replications: number; measures: Record<string, { mean: number; halfWidth: number }> }
  >;
};

test("a desflow blueprint translates field by field: capacities, distributions in desflow's meaning, tasks, signals, scenario", () => {
  const spec = fromDesflow({
    simulation: { sim_id: 'Shop', factor: 0, random_seed: 9, logical_start_time: '2024-01-01T00:00:00Z' },
    resources: {
      packer: { current_cap: 2, max_cap: 4, queue: 'priority', queue_limit: 5 },
      dock: {},
      press: {
        breakdown: {
          time_to_failure: { dist: 'exponential', rate: 0.01 },
          repair: { dist: 'constant', value: '2 min' },
        },
      },
    },
    containers: { tank: { max_cap: 100, level: 10 }, sea: {} },
    stores: { shelf: { items: [{ sku: 'a' }] } },
    services: {
      pack: { dist: 'normal', mean: '1.5 min' },
      weigh: { dist: 'lognormal', mean: 2, std: 1 },
    },
    arrivals: { orders: { dist: 'exponential', rate: 0.5, spawn: 'pack', attributes: { express: true } } },
    signals: ['closing'],
    tasks: {
      pack: {
        service: 'pack',
        resource: ['packer', 'dock'],
        keep: ['dock'],
        payload: { status: 'packed' },
        id_field: 'order',
        patience: '30 s',
        next: { when: [{ condition: 'attr.express', task: 'weigh' }], default: 'weigh' },
        on_interrupt: 'restart',
        on: [{ fire: { signal: 'closing', after: 5 } }],
      },
      weigh: {
        service: 'weigh',
        payload: {},
        wait: { at_least: 1, of: { a: { signal: 'closing' }, b: { timeout: { after: '1 min', value: 3 } } } },
      },
    },
    scenario: [{ at: '10 min', path: 'Shop.resources.packer.current_cap', value: 3 }],
    stats: 'basic',
    run: { until: '2 h' },
    egress: [{ type: 'Console' }],
  });
  assert.deepEqual(spec.resources, {
    packer: { currentCap: 2, maxCap: 4, queue: 'priority', queueLimit: 5 },
    dock: { currentCap: 1, maxCap: 1 },
    press: {
      currentCap: 1,
      maxCap: 1,
      breakdown: {
        timeToFailure: { dist: 'exponential', rate: 0.01, min: 0.00001 },
        repair: { dist: 'constant', value: 120, min: 0.00001 },
      },
    },
  });
  assert.deepEqual(spec.containers, {
    tank: { currentCap: 100, maxCap: 100, init: 10 },
    sea: { currentCap: Number.POSITIVE_INFINITY, maxCap: Number.POSITIVE_INFINITY, init: 0 },
  });
  assert.equal(spec.stores?.shelf?.currentCap, Number.POSITIVE_INFINITY);
  assert.deepEqual(spec.service.pack, { dist: 'normal', mean: 90, std: 0, min: 0.00001 });
  // A lognormal by the mean and std of its draws, as desflow's.
  assert.deepEqual(spec.service.weigh, { dist: 'lognormal', mean: 2, std: 1, min: 0.00001 });
  assert.deepEqual(spec.flows, [
    { name: 'orders', arrival: 'orders', entity: 'orders', start: 'pack', attributes: { express: true } },
  ]);
  assert.deepEqual(spec.entities, { numberFrom: 1, spawned: 'parent' });
  assert.deepEqual(spec.signals, { closing: {} });
  assert.deepEqual(spec.tasks?.pack, {
    service: 'pack',
    resource: ['packer', 'dock'],
    payload: { status: 'packed' },
    idField: 'order',
    keep: ['dock'],
    onInterrupt: 'restart',
    patience: 30,
    next: { when: [{ condition: 'attr.express', task: 'weigh' }], default: 'weigh' },
    on: [{ fire: { signal: 'closing', after: 5 } }],
  });
  assert.deepEqual(spec.tasks?.weigh?.wait, {
    atLeast: 1,
    of: { a: { signal: 'closing' }, b: { timeout: { after: 60, value: 3 } } },
  });
  assert.deepEqual(spec.schedule, [{ at: 600, path: 'Shop.resources.packer.currentCap', value: 3 }]);
  assert.deepEqual(spec.stats, { level: 'basic' });
  assert.deepEqual(spec.run, { until: 7200, factor: 0, seed: 9, logicalStartTime: '2024-01-01T00:00:00Z' });
  assert.deepEqual(spec.egress, { sinks: [{ type: 'console' }] });
});

test('what a twinstream model cannot run (Python) or does not translate yet is refused, naming the field and its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-desflow-'));
  try {
    const file = join(dir, 'shop.yaml');
    const blueprint = (extra: string) =>
      [
        'simulation: { sim_id: Shop, factor: 0 }',
        'services: { s: { dist: constant, value: 1 } }',
        'arrivals: { a: { dist: constant, value: 1, spawn: t } }',
        'tasks:',
        '  t: { service: s, payload: {} }',
        extra,
        'run: { until: 10 }',
      ].join('\n');
    const refused: [string, RegExp][] = [
      ['processes:\n  - !python logic.run', /processes \(line 7\): needs Python/],
      [
        'egress: [{ type: Jsonl, when: !python sinks.recent }]',
        /egress\.0\.when \(line 6\): expected history, live or labels \(a !python function needs Python/,
      ],
      [
        'egress: [{ type: Iceberg }]',
        /egress\.0\.type \(line 6\): the "Iceberg" connector is not translated to twinstream yet/,
      ],
    ];
    for (const [extra, message] of refused) {
      writeFileSync(file, blueprint(extra));
      await assert.rejects(
        loadModel(file),
        (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL' && message.test(e.message),
        extra,
      );
    }
    writeFileSync(file, blueprint(''));
    const spec = await loadModel(file);
    assert.equal(spec.simId, 'Shop');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [file, recorded] of Object.entries(figures.blueprints)) {
  test(`${file}: twinstream's statistics agree with desflow's within their 95% intervals`, async () => {
    const ours = await replicate(join(ROOT, file), { replications: recorded.replications, seed: recorded.seed });
    const mine = new Map(ours.measures.map((m) => [m.name, m]));
    const differ: string[] = [];
    for (const [name, theirs] of Object.entries(recorded.measures)) {
      const m = mine.get(name);
      if (m === undefined || !agree({ mean: m.mean, halfWidth: m.halfWidth }, theirs)) {
        differ.push(`${name}: desflow ${theirs.mean} ± ${theirs.halfWidth}, twinstream ${m?.mean} ± ${m?.halfWidth}`);
      }
    }
    assert.ok(Object.keys(recorded.measures).length >= 10, 'enough statistics recorded');
    assert.deepEqual(differ, []);
  });
}

test("the simulation's warmup, go_live_at, timezone and start translate: warm-up records dropped, history and live apart, timestamps in the zone", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-desflow-live-'));
  try {
    const file = join(dir, 'cell.yaml');
    writeFileSync(
      file,
      [
        'simulation:',
        '  sim_id: Cell',
        '  factor: 0',
        '  timezone: Europe/Paris',
        '  logical_start_time: 2024-01-01T06:00:00',
        '  go_live_at: 2024-01-01T06:00:57.9',
        '  warmup: 10 s',
        'resources: { press: {} }',
        'services: { press: { dist: constant, value: 0.5 } }',
        'arrivals: { parts: { dist: constant, value: 2, spawn: press } }',
        'tasks: { press: { service: press, resource: press, payload: {} } }',
        'stats: all',
        'run: { until: 59 s }',
        'egress:',
        '  - { type: Jsonl, when: history, config: { default_path: history.jsonl } }',
        '  - { type: Jsonl, when: live, batch_size: 10, config: { default_path: live.jsonl } }',
      ].join('\n'),
    );
    const spec = await loadModel(file);
    assert.deepEqual(spec.run, {
      until: 59,
      factor: 1,
      warmup: 10,
      logicalStartTime: '2024-01-01T06:00:00',
      goLiveAt: '2024-01-01T06:00:57.9',
      timeZone: 'Europe/Paris',
      localTimestamps: true,
    });
    assert.deepEqual(spec.egress?.sinks[1], {
      type: 'jsonl',
      path: 'live.jsonl',
      streams: ['event'],
      flatten: true,
      when: 'live',
      batchSize: 10,
    });
    const summary = await runModel(file, { outDir: dir });
    const read = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { sim_ts: number; timestamp: string; status: string });
    const history = read('history.jsonl');
    const live = read('live.jsonl');
    // Parts arrive every 2 s: the first after the warm-up at 10 s, the last before go-live at 56 s; the part of
    // 58 s is live (paced in real time from 57.9 s).
    assert.equal(history[0]!.sim_ts, 10);
    // Keyed as desflow keys them: the arrival's name, counted from 1.
    assert.equal((history[0] as unknown as { key: string }).key, 'parts-5');
    // In the zone with its offset, as desflow 0.25 writes it.
    assert.equal(history[0]!.timestamp, '2024-01-01T06:00:10.000+01:00');
    assert.equal(history.at(-1)!.sim_ts, 56.5);
    assert.ok(history.every((r) => r.sim_ts >= 10 && r.sim_ts < 57.9));
    assert.deepEqual(
      live.map((r) => [r.sim_ts, r.status]),
      [
        [58, 'queued'],
        [58, 'started'],
        [58.5, 'finished'],
      ],
    );
    // The statistics start afresh at the warm-up's end: 25 parts pressed from 10 s to 58.5 s.
    assert.equal(summary.statistics['Cell.stats.tasks.press.finished'], 25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a replayed arrival reads its CSV as desflow does: ISO local times in the zone, every column an attribute', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-desflow-replay-'));
  try {
    writeFileSync(
      join(dir, 'gate.csv'),
      'arrived_at,pallets,carrier\n2024-05-01T08:00:12,2,north\n2024-05-01 08:00:30,1,south\n2024-05-01T06:01:00Z,3,east\n',
    );
    const file = join(dir, 'dock.yaml');
    const blueprint = (replay: string) =>
      [
        'simulation: { sim_id: Dock, factor: 0, timezone: Europe/Paris, logical_start_time: 2024-05-01T08:00:00 }',
        'services: { unload: { dist: constant, value: 5 } }',
        `arrivals: { trucks: { replay: ${replay}, spawn: dock, attributes: { pallets: 0, express: false } } }`,
        'tasks: { dock: { service: unload, payload: {}, attributes: [pallets, carrier, express] } }',
        'run: { until: 1 h }',
        'egress: [{ type: Jsonl, config: { default_path: events.jsonl } }]',
      ].join('\n');
    writeFileSync(file, blueprint('{ path: gate.csv, time: arrived_at, unit: timestamp }'));
    await runModel(file, { outDir: dir });
    const finished = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.status === 'finished')
      .map((r) => [r.sim_ts, r.pallets, r.carrier, r.express]);
    // 06:01Z is 08:01 in Paris: 60 s after the start.
    assert.deepEqual(finished, [
      [17, 2, 'north', false],
      [35, 1, 'south', false],
      [65, 3, 'east', false],
    ]);
    writeFileSync(join(dir, 'gate.csv'), 'arrived_at,pallets\n2024-05-01T08:00:12,2\nsoon,1\n');
    await assert.rejects(loadModel(file), {
      code: 'TS_SIM_BAD_DATA',
      message: /row 2 of gate\.csv has no valid arrived_at: "soon"; expected an ISO 8601 time/,
    });
    writeFileSync(file, blueprint('{ path: gate.csv, time: arrived_at, unit: timestamp, on_invalid: skip }'));
    const spec = await loadModel(file);
    assert.deepEqual((spec.arrival.trucks as { times: number[] }).times, [12]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('priority stores, wait branches, subscribe, fire from, scenario records and interrupts, histograms translate field by field', () => {
  const spec = fromDesflow({
    simulation: { sim_id: 'Yard', factor: 0 },
    resources: { crane: {} },
    stores: { bin: { current_cap: 10, priority: true, items: [[1, { id: 'a' }]] }, shelf: {} },
    services: {
      lift: { dist: 'empirical', edges: ['1 min', 120, 180], counts: [3, 1] },
      move: { dist: 'truncated_normal', mean: '2 min', std: 30 },
    },
    arrivals: { trucks: { dist: 'exponential', rate: 0.1, spawn: 'unload' } },
    signals: { done: { once: true }, relay: {} },
    tasks: {
      unload: {
        service: 'lift',
        payload: {},
        put: { store: 'bin', priority: 'attr.rush' },
        wait: {
          any: {
            unit: { request: 'crane' },
            item: { get: { store: 'shelf' } },
            kids: { running: { task: 'move', where: 'attr.x > 1' } },
          },
        },
        subscribe: { signal: 'done' },
        on: [{ fire: { signal: 'relay', from: 'unload' } }],
      },
      move: { service: 'move', payload: {}, put: { store: 'shelf', priority: 0 } },
    },
    scenario: [
      { at: '5 min', path: 'Yard.resources.crane.current_cap', value: 2 },
      { at: 600, record: { anomaly: 'stop' }, interrupt: { task: 'move', where: 'attr.x > 1', cause: 'stop' } },
    ],
    run: { until: '1 h' },
  });
  assert.deepEqual(spec.stores?.bin, {
    currentCap: 10,
    maxCap: 10,
    items: [[1, { id: 'a' }]],
    priority: true,
  });
  assert.deepEqual(spec.service.lift, { dist: 'empirical', edges: [60, 120, 180], counts: [3, 1], min: 0.00001 });
  assert.deepEqual(spec.service.move, { dist: 'truncated_normal', mean: 120, std: 30, low: 0, min: 0.00001 });
  assert.deepEqual(spec.tasks?.unload?.put, { store: 'bin', priority: 'attr.rush' });
  // desflow reads a priority only for a priority store: the shelf's is dropped.
  assert.deepEqual(spec.tasks?.move?.put, { store: 'shelf' });
  assert.deepEqual(spec.tasks?.unload?.wait, {
    any: {
      unit: { request: 'crane' },
      item: { get: { store: 'shelf' } },
      kids: { running: { task: 'move', where: 'attr.x > 1' } },
    },
  });
  assert.deepEqual(spec.tasks?.unload?.subscribe, { signal: 'done' });
  assert.deepEqual(spec.tasks?.unload?.on, [{ fire: { signal: 'relay', from: 'unload' } }]);
  assert.deepEqual(spec.scenario, [
    { at: 300, path: 'Yard.resources.crane.currentCap', value: 2 },
    { at: 600, record: { anomaly: 'stop' }, interrupt: { task: 'move', where: 'attr.x > 1', cause: 'stop' } },
  ]);
  assert.equal(spec.schedule, undefined);
});
