// Flows as tasks chained by `next`: by name, by `when` rules with a default, by `weights`; rework loops; child
// flows; spawns; attributes set at arrival and by tasks, read by expressions. Constant distributions make every
// time exact, so the traces are written out by hand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TwinstreamError } from '../../../src/index.ts';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { flowSteps, loadModel, type ModelSpec, runModel } from '../../../src/sim/model/index.ts';

function collector(): EgressSink & { records: SimRecord[] } {
  const records: SimRecord[] = [];
  return { name: 'collect', records, write: (batch) => void records.push(...batch) };
}

/** Runs a model and returns its events as `time key task status` lines. */
export async function trace(
  spec: ModelSpec,
  until?: number,
): Promise<{ lines: string[]; summary: Awaited<ReturnType<typeof runModel>> }> {
  const sink = collector();
  const summary = await runModel(spec, { sinks: [sink], ...(until === undefined ? {} : { until }) });
  const lines = sink.records
    .filter((r) => r.stream_type === 'event')
    .map((r) => {
      const v = r.value as Record<string, unknown>;
      return `${r.sim_ts} ${r.key} ${v.task ?? v.resource} ${v.status}`;
    });
  return { lines, summary };
}

const base = {
  simId: 'Shop',
  arrival: { every10: { dist: 'constant', value: 10 } },
  service: {
    one: { dist: 'constant', value: 1 },
    two: { dist: 'constant', value: 2 },
  },
  run: { until: 100 },
} as const;

test('next by name, by when rules with a default, and a rework loop: attributes set at arrival and by tasks steer the route', async () => {
  const spec: ModelSpec = {
    ...base,
    resources: { bench: { currentCap: 1, maxCap: 1 } },
    flows: [
      {
        name: 'parts',
        arrival: 'every10',
        entity: 'part',
        limit: 3,
        start: 'inspect',
        // 1, 2, 3 for the parts arriving at 10, 20, 30
        attributes: { size: { expr: 't // 10' }, passes: 0 },
      },
    ],
    tasks: {
      inspect: {
        service: 'one',
        resource: 'bench',
        next: { when: [{ condition: 'attr.size >= 2', task: 'machine' }], default: 'pack' },
      },
      machine: { service: 'two', resource: 'bench', set: { passes: { expr: 'attr.passes + 1' } }, next: 'check' },
      // The largest part goes round twice: rework to `machine` while passes < size - 1.
      check: { next: { when: [{ condition: 'attr.passes < attr.size - 1', task: 'machine' }], default: 'pack' } },
      pack: { service: 'one', attributes: ['size', 'passes'] },
    },
  };
  const { lines, summary } = await trace(spec);
  assert.deepEqual(lines, [
    '10 part-0 inspect queued',
    '10 part-0 inspect started',
    '11 part-0 inspect finished',
    '11 part-0 pack started',
    '12 part-0 pack finished',
    '20 part-1 inspect queued',
    '20 part-1 inspect started',
    '21 part-1 inspect finished',
    '21 part-1 machine queued',
    '21 part-1 machine started',
    '23 part-1 machine finished',
    '23 part-1 check finished',
    '23 part-1 pack started',
    '24 part-1 pack finished',
    '30 part-2 inspect queued',
    '30 part-2 inspect started',
    '31 part-2 inspect finished',
    '31 part-2 machine queued',
    '31 part-2 machine started',
    '33 part-2 machine finished',
    '33 part-2 check finished',
    '33 part-2 machine queued',
    '33 part-2 machine started',
    '35 part-2 machine finished',
    '35 part-2 check finished',
    '35 part-2 pack started',
    '36 part-2 pack finished',
  ]);
  assert.deepEqual(summary.arrived, { parts: 3 });
  assert.deepEqual(summary.completed, { parts: 3 });
  assert.equal(summary.statistics['Shop.stats.tasks.machine.finished'], 3);
  assert.equal(summary.statistics['Shop.stats.flows.parts.finished'], 3);
});

