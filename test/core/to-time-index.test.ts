import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stream } from '../../src/core/index.ts';
import { Interpolator } from '../../src/time/interpolator.ts';

test('toTimeIndex feeds a bounded sorted index from a stream; a model reads it at any time', () => {
  const readings = new Stream<{ t: number; temperature: number; humidity?: number }>();
  const index = readings.toTimeIndex({ columns: ['temperature', 'humidity'], maxRows: 3 });
  readings.emit({ t: 0, temperature: 10, humidity: 50 });
  readings.emit({ t: 2, temperature: 30 });
  readings.emit({ t: 1, temperature: 20, humidity: 60 }); // late: placed in order
  const linear = new Interpolator('linear');
  assert.equal(index.valueAt(1.5, 'temperature', linear), 25);
  assert.ok(Number.isNaN(index.valueAt(2, 'humidity', linear)));
  readings.emit({ t: 3, temperature: 40 });
  assert.deepEqual([...index.timeColumn()], [1, 2, 3]);
  assert.throws(
    () => readings.emit({ t: Number.NaN, temperature: 1 }),
    (e: any) => e.code === 'TS_BAD_TIMESTAMP',
  );
});

test('the time may come from a function', () => {
  const s = new Stream<{ at: string; v: number }>();
  const index = s.toTimeIndex({ columns: ['v'], time: (x) => Date.parse(x.at) / 1000 });
  s.emit({ at: '1970-01-01T00:00:10Z', v: 1 });
  assert.deepEqual([...index.timeColumn()], [10]);
});
