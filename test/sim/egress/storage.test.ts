import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import {
  eventRecord,
  JsonlStorageEgress,
  ParquetStorageEgress,
  type PathRouter,
  telemetryRecord,
} from '../../../src/sim/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const flattenEvents =
  (file: string): PathRouter =>
  (r) => {
    if (r.stream_type !== 'event') return null;
    const nested = r.value as Record<string, unknown>;
    delete r.value;
    Object.assign(r, nested);
    return file;
  };

test('JSONL: routed, flattened records are appended and read back; telemetry dropped', async () => {
  const file = join(dir, 'j', 'events.jsonl');
  const sink = new JsonlStorageEgress({ pathRouter: flattenEvents(file) });
  await sink.write([eventRecord('task-1', { status: 'queued' }, 0, 0), telemetryRecord('x', 1, 0, 0)]);
  await sink.write([eventRecord('task-1', { status: 'started' }, 1.5, 1500)]);
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { stream_type: 'event', key: 'task-1', sim_ts: 0, timestamp: '1970-01-01T00:00:00.000Z', status: 'queued' },
    { stream_type: 'event', key: 'task-1', sim_ts: 1.5, timestamp: '1970-01-01T00:00:01.500Z', status: 'started' },
  ]);
});

test('JSONL: the default router writes <directory>/<stream_type>.jsonl', async () => {
  const sink = new JsonlStorageEgress({ directory: join(dir, 'd') });
  await sink.write([telemetryRecord('x', 1, 0, 0), eventRecord('k', 2, 0, 0)]);
  assert.equal(JSON.parse(readFileSync(join(dir, 'd', 'telemetry.jsonl'), 'utf8')).path_id, 'x');
  assert.equal(JSON.parse(readFileSync(join(dir, 'd', 'event.jsonl'), 'utf8')).key, 'k');
});

test('Parquet: one row group per batch, read back with hyparquet', async () => {
  const file = join(dir, 'p', 'events.parquet');
  const sink = new ParquetStorageEgress({ pathRouter: flattenEvents(file) });
  await sink.write([
    eventRecord('task-1', { status: 'queued', path_id: 'L.s' }, 0, 0),
    eventRecord('task-2', { status: 'queued', path_id: 'L.s' }, 0.5, 500),
  ]);
  await sink.write([eventRecord('task-1', { status: 'started', path_id: 'L.s' }, 2, 2000)]);
  sink.close();
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  assert.deepEqual(rows, [
    {
      stream_type: 'event',
      key: 'task-1',
      sim_ts: 0,
      timestamp: new Date('1970-01-01T00:00:00.000Z'),
      status: 'queued',
      path_id: 'L.s',
    },
    {
      stream_type: 'event',
      key: 'task-2',
      sim_ts: 0.5,
      timestamp: new Date('1970-01-01T00:00:00.500Z'),
      status: 'queued',
      path_id: 'L.s',
    },
    {
      stream_type: 'event',
      key: 'task-1',
      sim_ts: 2,
      timestamp: new Date('1970-01-01T00:00:02.000Z'),
      status: 'started',
      path_id: 'L.s',
    },
  ]);
});

test('a schema drifting from the first batch is an error naming the field', async () => {
  const file = join(dir, 'drift.parquet');
  const sink = new ParquetStorageEgress({ pathRouter: flattenEvents(file) });
  await sink.write([eventRecord('a', { n: 1 }, 0, 0)]);
  await assert.rejects(
    sink.write([eventRecord('a', { n: 'one' }, 1, 0)]),
    (e: any) => e.code === 'TS_SIM_SCHEMA_DRIFT' && /field "n" is string/.test(e.message),
  );
  await assert.rejects(
    sink.write([eventRecord('a', { m: 2 }, 1, 0)]),
    (e: any) => e.code === 'TS_SIM_SCHEMA_DRIFT' && /field "m" is not in the schema/.test(e.message),
  );
  const jsonl = new JsonlStorageEgress({ pathRouter: () => join(dir, 'drift.jsonl') });
  await jsonl.write([telemetryRecord('x', 1, 0, 0)]);
  await assert.rejects(jsonl.write([telemetryRecord('x', 'high', 0, 0)]), /field "value" is string/);
  sink.close();
});

test('a router returning something other than a path or null is an error', async () => {
  const sink = new JsonlStorageEgress({ pathRouter: () => 42 as any });
  await assert.rejects(sink.write([telemetryRecord('x', 1, 0, 0)]), { code: 'TS_SIM_BAD_ROUTE' });
});

test('Parquet: a long-lived writer rolls to a new file every maxRowsPerFile rows; every row is in one file', async () => {
  const file = join(dir, 'roll', 'events.parquet');
  const closed: [string, number][] = [];
  const sink = new ParquetStorageEgress({
    pathRouter: () => file,
    maxRowsPerFile: 10_000,
    onFileClosed: (path, rows) => closed.push([path, rows]),
  });
  let n = 0;
  for (let b = 0; b < 25; b++) {
    const batch = Array.from({ length: 1000 }, () => eventRecord('line', { n: n++ }, n, n));
    await sink.write(batch);
  }
  await sink.close();
  const names = ['events.parquet', 'events-1.parquet', 'events-2.parquet'].map((f) => join(dir, 'roll', f));
  assert.deepEqual(closed, [
    [names[0], 10_000],
    [names[1], 10_000],
    [names[2], 5000],
  ]);
  const seen: number[] = [];
  for (const f of names) {
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(f) });
    for (const r of rows) seen.push((r.value as { n: number }).n);
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 25_000 }, (_, i) => i),
  );
  assert.throws(() => new ParquetStorageEgress({ maxRowsPerFile: 0 }), /maxRowsPerFile = 0 is not valid/);
});

test('Parquet: small batches roll a file every maxRowGroupsPerFile row groups', async () => {
  const file = join(dir, 'groups', 'events.parquet');
  const closed: [string, number][] = [];
  const sink = new ParquetStorageEgress({
    pathRouter: () => file,
    maxRowGroupsPerFile: 4,
    onFileClosed: (path, rows) => closed.push([path, rows]),
  });
  for (let b = 0; b < 10; b++)
    await sink.write([eventRecord('line', { n: b }, b, b), eventRecord('line', { n: b }, b, b)]);
  await sink.close();
  assert.deepEqual(
    closed.map(([p, rows]) => [p.slice(dir.length), rows]),
    [
      ['/groups/events.parquet', 8],
      ['/groups/events-1.parquet', 8],
      ['/groups/events-2.parquet', 4],
    ],
  );
});
