// Types of windows are tested too: `npm run typecheck` compiles this file, and each @ts-expect-error must meet an
// error (an unused one fails the typecheck). At run time the windows are only built, fed and checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, count, Frame, max, mean, Stream, StreamingFrame, type WindowResult } from '../../src/index.ts';
import type { WindowAggResult } from '../../src/window/index.ts';

interface Reading {
  timestamp: number;
  sensor: string;
  temperature: number;
}

test('window outputs carry the types of their aggregations', () => {
  const readings = new Stream<Reading>();
  const stats = readings
    .tumblingWindow('10s', { key: 'sensor', value: 'temperature', grace: '1s' })
    .agg({ n: count(), avg: mean(), hi: max(), all: collect<number>() })
    .final();
  const typed: Stream<WindowAggResult<{ n: ReturnType<typeof count>; avg: ReturnType<typeof mean> }>> = stats;
  stats.sink((w) => {
    const n: number = w.n;
    const all: number[] = w.all;
    const start: number = w.start;
    // @ts-expect-error mean is null for an empty window: not a plain number
    const avg: number = w.avg;
    // @ts-expect-error a count is a number, not a string
    const label: string = w.n;
    // @ts-expect-error no aggregation is named `total`
    const total = w.total;
    // @ts-expect-error collected values are numbers
    const names: string[] = w.all;
    assert.ok([n, all, start, avg, label, total, names, typed]);
  });
  const sums: Stream<WindowResult<number>> = readings.tumblingWindow('1m').sum('temperature').final();
  // @ts-expect-error a single aggregation's result is `value`, typed by its aggregator
  const wrong: Stream<WindowResult<string>> = readings.tumblingWindow('1m').sum('temperature').final();
  readings.emit({ timestamp: 0, sensor: 'a', temperature: 20 });
  readings.end();
  assert.ok(sums && wrong);
});

test('extractor functions are checked against the element type', () => {
  const readings = new Stream<Reading>();
  readings.tumblingWindow('10s', { timestamp: (r) => r.timestamp, key: (r) => r.sensor, value: (r) => r.temperature });
  // @ts-expect-error aggregating a field the elements do not have
  readings.tumblingWindow('10s', { value: (r) => r.humidity });
  // @ts-expect-error a key function of the wrong element type
  readings.hoppingWindow('10s', '5s', { key: (r: { id: number }) => r.id });
  // @ts-expect-error grace is a duration, not a boolean
  readings.tumblingWindow('10s', { grace: true });
  // @ts-expect-error closing is per key or per partition
  readings.tumblingWindow('10s', { closingStrategy: 'sensor' });
});

test('frame windows emit the same typed outputs', () => {
  const sf = new StreamingFrame();
  const out = sf
    .tumblingWindow('1s', { key: 'sensor' })
    .agg({ n: count(), hi: max('v') })
    .final();
  out.sink((w) => {
    const n: number = w.n;
    // @ts-expect-error max is null for an empty window
    const hi: number = w.hi;
    assert.ok([n, hi]);
  });
  sf.emit(Frame.fromRows([{ ts: 0, sensor: 'a', v: 1 }], { time: 'ts', key: 'sensor' }));
});
