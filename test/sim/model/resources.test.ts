// Resources, stores and containers of declarative models: queue disciplines, preemption, queue limits, unlimited
// capacity, several resources per task kept across tasks, stores with initial items and filtered gets, containers
// with amounts by expression and puts that do not wait. Constant distributions make the traces exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TwinstreamError } from '../../../src/index.ts';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';
import { compareRanks } from '../../../src/sim/model/ranked-store.ts';

async function events(spec: ModelSpec) {
  const records: SimRecord[] = [];
  const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
  const summary = await runModel(spec, { sinks: [sink] });
  const ev = records.filter((r) => r.stream_type === 'event');
  return {
    lines: ev.map((r) => {
      const v = r.value as Record<string, unknown>;
      return `${r.sim_ts} ${r.key} ${v.task ?? v.resource} ${v.status}`;
    }),
    values: ev.map((r) => r.value as Record<string, unknown>),
    summary,
  };
}

// Four jobs arrive at 1, 2, 3, 4 (priority 4, 3, 2, 1: the last is the most important) on one machine busy 10 each.
const fourJobs = (machine: ModelSpec['resources']): ModelSpec => ({
  simId: 'Shop',
  arrival: { each: { dist: 'constant', value: 1 } },
  service: { ten: { dist: 'constant', value: 10 } },
  resources: machine,
  flows: [
    { name: 'jobs', arrival: 'each', entity: 'job', limit: 4, start: 'cut', attributes: { p: { expr: '5 - t' } } },
  ],
  tasks: { cut: { service: 'ten', resource: 'machine', priority: 'attr.p' } },
  run: { until: 100 },
});
const starts = (lines: string[]) =>
  lines.filter((l) => l.endsWith(' started')).map((l) => l.split(' ').slice(0, 2).join(' '));

test('queues serve fifo, lifo, or by priority (lowest first)', async () => {
  const fifo = await events(fourJobs({ machine: { currentCap: 1, maxCap: 1 } }));
  assert.deepEqual(starts(fifo.lines), ['1 job-0', '11 job-1', '21 job-2', '31 job-3']);
  const lifo = await events(fourJobs({ machine: { currentCap: 1, maxCap: 1, queue: 'lifo' } }));
  assert.deepEqual(starts(lifo.lines), ['1 job-0', '11 job-3', '21 job-2', '31 job-1']);
  const byPriority = await events(fourJobs({ machine: { currentCap: 1, maxCap: 1, queue: 'priority' } }));
  assert.deepEqual(starts(byPriority.lines), ['1 job-0', '11 job-3', '21 job-2', '31 job-1']);
});

test('preemption: a more important request takes the unit; the user is interrupted and resumes what it had left', async () => {
  const { lines } = await events(fourJobs({ machine: { currentCap: 1, maxCap: 1, preempt: true } }));
  // job-0 (p 4) from 1; job-1 (p 3) preempts it at 2, job-2 (p 2) at 3, job-3 (p 1) at 4 and runs to 14; then
  // job-2 resumes its 9 left (to 23), job-1 its 9 (to 32), job-0 its 9 (to 41). As in SimPy, the request is granted
  // at once and the interrupt reaches the user it evicted right after.
  assert.deepEqual(
    lines.filter((l) => !l.endsWith('queued')),
    [
      '1 job-0 cut started',
      '2 job-1 cut started',
      '2 job-0 cut interrupted',
      '3 job-2 cut started',
      '3 job-1 cut interrupted',
      '4 job-3 cut started',
      '4 job-2 cut interrupted',
      '14 job-3 cut finished',
      '14 job-2 cut resumed',
      '23 job-2 cut finished',
      '23 job-1 cut resumed',
      '32 job-1 cut finished',
      '32 job-0 cut resumed',
      '41 job-0 cut finished',
    ],
  );
});

test('a full queue (queueLimit) makes a task balk; an unlimited resource serves everyone at once', async () => {
  const limited = await events(fourJobs({ machine: { currentCap: 1, maxCap: 1, queueLimit: 1 } }));
  assert.deepEqual(
    limited.lines.filter((l) => l.endsWith('balked') || l.endsWith('finished')),
    ['3 job-2 cut balked', '4 job-3 cut balked', '11 job-0 cut finished', '21 job-1 cut finished'],
  );
  assert.deepEqual(
    limited.values.find((v) => v.status === 'balked'),
    {
      path_id: 'Shop.service.ten',
      task: 'cut',
      status: 'balked',
      resource: 'machine',
    },
  );
  const unlimited = await events(
    fourJobs({ machine: { currentCap: Number.POSITIVE_INFINITY, maxCap: 'unlimited' as never } }),
  );
  assert.deepEqual(starts(unlimited.lines), ['1 job-0', '2 job-1', '3 job-2', '4 job-3']);
});

