import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DataStreamHandler, ParquetHandler } from '../../src/handlers/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'parquet-handler-'));

function parquet(name: string, columnData: { name: string; data: unknown[]; type?: string }[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(parquetWriteBuffer({ columnData: columnData as never })));
  return path;
}

test('numeric times, only the mapped columns, per-variable methods', async () => {
  const path = parquet('numeric.parquet', [
    { name: 't', data: [0, 1, 2, 3], type: 'DOUBLE' },
    { name: 'T', data: [10, 20, 30, 40], type: 'DOUBLE' },
    { name: 'P', data: [0, 100, 100, 0], type: 'DOUBLE' },
    { name: 'unused', data: [9, 9, 9, 9], type: 'DOUBLE' },
  ]);
  const h = DataStreamHandler.create({ type: 'parquet', config: { path, interpolation: 'linear' } });
  h.addVariable(['room', 'T'], 'T');
  h.addVariable(['room', 'P'], 'P', { interpolation: 'previous' });
  await h.start();
  assert.deepEqual(h.getData(1.5), { 'room.T': 25, 'room.P': 100 });
  assert.deepEqual(h.getData(-1), { 'room.T': 10, 'room.P': 0 });
  assert.equal(h.nextEvent(0), 1);
  assert.deepEqual((h as any).index.columns, ['T', 'P']);
});

test('TIMESTAMP times become seconds since the epoch (or milliseconds)', async () => {
  const path = parquet('timestamps.parquet', [
    { name: 'time', data: [new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:01:00Z')], type: 'TIMESTAMP' },
    { name: 'v', data: [0, 60], type: 'DOUBLE' },
  ]);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const seconds = new ParquetHandler({ path, timeColumn: 'time', interpolation: 'linear' });
  seconds.addVariable(['m', 'v'], 'v');
  await seconds.start();
  assert.equal(seconds.getData(start / 1000 + 30)['m.v'], 30);
  const ms = new ParquetHandler({ path, timeColumn: 'time', interpolation: 'linear', timeUnit: 'ms' });
  ms.addVariable(['m', 'v'], 'v');
  await ms.start();
  assert.equal(ms.getData(start + 15_000)['m.v'], 15);
});

test('a file without the time column or unreadable says so', async () => {
  const path = parquet('no-time.parquet', [{ name: 'v', data: [1], type: 'DOUBLE' }]);
  await assert.rejects(new ParquetHandler({ path }).start(), /no time column "t" \(its columns: v\)/);
  await assert.rejects(
    new ParquetHandler({ path: join(dir, 'absent.parquet') }).start(),
    (e: any) => e.code === 'TS_HANDLER_BAD_FILE',
  );
  const h = new ParquetHandler({ path, timeColumn: 'v' });
  assert.ok(h.isEquivalentStream({ path, timeColumn: 'v' }));
  assert.ok(!h.isEquivalentStream({ path }));
});
