// `run.stop`: a run ends at a signal's first firing or when a condition first holds (desflow's `run.stop`), and
// `runModel`'s `signal` stops it from outside with its files complete. Constant distributions make every time
// exact, so the traces are written out by hand.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TwinstreamError } from '../../../src/index.ts';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel, validateModel } from '../../../src/sim/model/index.ts';
import { replicate } from '../../../src/sim/replicate/replicate.ts';

async function trace(spec: ModelSpec, options: Parameters<typeof runModel>[1] = {}) {
  const records: SimRecord[] = [];
  const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
  const summary = await runModel(spec, { ...options, sinks: [sink] });
  const lines = records
    .filter((r) => r.stream_type === 'event')
    .map((r) => {
      const v = r.value as Record<string, unknown>;
      return `${r.sim_ts} ${r.key} ${v.task} ${v.status}`;
    });
  return { lines, summary };
}

// Parts every 10 s (the first at 10) of size t // 10: inspected on the bench (1 s), then packed (2 s), or scrapped
// (1 s, firing `scrapped`) from size 3 on.
const shop = (stop: ModelSpec['run']['stop']): ModelSpec => ({
  simId: 'Shop',
  arrival: { every10: { dist: 'constant', value: 10 } },
  service: { one: { dist: 'constant', value: 1 }, two: { dist: 'constant', value: 2 } },
  resources: { bench: { currentCap: 1, maxCap: 1 } },
  signals: { scrapped: {} },
  flows: [
    { name: 'parts', arrival: 'every10', entity: 'part', start: 'inspect', attributes: { size: { expr: 't // 10' } } },
  ],
  tasks: {
    inspect: {
      service: 'one',
      resource: 'bench',
      next: { when: [{ condition: 'attr.size >= 3', task: 'scrap' }], default: 'pack' },
    },
    scrap: { service: 'one', signal: 'scrapped' },
    pack: { service: 'two' },
  },
  run: { until: 100, ...(stop === undefined ? {} : { stop }) },
});

test('stop on a signal: the run ends at its first firing, when the third part is scrapped at 32', async () => {
  const { lines, summary } = await trace(shop({ signal: 'scrapped' }));
  assert.deepEqual(lines, [
    '10 part-0 inspect queued',
    '10 part-0 inspect started',
    '11 part-0 inspect finished',
    '11 part-0 pack started',
    '13 part-0 pack finished',
    '20 part-1 inspect queued',
    '20 part-1 inspect started',
    '21 part-1 inspect finished',
    '21 part-1 pack started',
    '23 part-1 pack finished',
    '30 part-2 inspect queued',
    '30 part-2 inspect started',
    '31 part-2 inspect finished',
    '31 part-2 scrap started',
    '32 part-2 scrap finished',
  ]);
  assert.equal(summary.simulatedTime, 32);
  assert.deepEqual(
    { by: summary.stopped?.by, at: summary.stopped?.at, ok: summary.stopped?.ok },
    { by: 'signal scrapped', at: 32, ok: true },
  );
  // Without the stop the run goes on to until, scrapping a part every 10 s.
  const plain = await trace(shop(undefined));
  assert.equal(plain.summary.simulatedTime, 100);
  assert.equal(plain.summary.stopped, undefined);
  assert.equal(plain.lines.filter((l) => l.includes('scrap finished')).length, 7);
});

test('stop on a condition over tasks: checked after every change, the run ends as the second part is scrapped', async () => {
  const { lines, summary } = await trace(shop({ condition: 'signal.scrapped.count >= 2' }));
  assert.deepEqual(lines.slice(-3), [
    '41 part-3 inspect finished',
    '41 part-3 scrap started',
    '42 part-3 scrap finished',
  ]);
  assert.equal(summary.simulatedTime, 42);
  assert.deepEqual(summary.stopped, { by: 'condition signal.scrapped.count >= 2', at: 42 });
});

test('stop on a condition over steps: the third part stored at 10 ends the run; a condition true at the start runs nothing', async () => {
  // A part every second, 3 s on one press, then into the store `done`: parts leave the press at 4, 7, 10.
  const press = (condition: string): ModelSpec => ({
    simId: 'Cell',
    arrival: { parts: { dist: 'constant', value: 1 } },
    service: { press: { dist: 'constant', value: 3 } },
    resources: { press: { currentCap: 1, maxCap: 1 } },
    stores: { done: { currentCap: 100, maxCap: 100 } },
    flows: [{ name: 'parts', arrival: 'parts', steps: [{ resource: 'press', service: 'press', store: 'done' }] }],
    run: { until: 100, stop: { condition } },
  });
  const stored = await runModel(press('level.done >= 3'));
  assert.deepEqual([stored.simulatedTime, stored.arrived.parts], [10, 10]);
  // The third part is in the store; its process would count it complete in an event the stop came before.
  assert.deepEqual([stored.model.stores.get('done')!.items.length, stored.completed.parts], [3, 2]);
  // Parts queue from t = 2 on: arrived t, started 1 + (t - 1) // 3; four wait from t = 6.
  const queued = await runModel(press('queue.press >= 4'));
  assert.equal(queued.simulatedTime, 6);
  const at0 = await runModel(press('t < 1'));
  assert.deepEqual([at0.simulatedTime, at0.events, at0.stopped?.by], [0, 0, 'condition t < 1']);
});

