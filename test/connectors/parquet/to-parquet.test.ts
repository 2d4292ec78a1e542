import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/parquet/index.ts';
import type { TwinstreamError } from '../../../src/errors.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-parquet-'));

test('toParquet writes row groups with TIMESTAMP(MILLIS, UTC) that hyparquet reads back', async () => {
  const path = join(dir(), 'readings.parquet');
  const rows = Array.from({ length: 2500 }, (_, i) => ({
    time: 1_700_000_000_000 + i * 1000,
    value: i / 4,
    sensor: `s${i % 3}`,
  }));
  const source = Stream.fromIterable(rows);
  source.toParquet(path, { rowGroupSize: 1000 });
  source.start();
  await source.done;
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  assert.deepEqual(
    metadata.row_groups.map((g) => Number(g.num_rows)),
    [1000, 1000, 500],
  );
  const time = metadata.schema.find((e) => e.name === 'time')!;
  assert.equal(time.type, 'INT64');
  assert.deepEqual(time.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
  const back = (await parquetReadObjects({ file })) as { time: Date; value: number; sensor: string }[];
  assert.equal(back.length, 2500);
  assert.equal(back[2499]!.time.getTime(), rows[2499]!.time);
  assert.equal(back[7]!.value, 1.75);
  assert.equal(back[7]!.sensor, 's1');
});

test('toParquet rolls files by rows and leaves no temporary file', async () => {
  const d = dir();
  const closed: [string, number][] = [];
  const source = Stream.fromIterable(Array.from({ length: 25 }, (_, i) => ({ time: i, v: i })));
  source.toParquet(join(d, 'a.parquet'), {
    rowGroupSize: 5,
    rollRows: 10,
    onFileClosed: (p, n) => closed.push([p, n]),
  });
  source.start();
  await source.done;
  assert.deepEqual(readdirSync(d).sort(), ['a-1.parquet', 'a-2.parquet', 'a.parquet']);
  assert.deepEqual(
    closed.map(([, n]) => n),
    [10, 10, 5],
  );
  const back = await parquetReadObjects({ file: await asyncBufferFromFile(join(d, 'a-2.parquet')) });
  assert.deepEqual(
    back.map((r) => r.v),
    [20, 21, 22, 23, 24],
  );
});

test('a drifting record is TS_PARQUET_SCHEMA_DRIFT naming the field; the rows before it stay in a complete file', async () => {
  const path = join(dir(), 'drift.parquet');
  const source = Stream.fromIterable([[{ time: 0, v: 1 }], [{ time: 1, v: 'one' }]]);
  const sink = source.toParquet(path, { rowGroupSize: 1 });
  source.start();
  await assert.rejects(source.done, (e: TwinstreamError) => {
    const err = e.code === 'TS_PARQUET_SCHEMA_DRIFT' ? e : (e.cause as TwinstreamError);
    assert.equal(err.code, 'TS_PARQUET_SCHEMA_DRIFT');
    assert.match(err.message, /field "v" is string/);
    return true;
  });
  await sink.close();
  assert.equal(existsSync(path), true); // closed after the failure: the rows before it, complete
  const back = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
  assert.deepEqual(
    back.map((r) => r.v),
    [1],
  );
});

test('fromParquet reads rows and frames, timestamps as milliseconds', async () => {
  const path = join(dir(), 'r.parquet');
  const source = Stream.fromIterable(Array.from({ length: 30 }, (_, i) => ({ time: 1000 * i, v: i * 2 })));
  source.toParquet(path, { rowGroupSize: 10 });
  source.start();
  await source.done;
  const rows: unknown[] = [];
  const r = Stream.fromParquet(path);
  r.sink((x) => void rows.push(x));
  r.start();
  await r.done;
  assert.equal(rows.length, 30);
  assert.deepEqual(rows[3], { time: 3000, v: 6 });
  const frames: { length: number; time: Float64Array | null }[] = [];
  const f = Stream.fromParquet(path, { as: 'frames' });
  f.sink((x) => void frames.push(x));
  f.start();
  await f.done;
  assert.deepEqual(
    frames.map((x) => x.length),
    [10, 10, 10],
  );
  assert.equal(frames[2]!.time![0], 20_000);
});

test('toParquet refuses bad options at construction', () => {
  const s = Stream.fromIterable([]);
  assert.throws(() => s.toParquet('x.parquet', { rowGroupSize: 0 }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => s.toParquet('', {}), { code: 'TS_BAD_ARGUMENT' });
});

test('toParquet writes missing values and nulls as nulls, a Date as a timestamp, a bigint as INT64', async () => {
  const path = join(dir(), 'nulls.parquet');
  const source = Stream.fromIterable([
    { time: 0, at: new Date(5000), v: 1.5, n: 7n, s: 'a' },
    { time: 1000, at: null, v: null, n: 8n },
  ]);
  source.toParquet(path);
  source.start();
  await source.done;
  const back = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
  assert.deepEqual(back, [
    { time: new Date(0), at: new Date(5000), v: 1.5, n: 7n, s: 'a' },
    { time: new Date(1000), at: null, v: null, n: 8n, s: null },
  ]);
});

test('toParquet rolls files by age on the graph clock', async () => {
  const { VirtualClock } = await import('../../../src/time/index.ts');
  const d = dir();
  const clock = new VirtualClock();
  const closed: [string, number][] = [];
  // Each row 30 s after the one before: the file opened with row 0 is a minute old at row 2.
  const rows = (async function* () {
    for (let i = 0; i < 5; i++) {
      await clock.advance(30_000);
      yield { time: clock.now(), i };
    }
  })();
  const source = Stream.fromAsyncIterable(rows, { clock });
  source.toParquet(join(d, 'age.parquet'), {
    rowGroupSize: 1,
    rollInterval: '1m',
    onFileClosed: (p, n) => closed.push([p, n]),
  });
  source.start();
  await source.done;
  assert.deepEqual(closed, [
    [join(d, 'age.parquet'), 3],
    [join(d, 'age-1.parquet'), 2],
  ]);
});

test('row groups arriving while the file opens (after a buffer) go into one file, in order', async () => {
  const path = join(dir(), 'buffered.parquet');
  const source = Stream.fromIterable(Array.from({ length: 50 }, (_, i) => ({ time: i, i })));
  source.buffer(100).toParquet(path, { rowGroupSize: 5 });
  source.start();
  await source.done;
  const back = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
  assert.deepEqual(
    back.map((r) => r.i),
    Array.from({ length: 50 }, (_, i) => i),
  );
});
