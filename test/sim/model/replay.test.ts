// Arrivals replayed from CSV or Parquet at their recorded times.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parquetWriteFile } from 'hyparquet-writer';
import { type EgressSink, Sampler, type SimRecord } from '../../../src/sim/index.ts';
import { loadModel, runModel } from '../../../src/sim/model/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const model = (arrival: string) => `simId: Dock
arrival:
  trucks: ${arrival}
service:
  unload: { dist: constant, value: 5 }
resources:
  bay: { currentCap: 1, maxCap: 1 }
flows:
  - { name: trucks, arrival: trucks, entity: truck, steps: [{ resource: bay, service: unload }] }
run: { until: 1 h, logicalStartTime: '2024-05-01T08:00:00Z' }
`;

function collector(): EgressSink & { records: SimRecord[] } {
  const records: SimRecord[] = [];
  return { name: 'collect', records, write: (batch) => void records.push(...batch) };
}
const queuedAt = (records: SimRecord[]) =>
  records
    .filter((r) => r.stream_type === 'event' && (r.value as { status: string }).status === 'queued')
    .map((r) => r.sim_ts);

test('a CSV column of seconds: entities arrive at exactly those times, then no more', async () => {
  writeFileSync(join(dir, 'gate.csv'), 'truck,seconds\nA,12.5\nC,600\nB,30\nbad,n/a\n');
  const file = join(dir, 'dock.yaml');
  writeFileSync(file, model('{ dist: replay, file: gate.csv, column: seconds }'));
  const spec = await loadModel(file);
  assert.deepEqual(spec.arrival.trucks, { dist: 'replay', times: [12.5, 30, 600] });
  const sink = collector();
  const summary = await runModel(file, { sinks: [sink] });
  assert.deepEqual(queuedAt(sink.records), [12.5, 30, 600]);
  assert.deepEqual(summary.arrived, { trucks: 3 });
  assert.equal(summary.simulatedTime, 3600);
});

test('a Parquet column of timestamps is taken from the start; times before it are left out', async () => {
  const file = join(dir, 'gate.parquet');
  parquetWriteFile({
    filename: file,
    columnData: [
      {
        name: 'arrived_at',
        data: ['2024-05-01T07:59:00Z', '2024-05-01T08:01:00Z', '2024-05-01T08:00:10Z'].map((t) => new Date(t)),
        type: 'TIMESTAMP',
      },
    ],
  });
  const yaml = join(dir, 'dock-parquet.yaml');
  writeFileSync(yaml, model('{ dist: replay, file: gate.parquet, column: arrived_at }'));
  const sink = collector();
  await runModel(yaml, { sinks: [sink] });
  assert.deepEqual(queuedAt(sink.records), [10, 60]);
  const first = sink.records.find((r) => r.stream_type === 'event')!;
  assert.equal(first.timestamp, '2024-05-01T08:00:10.000Z');
});

test('the sampler replays gaps from times; a missing column names the columns there are', async () => {
  const s = new Sampler();
  const c = { dist: 'replay' as const, times: [1, 1, 4] };
  assert.deepEqual([s.sample(c), s.sample(c), s.sample(c), s.sample(c)], [1, 0, 3, Number.MAX_VALUE]);
  assert.throws(
    () => s.sample({ dist: 'replay', times: [3, 1] }, 'a'),
    /a\.times = \[3,1\] is not valid; expected a non-empty array of times >= 0 in order/,
  );
  writeFileSync(join(dir, 'bad.yaml'), model('{ dist: replay, file: gate.csv, column: when }'));
  await assert.rejects(loadModel(join(dir, 'bad.yaml')), {
    code: 'TS_SIM_BAD_DATA',
    message: /has no column "when"; its columns are: truck, seconds/,
  });
});

test('a replay in minutes with a list of fields: each row brings its entity those attributes, in time order', async () => {
  writeFileSync(join(dir, 'calls.csv'), 'at,caller,minutes,note\n2,ann,3,x\n0.5,bob,1,y\n2,cy,2,z\n');
  const file = join(dir, 'calls.yaml');
  writeFileSync(
    file,
    `simId: Desk
arrival:
  calls: { dist: replay, file: calls.csv, column: at, unit: min, fields: [caller, minutes] }
service:
  talk: { dist: constant, value: 1 }
flows:
  - { name: calls, arrival: calls, entity: call, start: answer, attributes: { caller: nobody, vip: false } }
tasks:
  answer: { service: talk, attributes: [caller, minutes, vip] }
run: { until: 1 h }
`,
  );
  const spec = await loadModel(file);
  assert.deepEqual((spec.arrival.calls as { times: number[] }).times, [30, 120, 120]);
  const sink = collector();
  await runModel(file, { sinks: [sink] });
  const finished = sink.records
    .map((r) => r.value as Record<string, unknown>)
    .filter((v) => v.status === 'finished')
    .map((v) => [v.caller, v.minutes, v.vip]);
  // Rows at one time keep their order; the note column is not taken; the flow's vip stays.
  assert.deepEqual(finished, [
    ['bob', 1, false],
    ['ann', 3, false],
    ['cy', 2, false],
  ]);
  writeFileSync(join(dir, 'calls.csv'), 'at,__proto__\n1,x\n');
  writeFileSync(file, readFileSync(file, 'utf8').replace('fields: [caller, minutes]', 'fields: all'));
  await assert.rejects(loadModel(file), { code: 'TS_SIM_BAD_DATA', message: /no usable column "__proto__"/ });
});
