import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CsvHandler, DataStreamHandler } from '../../src/handlers/index.ts';
import { loadVectors } from '../support/conformance.ts';

const vectors = loadVectors('cofmupy-interp.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'csv-handler-'));
let files = 0;
function csv(text: string): string {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

test('cofmupy-csv-init: previous by default, the method as configured', async () => {
  const v = vectors.get('cofmupy-csv-init')!;
  const path = csv(v.inputs.csv);
  const methods = v.inputs.constructions.map((c: { interpolation: string | null }) => {
    const config = c.interpolation === null ? { path } : { path, interpolation: c.interpolation };
    return (DataStreamHandler.create({ type: 'csv', config }) as CsvHandler).config.interpolation;
  });
  assert.deepEqual(methods, v.expected.interpolator_method);
});

for (const id of [
  'cofmupy-csv-previous',
  'cofmupy-csv-out-of-range-previous',
  'cofmupy-csv-grid-linear',
  'cofmupy-csv-grid-cubic',
]) {
  test(id, async () => {
    const v = vectors.get(id)!;
    const h = new CsvHandler({ path: csv(v.inputs.csv), interpolation: v.inputs.interpolation });
    h.addVariable(v.inputs.variable, v.inputs.alias);
    await h.start();
    const key = v.inputs.variable.join('.');
    const got = v.inputs.t.map((t: number) => h.getData(t)[key]);
    v.expected.values.forEach((e: number, i: number) => {
      assert.ok(Math.abs(got[i] - e) <= 1e-13 * Math.abs(e), `t=${v.inputs.t[i]}: ${got[i]} vs ${e}`);
      if (v.inputs.interpolation !== 'cubic') assert.equal(got[i], e);
    });
  });
}

test('cofmupy-csv-is-equivalent-stream: same file and method', () => {
  const v = vectors.get('cofmupy-csv-is-equivalent-stream')!;
  const h = new CsvHandler(v.inputs.handler);
  assert.deepEqual(
    v.inputs.queries.map((q: object) => h.isEquivalentStream(q)),
    v.expected.results,
  );
  assert.equal(h.isEquivalentStream({ type: 'csv', config: v.inputs.handler }), true);
  assert.equal(h.isEquivalentStream({ type: 'local', config: { values: {} } }), false);
  assert.equal(h.isEquivalentStream({ path: 5 }), false);
});

test('several variables, their own methods, a delimiter, ISO times, unsorted rows', async () => {
  const path = csv(
    'time;T;P;mode\n1970-01-01T00:00:10Z;20;100;0\n1970-01-01T00:00:00Z;10;0;0\n1970-01-01T00:00:20Z;30;;1\n',
  );
  const h = new CsvHandler({ path, delimiter: ';', timeColumn: 'time', interpolation: 'linear' });
  h.addVariable(['room', 'T'], 'T');
  h.addVariable(['room', 'P'], 'P', { interpolation: 'previous' });
  h.addVariable(['room', 'mode'], 'mode', { discrete: true });
  await h.start();
  assert.deepEqual(h.getData(5), { 'room.T': 15, 'room.P': 0, 'room.mode': 0 });
  assert.deepEqual(h.getData(15), { 'room.T': 25, 'room.P': 100, 'room.mode': 0 });
  assert.ok(Number.isNaN(h.getData(20)['room.P']!)); // an empty cell is a missing value
  assert.equal(h.nextEvent(0), 10); // P (a step) changes at 10
  const out = new Float64Array(3);
  h.getValues(5, out);
  assert.deepEqual([...out], [15, 0, 0]);
});

test('a master stepping by 0.1 lands on the breakpoint; a repeated time is a discontinuity', async () => {
  const h = new CsvHandler({ path: csv('t,u\n0,0\n0.8,1\n0.8,5\n2,5\n'), interpolation: 'linear' });
  h.addVariable(['m', 'u'], 'u');
  await h.start();
  let t = 0;
  const seen: number[] = [];
  for (let i = 0; i <= 10; i++, t += 0.1) seen.push(h.getData(t)['m.u']!);
  assert.equal(seen[8], 5); // t = 0.7999999999999999: the value after the event at 0.8
  assert.ok(Math.abs(seen[7]! - 0.875) < 1e-12); // before it, the ramp towards the value before the event
  assert.equal(h.nextEvent(0.5), 0.8);
});

test('bad files and bad configs say where', async () => {
  const notNumber = new CsvHandler({ path: csv('t,u\n0,1\n1,abc\n') });
  await assert.rejects(
    notNumber.start(),
    (e: any) => e.code === 'TS_HANDLER_BAD_FILE' && /line 3, column "u": "abc"/.test(e.message),
  );
  const badTime = new CsvHandler({ path: csv('t,u\n0,1\nlater,2\n') });
  await assert.rejects(badTime.start(), /line 3, column "t": "later" is not a time/);
  const noTime = new CsvHandler({ path: csv('time,u\n0,1\n') });
  await assert.rejects(noTime.start(), /no time column "t" \(its columns: time, u\); set timeColumn/);
  const missing = new CsvHandler({ path: join(dir, 'absent.csv') });
  await assert.rejects(missing.start(), (e: any) => e.code === 'TS_HANDLER_BAD_FILE' && /cannot read/.test(e.message));
  const h = new CsvHandler({ path: csv('t,u\n0,1\n') });
  h.addVariable(['m', 'v'], 'v');
  await assert.rejects(h.start(), /variable m.v reads "v", which it does not have; it has u/);
  const early = new CsvHandler({ path: csv('t,u\n0,1\n') });
  assert.throws(
    () => early.getData(0),
    (e: any) => e.code === 'TS_HANDLER_NOT_STARTED',
  );
  assert.throws(
    () => new CsvHandler({} as never),
    (e: any) => e.code === 'TS_HANDLER_BAD_CONFIG' && /path/.test(e.message),
  );
  assert.throws(
    () => DataStreamHandler.create({ type: 'excel', config: {} }),
    /unknown handler type "excel"; expected one of .*csv/,
  );
  assert.throws(() => early.addVariable(['m'] as never, 'u'), /\[model, variable\]/);
});

test('a large numeric file: empty cells are missing values, a bad cell far down is still found', async () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i % 10 === 0 ? '' : i * 2}`);
  const ok = new CsvHandler({ path: csv(`t,u\n${rows.join('\n')}\n`), interpolation: 'linear' });
  ok.addVariable(['m', 'u'], 'u');
  await ok.start();
  assert.equal(ok.getData(4321.5)['m.u'], 8643);
  assert.ok(Number.isNaN(ok.getData(4320)['m.u']!));
  const bad = new CsvHandler({ path: csv(`t,u\n${rows.join('\n')}\n5000,abc\n`) });
  await assert.rejects(bad.start(), /line 5002, column "u": "abc" is not a number/);
  const noTime = new CsvHandler({ path: csv(`t,u\n${rows.join('\n')}\n,1\n`) });
  await assert.rejects(noTime.start(), /line 5002, column "t": "" is not a time/);
});
