import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { blockRows, CsvReader, LocalPipe, MedianFilter, runModule } from '../../../src/pipes/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('MedianFilter: a moving median per column, never across an interval break', async () => {
  const input = new LocalPipe({ layout: 'float32_2' });
  const out = new LocalPipe({ layout: 'float64_2' });
  const done = runModule(new MedianFilter(), { inputs: { in: input }, outputs: { out }, args: { window: '3' } });
  await input.write([
    [1, 1, 10],
    [2, 9, 20],
    [3, 2, 30],
  ]);
  await input.write([[4, 3, 40]]);
  await input.closeInterval();
  await input.write([
    [5, 100, 0],
    [6, 0, 0],
    [7, 50, 1],
  ]);
  await input.close();
  await done;
  assert.deepEqual(blockRows(await out.readAll()), [
    [3, 2, 20],
    [4, 3, 30],
    [7, 50, 0],
  ]);
});

test('CsvReader: rows of a CSV file in blocks; a bad line is named', async () => {
  const file = join(dir, 'power.csv');
  writeFileSync(file, 'timestamp,a,b\n1000,1.5,2\n\n# a comment\n2000,2.5,3\r\n3000,3.5,4\n');
  const out = new LocalPipe({ layout: 'float64_2' });
  await runModule(new CsvReader(), { outputs: { out }, args: { file, header: '1', block: '2' } });
  assert.deepEqual(blockRows(await out.readAll()), [
    [1000, 1.5, 2],
    [2000, 2.5, 3],
    [3000, 3.5, 4],
  ]);

  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, '1,1,1\n2,x,1\n');
  await assert.rejects(
    runModule(new CsvReader(), { outputs: { out: new LocalPipe({ layout: 'float64_2' }) }, args: { file: bad } }),
    /bad\.csv:2: field 2 "x" is not a number/,
  );
});
