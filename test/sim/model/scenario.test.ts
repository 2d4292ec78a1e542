// Scenarios: timed parameter changes with ground-truth label records, for training and testing detectors.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';
import { replicate } from '../../../src/sim/replicate/replicate.ts';

// A part every second; from t = 100 to t = 200 a surge of two a second, labelled; at 150 a label alone.
const surge = (): ModelSpec => ({
  simId: 'Cell',
  arrival: { parts: { dist: 'constant', value: 1 } },
  service: { press: { dist: 'constant', value: 0.1 } },
  resources: { press: { currentCap: 1, maxCap: 1 } },
  flows: [{ name: 'parts', arrival: 'parts', steps: [{ resource: 'press', service: 'press' }] }],
  scenario: [
    { at: '200s', path: 'Cell.arrival.parts.value', value: 1, record: { anomaly: 'surge', phase: 'end' } },
    { at: 100, path: 'Cell.arrival.parts.value', value: 0.5, record: { anomaly: 'surge', phase: 'start' } },
    { at: 150, record: { note: 'operator looked' } },
  ],
  run: { until: 300, logicalStartTime: '2024-01-01T00:00:00Z' },
  egress: {
    sinks: [
      { type: 'jsonl', path: 'events.jsonl', streams: ['event'] },
      { type: 'jsonl', path: 'labels.jsonl', when: 'labels' },
    ],
  },
});

test('a scenario changes parameters at its times and labels them; only the labels sink gets the labels', async () => {
  const out = mkdtempSync(join(tmpdir(), 'twinstream-scenario-'));
  try {
    const summary = await runModel(surge(), { outDir: out });
    // 1…100 at one a second, 101…200 at two a second (arrivals due at 100.5, 101, …), then one a second.
    assert.equal(summary.arrived.parts, 100 + 200 + 99);
    const read = (f: string) =>
      readFileSync(join(out, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    assert.deepEqual(read('labels.jsonl'), [
      {
        stream_type: 'label',
        path_id: 'Cell.arrival.parts.value',
        old: 1,
        new: 0.5,
        value: { anomaly: 'surge', phase: 'start' },
        sim_ts: 100,
        timestamp: '2024-01-01T00:01:40.000Z',
      },
      {
        stream_type: 'label',
        path_id: null,
        old: null,
        new: null,
        value: { note: 'operator looked' },
        sim_ts: 150,
        timestamp: '2024-01-01T00:02:30.000Z',
      },
      {
        stream_type: 'label',
        path_id: 'Cell.arrival.parts.value',
        old: 0.5,
        new: 1,
        value: { anomaly: 'surge', phase: 'end' },
        sim_ts: 200,
        timestamp: '2024-01-01T00:03:20.000Z',
      },
    ]);
    assert.ok(read('events.jsonl').every((r) => r.stream_type === 'event'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('replications apply the scenario too; a step with nothing to do is refused', async () => {
  const { egress: _e, ...spec } = surge();
  const summary = await replicate(spec, { replications: 2 });
  assert.equal(summary.measures.find((m) => m.name === 'flows.parts.started')?.mean, 399);
  await assert.rejects(
    runModel({ ...spec, scenario: [{ at: 5 }] }),
    /expected a path \(with its value\), a record, an interrupt, or more than one\n {2}→ at scenario\[0\]/,
  );
});

test('a scenario step interrupts the running instances of a task whose where holds', async () => {
  const records: SimRecord[] = [];
  const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
  await runModel(
    {
      simId: 'Mixing',
      arrival: { each: { dist: 'constant', value: 1 } },
      service: { mix: { dist: 'constant', value: 10 } },
      resources: { mixer: { currentCap: 2, maxCap: 2 } },
      // Batch 0 is small, batch 1 large; both mix from 1 and 2 for 10 s.
      flows: [
        {
          name: 'batches',
          arrival: 'each',
          entity: 'batch',
          limit: 2,
          start: 'mix',
          attributes: { size: { expr: 't' } },
        },
      ],
      tasks: { mix: { service: 'mix', resource: 'mixer', onInterrupt: 'restart' } },
      scenario: [
        { at: 5, interrupt: { task: 'mix', where: 'attr.size > 1', cause: 'power dip' }, record: { anomaly: 'dip' } },
      ],
      run: { until: 100 },
      egress: { sinks: [] },
    },
    { sinks: [sink] },
  );
  const lines = records
    .filter((r) => r.stream_type === 'event')
    .map((r) => {
      const v = r.value as Record<string, unknown>;
      return `${r.sim_ts} ${r.key} ${v.status}${v.cause === undefined ? '' : ` ${v.cause}`}`;
    })
    .filter((l) => !l.endsWith('queued'));
  // The large batch is interrupted at 5 and goes on at once, mixing again from the start: 10 s more, to 15.
  assert.deepEqual(lines, [
    '1 batch-0 started',
    '2 batch-1 started',
    '5 batch-1 interrupted power dip',
    '5 batch-1 resumed',
    '11 batch-0 finished',
    '15 batch-1 finished',
  ]);
});
