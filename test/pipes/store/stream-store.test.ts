import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  blockRows,
  decimateStream,
  LocalPipe,
  MeanFilter,
  readDecimated,
  runStoredFilter,
  StoredStreamWriter,
  StreamStore,
} from '../../../src/pipes/index.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function store(): Promise<StreamStore> {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-store-'));
  dirs.push(dir);
  return StreamStore.open({ path: dir });
}
const rows = (from: number, n: number, step = 1) =>
  Array.from({ length: n }, (_, i) => [from + i * step, from + i * step]);

describe('StreamStore', () => {
  test('insert, read a range, intervals; overlapping rows are refused whole, naming both ranges', async () => {
    const s = await store();
    s.createStream('/plant/power', 'float64_1');
    s.insert('/plant/power', rows(100, 10));
    s.insert('/plant/power', rows(200, 10));
    assert.deepEqual(s.intervals('/plant/power'), [
      [100, 109],
      [200, 209],
    ]);
    assert.throws(
      () => s.insert('/plant/power', rows(150, 55)),
      (e: any) =>
        e.code === 'TS_STORE_OVERLAP' && /rows 150\.\.204 overlap the stored interval 200\.\.209/.test(e.message),
    );
    assert.throws(() => s.insert('/plant/power', rows(105, 2)), { code: 'TS_STORE_OVERLAP' });
    s.insert('/plant/power', rows(110, 5), { continueInterval: false });
    assert.deepEqual(blockRows(s.read('/plant/power', { start: 108, end: 112 })), [
      [108, 108],
      [109, 109],
      [110, 110],
      [111, 111],
    ]);
    assert.equal(s.read('/plant/power').timestamps.length, 25);
    assert.equal(s.read('/plant/power', { maxRows: 7 }).timestamps.length, 7);
    assert.deepEqual(s.intervals('/plant/power', { start: 112, end: 201 }), [
      [110, 114],
      [200, 209],
    ]);
    assert.throws(() => s.createStream('/plant/power', 'float32_1'), { code: 'TS_STORE_LAYOUT' });
    assert.throws(() => s.createStream('plant power', 'float32_1'), { code: 'TS_BAD_ARGUMENT' });
    assert.throws(() => s.read('/nope'), { code: 'TS_STORE_NO_STREAM' });
    await s.close();
  });

  test('remove cuts a range out of data and intervals', async () => {
    const s = await store();
    s.createStream('/a', 'int32_1');
    s.insert('/a', rows(0, 100));
    s.remove('/a', { start: 20, end: 30 });
    assert.deepEqual(s.intervals('/a'), [
      [0, 19],
      [30, 99],
    ]);
    const ts = Array.from(s.read('/a').timestamps);
    assert.equal(ts.length, 90);
    assert.ok(!ts.some((t) => t >= 20 && t < 30));
    s.insert('/a', rows(20, 10));
    assert.equal(s.read('/a').timestamps.length, 100);
    await s.close();
  });

  test('decimation keeps min/mean/max levels, ×4 each, and a chart read picks the level that fits', async () => {
    const s = await store();
    s.createStream('/fast', 'float32_1');
    const n = 4096;
    s.insert('/fast', {
      timestamps: Float64Array.from({ length: n }, (_, i) => i * 1000),
      data: Float32Array.from({ length: n }, (_, i) => i % 8),
    });
    assert.deepEqual(decimateStream(s, '/fast'), [4, 16, 64, 256, 1024, 4096]);
    const l1 = blockRows(s.read('/fast~4', { maxRows: 2 }));
    assert.deepEqual(l1, [
      [0, 1.5, 0, 3],
      [4000, 5.5, 4, 7],
    ]);
    assert.deepEqual(blockRows(s.read('/fast~16', { maxRows: 1 })), [[0, 3.5, 0, 7]]);
    const chart = readDecimated(s, '/fast', { maxRows: 300 });
    assert.equal(chart.factor, 16);
    assert.equal(chart.block.timestamps.length, 256);
    assert.equal(readDecimated(s, '/fast', { start: 0, end: 100_000 }).factor, 1);
    await s.close();
  });

  test('a writer pipe inserts, and a subscriber follows the live tail with its breaks', async () => {
    const s = await store();
    s.createStream('/p', 'float64_1');
    const tail = new LocalPipe({ layout: 'float64_1' });
    s.subscribe('/p', tail);
    const w = new StoredStreamWriter(s, '/p');
    w.write(rows(1, 3));
    w.write(rows(4, 2));
    w.closeInterval();
    w.write(rows(10, 2));
    assert.deepEqual(s.intervals('/p'), [
      [1, 5],
      [10, 11],
    ]);
    assert.deepEqual(
      blockRows(await tail.read()).map((r) => r[0]),
      [1, 2, 3, 4, 5],
    );
    assert.equal(tail.endOfInterval, true);
    tail.consumeAll();
    assert.deepEqual(
      blockRows(await tail.read()).map((r) => r[0]),
      [10, 11],
    );
    await s.close();
  });

  test('a filter on stored streams processes the history interval by interval, then follows live data', async () => {
    const s = await store();
    s.createStream('/in', 'float64_1');
    s.createStream('/out', 'float64_1');
    s.insert('/in', rows(0, 10));
    s.insert('/in', rows(100, 10));
    s.insert('/out', [[200, 0]]); // the output already covers the interval at 200..
    s.insert('/in', rows(200, 10));
    const stop = new AbortController();
    const run = runStoredFilter(s, new MeanFilter(), {
      input: { name: 'in', path: '/in' },
      output: { name: 'out', path: '/out' },
      args: { window: '2' },
      signal: stop.signal,
      blockRows: 4,
    });
    // live rows while (and after) the history is replayed
    s.insert('/in', rows(300, 4));
    await new Promise((r) => setTimeout(r, 50));
    s.insert('/in', rows(304, 2), { continueInterval: true });
    await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await run;
    const out = blockRows(s.read('/out'));
    // history: means of pairs within each interval 0..9 and 100..109 (none across them); 200.. was skipped;
    // live: 300..305 as one interval
    const expect = [
      ...Array.from({ length: 9 }, (_, i) => [i + 1, i + 0.5]),
      ...Array.from({ length: 9 }, (_, i) => [101 + i, 100.5 + i]),
      [200, 0],
      ...Array.from({ length: 5 }, (_, i) => [301 + i, 300.5 + i]),
    ];
    assert.deepEqual(out, expect);
    await s.close();
  });
});
