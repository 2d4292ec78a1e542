// Nested objects as Parquet structs (to any depth), written by toParquet and read back by hyparquet and by
// Stream.fromParquet; a drifting field inside a struct is named by its dot path.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/parquet/index.ts';
import type { TwinstreamError } from '../../../src/errors.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-parquet-nested-'));

const rows = [
  { time: 1000, id: 'a', meta: { line: 1, site: 'x', pos: { x: 1.5, y: 2 }, at: new Date(5000) }, tags: ['p', 'q'] },
  { time: 2000, id: 'b', meta: { line: 2, site: null, pos: { x: 3, y: 4 } }, tags: [] },
  { time: 3000, id: 'c', meta: null, tags: null },
];

async function write(path: string, input: readonly Record<string, unknown>[]): Promise<void> {
  const source = Stream.fromIterable(input);
  source.toParquet(path);
  source.start();
  await source.done;
}

test('plain objects become structs (nested ones too), arrays stay JSON; hyparquet reads them back', async () => {
  const path = join(dir(), 'nested.parquet');
  await write(path, rows);
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const schema = metadata.schema.map((e) => [e.name, e.num_children ?? e.type]);
  assert.deepEqual(schema, [
    ['root', 4],
    ['time', 'INT64'],
    ['id', 'BYTE_ARRAY'],
    ['meta', 4],
    ['line', 'DOUBLE'],
    ['site', 'BYTE_ARRAY'],
    ['pos', 2],
    ['x', 'DOUBLE'],
    ['y', 'DOUBLE'],
    ['at', 'INT64'],
    ['tags', 'BYTE_ARRAY'],
  ]);
  const back = (await parquetReadObjects({ file })) as Record<string, any>[];
  assert.deepEqual(back[0]!.meta, { line: 1, site: 'x', pos: { x: 1.5, y: 2 }, at: new Date(5000) });
  assert.deepEqual(back[1]!.meta, { line: 2, site: null, pos: { x: 3, y: 4 }, at: null });
  assert.equal(back[2]!.meta ?? null, null); // a null struct reads back as absent
  assert.deepEqual(back[0]!.tags, ['p', 'q']);
});

test('Stream.fromParquet gives the structs back as objects', async () => {
  const path = join(dir(), 'nested.parquet');
  await write(path, rows);
  const source = Stream.fromParquet(path);
  const got: Record<string, any>[] = [];
  source.sink((r) => got.push(r as Record<string, any>));
  source.start();
  await source.done;
  assert.deepEqual(
    got.map((r) => [r.id, r.meta?.pos?.y ?? null, r.meta?.line ?? null]),
    [
      ['a', 2, 1],
      ['b', 4, 2],
      ['c', null, null],
    ],
  );
});

test('a field inside a struct that drifts is TS_PARQUET_SCHEMA_DRIFT naming its dot path', async () => {
  const path = join(dir(), 'drift.parquet');
  const source = Stream.fromIterable([
    { time: 1, meta: { pos: { x: 1 } } },
    { time: 2, meta: { pos: { x: 'far' } } },
  ]);
  source.toParquet(path, { rowGroupSize: 1 });
  source.start();
  await assert.rejects(source.done, (e: TwinstreamError) => {
    assert.equal(e.code, 'TS_PARQUET_SCHEMA_DRIFT');
    assert.match(
      e.message,
      /field "meta\.pos\.x" is string \(far\) but the schema fixed by the first batch says double/,
    );
    return true;
  });
  const extra = Stream.fromIterable([
    { time: 1, meta: { a: 1 } },
    { time: 2, meta: { a: 2, b: 3 } },
  ]);
  extra.toParquet(join(dir(), 'extra.parquet'), { rowGroupSize: 1 });
  extra.start();
  await assert.rejects(extra.done, {
    code: 'TS_PARQUET_SCHEMA_DRIFT',
    message: /field "meta\.b" is not in the schema/,
  });
});
