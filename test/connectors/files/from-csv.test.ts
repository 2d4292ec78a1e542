import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/files/index.ts';
import type { Frame } from '../../../src/frame/frame.ts';

const file = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'ts-csv-')), name);
  writeFileSync(path, text);
  return path;
};

test('fromCsv reads rows with numbers typed, quoted fields and CRLF', async () => {
  const path = file('a.csv', 'time,value,sensor\r\n0,1.5,a\r\n1000,,"b, the ""second"""\r\n2000,3,c\r\n');
  const rows: unknown[] = [];
  const s = Stream.fromCsv(path);
  s.sink((r) => void rows.push({ ...r }));
  s.start();
  await s.done;
  assert.deepEqual(rows, [
    { time: 0, value: 1.5, sensor: 'a' },
    { time: 1000, value: null, sensor: 'b, the "second"' },
    { time: 2000, value: 3, sensor: 'c' },
  ]);
});

test('malformed records go to the error branch with their line, and the stream goes on', async () => {
  // 20 good records first: they make "value" a numeric column.
  const good = Array.from({ length: 20 }, (_, i) => `${i - 20},${i},ok\n`).join('');
  const path = file(
    'b.csv',
    `time,value,note\n${good}0,1,ok\n1,2\n2,x,bad number\n3,"4","two\nlines"\n4,5,too,many\n5,6,last\n`,
  );
  const rows: unknown[] = [];
  const errors: string[] = [];
  const s = Stream.fromCsv(path);
  s.catch().sink(({ error }) => void errors.push(error.message));
  s.sink((r) => {
    if (r.time >= 0) rows.push(r.time);
  });
  s.start();
  await s.done;
  assert.deepEqual(rows, [0, 3, 5]);
  assert.equal(s.malformed, 3);
  assert.deepEqual(errors, [
    `${path}:23: the record has 2 fields, the header has 3`,
    `${path}:24: the record column "value" is "x", not a number`,
    `${path}:27: the record has 4 fields, the header has 3`,
  ]);
});

test('without an error branch a malformed record fails the source with TS_BAD_RECORD', async () => {
  const s = Stream.fromCsv(file('c.csv', 'a,b\n1,2\n3\n'));
  s.sink(() => {});
  s.start();
  await assert.rejects(s.done, { code: 'TS_BAD_RECORD' });
});

test('fromCsv to frames: numeric columns as Float64Array, a time column, frames of frameSize rows', async () => {
  const lines = ['time,value,sensor'];
  for (let i = 0; i < 250; i++) lines.push(`${i * 10},${i / 2},s${i % 4}`);
  const frames: Frame[] = [];
  const s = Stream.fromCsv(file('d.csv', `${lines.join('\n')}\n`), { as: 'frames', frameSize: 100 });
  s.sink((f) => void frames.push(f));
  s.start();
  await s.done;
  const total = frames.reduce((n, f) => n + f.length, 0);
  assert.equal(total, 250);
  assert.ok(frames.every((f) => f.length >= 100 || f === frames.at(-1)));
  const f = frames[1]!;
  assert.ok(f.time instanceof Float64Array);
  assert.equal(f.numeric('value') instanceof Float64Array, true);
  assert.equal(f.value('sensor', 0), `s${frames[0]!.length % 4}`);
});

test('fromCsv refuses bad options at construction', () => {
  assert.throws(() => Stream.fromCsv('a.csv', { frameSize: 0 }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromCsv('a.csv', { delimiter: ',,' }), { code: 'TS_BAD_ARGUMENT' });
});

test('fromCsv to frames: bad records among good ones with their lines; many distinct strings kept right', async () => {
  const lines = ['time,value,id'];
  const want: [number, number, string][] = [];
  for (let i = 0; i < 3000; i++) {
    const line = lines.length + 1;
    // After the first 20 records, which decide the column types.
    if (i % 500 === 27)
      lines.push(`${i},oops,x`); // text in a numeric column
    else if (i % 500 === 29)
      lines.push(`${i},1`); // a field short
    else {
      // Few distinct ids for a while, then every one new: the recent-value lookup must never mix them up.
      const id = i < 1500 ? `s${i % 3}` : `id-${i}`;
      const value = i % 7 === 0 ? `${i}.25` : i % 11 === 0 ? `${i}e-3` : `-${i / 8}`;
      lines.push(`${i},${value},${id}`);
      want.push([i, +value, id]);
      continue;
    }
    want.push([Number.NaN, Number.NaN, `line ${line}`]);
  }
  const s = Stream.fromCsv(file('bad-frames.csv', `${lines.join('\n')}\n`), { as: 'frames', frameSize: 700 });
  const bad: string[] = [];
  s.catch().sink(({ error }) => void bad.push((error as Error).message.replace(/^.*:(\d+):/, 'line $1:')));
  const rows: [number, number, string][] = [];
  s.sink((f: Frame) => {
    for (let i = 0; i < f.length; i++)
      rows.push([f.time![i]!, f.value('value', i) as number, f.value('id', i) as string]);
  });
  s.start();
  await s.done;
  const good = want.filter((w) => !Number.isNaN(w[0]));
  assert.deepEqual(rows, good);
  assert.equal(bad.length, 12);
  assert.match(bad[0]!, /^line 29: the record column "value" is "oops", not a number/);
  assert.match(bad[1]!, /^line 31: the record has 2 fields, the header has 3/);
});