test('the finished payload carries the named attributes; `next` reads it, and so does the next task', async () => {
  const sink = collector();
  await runModel(
    {
      ...base,
      flows: [{ name: 'orders', arrival: 'every10', limit: 2, start: 'price', attributes: { qty: { expr: 't / 5' } } }],
      tasks: {
        price: {
          service: 'one',
          payload: { total: 0 },
          attributes: ['qty'],
          idField: 'order',
          next: { when: [{ condition: 'payload.qty > 2', task: 'big' }], default: 'small' },
        },
        big: { balk: 'payload.qty > 3', payload: { size: 'big' } },
        small: { payload: { size: 'small' } },
      },
    },
    { sinks: [sink] },
  );
  const values = sink.records.map((r) => r.value as Record<string, unknown>).filter((v) => v.status !== 'started');
  assert.deepEqual(values, [
    { path_id: 'Shop.service.one', task: 'price', status: 'finished', total: 0, order: 'task-0', qty: 2 },
    { task: 'small', status: 'finished', size: 'small' },
    { path_id: 'Shop.service.one', task: 'price', status: 'finished', total: 0, order: 'task-1', qty: 4 },
    // qty 4 goes to `big`, whose balk condition reads the payload price handed on
    { task: 'big', status: 'balked' },
  ]);
});

test('weights split entities in proportion: 3 to 1 over 4000 entities, within four standard deviations', async () => {
  const { summary } = await trace(
    {
      ...base,
      arrival: { fast: { dist: 'constant', value: 0.01 } },
      flows: [{ name: 'jobs', arrival: 'fast', limit: 4000, start: 'sort' }],
      tasks: {
        sort: { next: { weights: { left: 3, right: 1 } } },
        left: { service: 'one' },
        right: { service: 'one' },
      },
    },
    100,
  );
  const left = summary.statistics['Shop.stats.tasks.left.finished']!;
  const right = summary.statistics['Shop.stats.tasks.right.finished']!;
  assert.equal(left + right, 4000);
  const sd = Math.sqrt(4000 * 0.75 * 0.25);
  assert.ok(Math.abs(left - 3000) < 4 * sd, `left ${left}, expected 3000 ± ${4 * sd}`);
});

test('a child flow runs for the same entity and its parent waits for it; spawn starts a new entity after a delay', async () => {
  const { lines } = await trace({
    ...base,
    signals: { ready: {} },
    flows: [{ name: 'orders', arrival: 'every10', limit: 1, start: 'assemble' }],
    tasks: {
      assemble: { wait: { task: 'fetch' }, service: 'one', spawn: { task: 'invoice', after: 5 } },
      fetch: { service: 'two', next: 'label' },
      label: { service: 'one' },
      invoice: { service: 'one' },
    },
  });
  assert.deepEqual(lines, [
    '10 task-0 assemble queued',
    '10 task-0 fetch started',
    '12 task-0 fetch finished',
    '12 task-0 label started',
    '13 task-0 label finished',
    '13 task-0 assemble started',
    '14 task-0 assemble finished',
    '19 invoice-0 invoice started',
    '20 invoice-0 invoice finished',
  ]);
});

test('a bad expression or a wrong name in a task is an error naming the field and its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-flows-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'simId: Shop',
        'arrival: { a: { dist: constant, value: 1 } }',
        'service: { s: { dist: constant, value: 1 } }',
        'flows:',
        '  - { name: f, arrival: a, start: first }',
        'tasks:',
        '  first:',
        '    service: s',
        '    next:',
        '      when:',
        '        - { condition: "attr.size >", task: second }',
        '      default: nowhere',
        '  second: { balk: "queue.lathe > 3" }',
        'run: { until: 10 }',
      ].join('\n'),
    );
    await assert.rejects(runModel(file), (e: unknown) => {
      assert.ok(e instanceof TwinstreamError);
      assert.equal(e.code, 'TS_SIM_BAD_MODEL');
      assert.match(e.message, /expression "attr\.size >" at offset 11: unexpected end of expression/);
      assert.match(e.message, /at tasks\.first\.next\.when\[0\]\.condition \(line 11\)/);
      assert.match(e.message, /"nowhere" is not a task of this model; expected one of: first, second/);
      assert.match(e.message, /at tasks\.first\.next\.default \(line 12\)/);
      assert.match(e.message, /"lathe" is not a resource of this model/);
      assert.match(e.message, /at tasks\.second\.balk \(line 13\)/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flowSteps reads a flow of tasks as the steps queueing formulas use, up to its first branch', async () => {
  const spec = await loadModel(new URL('../../../examples/models/workshop.yaml', import.meta.url).pathname);
  // inspect branches by `when`: the list ends there
  assert.deepEqual(flowSteps(spec, spec.flows[0]!), [{ service: 'inspect' }]);
  const line = await loadModel(new URL('../../../examples/desflow/mmc.yaml', import.meta.url).pathname);
  assert.deepEqual(flowSteps(line, line.flows[0]!), [{ resource: 'lathe', service: 'milling' }]);
});