test('several resources per task are taken in order; `keep` holds one for the next task, which releases it when it starts', async () => {
  const { lines } = await events({
    simId: 'Shop',
    arrival: { each: { dist: 'constant', value: 1 } },
    service: { two: { dist: 'constant', value: 2 } },
    resources: { crane: { currentCap: 1, maxCap: 1 }, bay: { currentCap: 1, maxCap: 1 } },
    flows: [{ name: 'loads', arrival: 'each', entity: 'load', limit: 2, start: 'lift' }],
    tasks: {
      // The crane lifts into the bay and stays with the load while it is placed.
      lift: { service: 'two', resource: ['crane', 'bay'], keep: ['crane'], next: 'place' },
      place: { service: 'two', resource: 'crane', next: 'inspect' },
      inspect: { service: 'two', resource: 'crane' },
    },
    run: { until: 100 },
  });
  assert.deepEqual(lines, [
    '1 load-0 lift queued',
    '1 load-0 lift started',
    '2 load-1 lift queued',
    '3 load-0 lift finished',
    '3 load-0 place queued',
    '3 load-0 place started',
    '5 load-0 place finished',
    // place did not keep the crane: load-1 (waiting since 2 for the crane, then the bay) takes it
    '5 load-0 inspect queued',
    '5 load-1 lift started',
    '7 load-1 lift finished',
    '7 load-1 place queued',
    '7 load-1 place started',
    '9 load-1 place finished',
    '9 load-1 inspect queued',
    '9 load-0 inspect started',
    '11 load-0 inspect finished',
    '11 load-1 inspect started',
    '13 load-1 inspect finished',
  ]);
});

test('two tasks taking the same resources in opposite orders are refused: they could deadlock', async () => {
  const spec = {
    simId: 'Shop',
    arrival: { each: { dist: 'constant', value: 1 } },
    service: { two: { dist: 'constant', value: 2 } },
    resources: { crane: { currentCap: 1, maxCap: 1 }, bay: { currentCap: 1, maxCap: 1 } },
    flows: [
      { name: 'a', arrival: 'each', start: 'lift' },
      { name: 'b', arrival: 'each', start: 'unload' },
    ],
    tasks: {
      lift: { service: 'two', resource: ['crane', 'bay'] },
      unload: { service: 'two', resource: ['bay', 'crane'] },
    },
    run: { until: 10 },
  } satisfies ModelSpec;
  await assert.rejects(
    runModel(spec),
    (e: unknown) =>
      e instanceof TwinstreamError &&
      e.code === 'TS_SIM_BAD_MODEL' &&
      /task "unload" takes "bay" before "crane" but task "lift" takes them in the opposite order: the two can deadlock/.test(
        e.message,
      ),
  );
});

test('stores start with items; a get takes the first item its filter accepts, and waits for one when none does', async () => {
  const { values, lines } = await events({
    simId: 'Depot',
    arrival: { each: { dist: 'constant', value: 1 } },
    service: { one: { dist: 'constant', value: 1 } },
    stores: {
      parcels: {
        currentCap: 10,
        maxCap: 10,
        items: [
          { id: 1, area: 'north' },
          { id: 2, area: 'south' },
          { id: 3, area: 'south' },
        ],
      },
    },
    flows: [{ name: 'south', arrival: 'each', entity: 'van', limit: 3, start: 'load', attributes: { area: 'south' } }],
    tasks: {
      load: {
        get: { store: 'parcels', filter: 'item.area == attr.area' },
        service: 'one',
        itemField: 'parcel',
        payload: { left: 0 },
        next: 'count',
      },
      count: {
        payload: { note: 'counted' },
        set: { left: { expr: 'count(parcels, item.area == "south")' } },
        attributes: [],
      },
    },
    run: { until: 100 },
  });
  const parcels = values.filter((v) => v.task === 'load' && v.status === 'finished').map((v) => v.parcel);
  assert.deepEqual(parcels, [
    { id: 2, area: 'south' },
    { id: 3, area: 'south' },
  ]);
  // The third van waits: only the north parcel is left.
  assert.ok(lines.includes('3 van-2 load queued'));
  assert.ok(!lines.some((l) => l.startsWith('3 van-2 load started') || l.includes('van-2 load finished')));
});