test('a desflow blueprint with run.stop runs unchanged and stops where desflow 0.25 stops (t = 11)', async () => {
  // desflow 0.25 `run --stdout` on this blueprint (its keys count from 1): packs start at 3, 7 and 11; stock 35 → 25 → 15 → 5 and the run
  // ends at 11, after the third start.
  const blueprint = {
    simulation: { sim_id: 'Bins', factor: 0, random_seed: 3 },
    containers: { stock: { current_cap: 100, level: 35 } },
    resources: { packer: { current_cap: 1 } },
    services: { pack: { dist: 'constant', value: 4 } },
    arrivals: { orders: { dist: 'constant', value: 3, spawn: 'pack' } },
    tasks: { pack: { service: 'pack', resource: 'packer', get: { container: 'stock', amount: 10 }, payload: {} } },
    run: { until: '1 h', stop: { condition: 'level.stock < 10' } },
  };
  const spec = await validateModel(blueprint, 'bins.yaml');
  assert.deepEqual(spec.run.stop, { condition: 'level.stock < 10' });
  const { lines, summary } = await trace(spec);
  assert.deepEqual(lines, [
    '3 orders-1 pack queued',
    '3 orders-1 pack started',
    '6 orders-2 pack queued',
    '7 orders-1 pack finished',
    '7 orders-2 pack started',
    '9 orders-3 pack queued',
    '11 orders-2 pack finished',
    '11 orders-3 pack started',
  ]);
  assert.equal(summary.simulatedTime, 11);
  assert.equal(summary.model.containers.get('stock')!.level, 5);
});

test('a desflow blueprint stopping on a signal gives the trace desflow 0.25 gives, and the one of the model above', async () => {
  // desflow 0.25 `run --stdout` on this blueprint: the same events at the same times (its keys count from 1), the
  // run ending at 32 when part 3 is scrapped.
  const blueprint = {
    simulation: { sim_id: 'Shop', factor: 0, random_seed: 3 },
    resources: { bench: { current_cap: 1 } },
    services: { one: { dist: 'constant', value: 1 }, two: { dist: 'constant', value: 2 } },
    arrivals: { parts: { dist: 'constant', value: 10, spawn: 'inspect' } },
    signals: ['scrapped'],
    tasks: {
      inspect: {
        service: 'one',
        resource: 'bench',
        payload: {},
        next: { when: [{ condition: 't >= 30', task: 'scrap' }], default: 'pack' },
      },
      scrap: { service: 'one', signal: 'scrapped', payload: {} },
      pack: { service: 'two', payload: {} },
    },
    run: { until: 100, stop: { signal: 'scrapped' } },
  };
  const fromBlueprint = await trace(await validateModel(blueprint, 'shop.yaml'));
  const native = await trace(shop({ signal: 'scrapped' }));
  assert.equal(fromBlueprint.summary.simulatedTime, 32);
  assert.deepEqual(
    fromBlueprint.lines,
    native.lines.map((l) => l.replace(/part-(\d+)/, (_, n: string) => `parts-${Number(n) + 1}`)),
  );
});

test('replications stop where each run stops', async () => {
  const r = await replicate(shop({ signal: 'scrapped' }), { replications: 2, measures: ['tasks.pack.finished'] });
  // Constant times: every replication packs the first two parts, and stops at the first scrap.
  assert.deepEqual(
    r.runs.map((x) => x.statistics['tasks.pack.finished']),
    [2, 2],
  );
});

test('a stop naming no signal, or a condition reading an entity, is refused naming its field under run.stop', async () => {
  const refused = async (stop: unknown, pattern: RegExp) => {
    const spec = { ...shop(undefined), run: { until: 100, stop } };
    await assert.rejects(
      validateModel(spec, 'shop.yaml'),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL' && pattern.test(e.message),
    );
  };
  await refused(
    { signal: 'shipped' },
    /"shipped" is not a signal of this model; expected one of: scrapped[\s\S]*run\.stop\.signal/,
  );
  await refused({ condition: 'attr.size > 2' }, /cannot read attr\.<\.\.\.>[\s\S]*run\.stop\.condition/);
  await refused({ condition: 'level.bin > 2' }, /"bin" is not a container or store/);
  await refused({ condition: 'level.' }, /TS_SIM_BAD_EXPRESSION|expression "level\." at offset/);
  await refused({ when: 'x' }, /expected \{ signal: <name> \} or \{ condition: "<expression>" \}/);
});

test('runModel with an aborted signal stops a paced run at once, its JSON Lines file complete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-stop-'));
  try {
    // Paced at real time for a day: only the stop ends it.
    const spec: ModelSpec = {
      ...shop(undefined),
      arrival: { every10: { dist: 'constant', value: 0.01 } },
      run: { until: 86_400, factor: 1 },
      egress: { batchSize: 7, sinks: [{ type: 'jsonl', path: 'events.jsonl', streams: ['event'] }] },
    };
    const controller = new AbortController();
    const t0 = performance.now();
    const run = runModel(spec, { outDir: dir, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 400));
    controller.abort();
    const summary = await run;
    assert.ok(performance.now() - t0 < 5000);
    assert.equal(summary.stopped?.by, 'stopped from outside');
    assert.ok(summary.simulatedTime > 0.1 && summary.simulatedTime < 5, String(summary.simulatedTime));
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'));
    const rows = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stream_type: string });
    // Every event published went to the file, none half-written.
    assert.equal(
      rows.length,
      Object.values(summary.statuses).reduce((x, y) => x + y, 0),
    );
    assert.ok(rows.every((r) => r.stream_type === 'event'));
    assert.ok(rows.length > 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