test('a priority store: a get takes the lowest rank, equal ranks in the order they were put', async () => {
  // Parts arrive at 1..5 ranked 3, 1, 1, 1, 0 (by an expression); the bin starts with a seed ranked 2; a picker
  // takes one every 10 s.
  const { values } = await events({
    simId: 'Sorter',
    arrival: { each: { dist: 'constant', value: 1 }, picks: { dist: 'constant', value: 10 } },
    service: { none: { dist: 'constant', value: 0 } },
    stores: { bin: { currentCap: 10, maxCap: 10, priority: true, items: [[2, { id: 'seed' }]] } },
    flows: [
      { name: 'parts', arrival: 'each', entity: 'part', limit: 5, start: 'drop', attributes: { at: { expr: 't' } } },
      { name: 'picks', arrival: 'picks', entity: 'pick', limit: 6, start: 'pick' },
    ],
    tasks: {
      drop: {
        payload: {},
        idField: 'id',
        put: { store: 'bin', priority: '3 if attr.at == 1 else (0 if attr.at == 5 else 1)' },
      },
      pick: { get: { store: 'bin' }, payload: {}, itemField: 'item' },
    },
    run: { until: 100 },
  });
  const picked = values
    .filter((v) => v.task === 'pick' && v.status === 'finished')
    .map((v) => (v.item as { id: string }).id);
  assert.deepEqual(picked, ['part-4', 'part-1', 'part-2', 'part-3', 'seed', 'part-0']);
  // Ranks order as Python orders them: lists element by element, a prefix first.
  assert.deepEqual([[1, 'b'], [1], [0, 'z'], [1, 'a']].sort(compareRanks), [[0, 'z'], [1], [1, 'a'], [1, 'b']]);
});

test('a priority store refuses a filter, and a priority on a plain store, naming the field', async () => {
  const spec = (store: Record<string, unknown>, get: Record<string, unknown>, put: Record<string, unknown>) =>
    ({
      simId: 'Sorter',
      arrival: { each: { dist: 'constant', value: 1 } },
      service: { none: { dist: 'constant', value: 0 } },
      stores: { bin: { currentCap: 10, maxCap: 10, ...store } },
      flows: [{ name: 'parts', arrival: 'each', start: 'drop' }],
      tasks: { drop: { put: { store: 'bin', ...put }, next: 'pick' }, pick: { get: { store: 'bin', ...get } } },
      run: { until: 10 },
    }) as unknown as ModelSpec;
  const refused: [ModelSpec, RegExp][] = [
    [
      spec({ priority: true }, { filter: 'item.x == 1' }, {}),
      /a priority store takes no filter[\s\S]*at tasks\.pick\.get\.filter/,
    ],
    [
      spec({}, {}, { priority: 2 }),
      /a priority applies to a put into a priority store only[\s\S]*at tasks\.drop\.put\.priority/,
    ],
    [
      spec({ priority: true, items: [{ id: 1 }] }, {}, {}),
      /expected a \[priority, item\] pair[\s\S]*at stores\.bin\.items\[0\]/,
    ],
  ];
  for (const [model, message] of refused) {
    await assert.rejects(runModel(model), (e: unknown) => {
      assert.ok(e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL' && message.test(e.message), String(e));
      return true;
    });
  }
});

test('containers: amounts by expression, and a put that does not wait when the container is full', async () => {
  const { lines, summary } = await events({
    simId: 'Mill',
    arrival: { each: { dist: 'constant', value: 1 } },
    service: { one: { dist: 'constant', value: 1 } },
    containers: { silo: { currentCap: 10, maxCap: 10, init: 8 }, bin: { currentCap: 5, maxCap: 5, init: 0 } },
    flows: [
      {
        name: 'batches',
        arrival: 'each',
        entity: 'batch',
        limit: 3,
        start: 'draw',
        attributes: { size: { expr: 't + 1' } },
      },
    ],
    tasks: {
      // Draws 2, 3, 4 (size) from the silo's 8: the third waits (3 left).
      draw: { get: { container: 'silo', amount: 'attr.size' }, service: 'one', next: 'store' },
      // Puts 3 into a bin of 5 without waiting: the second put would overflow and stays pending.
      store: {
        put: { container: 'bin', amount: 3, wait: false },
        payload: { bin: 0 },
        set: { bin: { expr: 'level.bin' } },
      },
    },
    run: { until: 100 },
  });
  assert.deepEqual(lines, [
    '1 batch-0 draw queued',
    '1 batch-0 draw started',
    '2 batch-1 draw queued',
    '2 batch-1 draw started',
    '2 batch-0 draw finished',
    '2 batch-0 store finished',
    '3 batch-2 draw queued',
    '3 batch-1 draw finished',
    '3 batch-1 store finished',
  ]);
  const silo = summary.model.containers.get('silo')!;
  const bin = summary.model.containers.get('bin')!;
  assert.equal(silo.level, 3);
  assert.equal(silo.getQueue.length, 1);
  // batch-1's put of 3 into the bin holding 3 waits in the bin's queue; batch-1 went on.
  assert.equal(bin.level, 3);
  assert.equal(bin.putQueue.length, 1);
});
