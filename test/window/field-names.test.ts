// Field names are typed: `npm run typecheck` compiles this file (tsconfig includes test/), and every expected
// error marked below must occur there (an unused marker fails the typecheck). At run time the same misspelt
// names, on streams whose element type is not known, are TS_MISSING_FIELD errors naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaRecord } from '../../src/connectors/kafka/index.ts';
import type { FieldName } from '../../src/core/index.ts';
import { count, Frame, max, mean, Stream, type StreamErrorInfo, sum } from '../../src/index.ts';
import { collect, median, type WindowValue } from '../../src/window/index.ts';

interface Reading {
  timestamp: number;
  sensor: string;
  value: number;
}

test('window options name fields of the element: a typo does not compile', () => {
  const readings = new Stream<Reading>();
  readings.tumblingWindow('1s', { key: 'sensor', value: 'value', timestamp: 'timestamp' });
  // @ts-expect-error no field `sensr`
  readings.tumblingWindow('1s', { key: 'sensr' });
  // @ts-expect-error no field `valu`
  readings.hoppingWindow('1m', '10s', { value: 'valu' });
  // @ts-expect-error no field `ts`
  readings.slidingTimeWindow('5s', { timestamp: 'ts' });
  // @ts-expect-error no field `user`
  readings.sessionWindow('30m', { key: 'user' });
  // @ts-expect-error count windows too
  readings.tumblingCountWindow(10, { key: 'sensorId' });
  // @ts-expect-error and the core operators that key elements
  readings.unique({ key: 'id' });
  readings.partition(2, { key: 'sensor' });
  // The extractor-function form stays.
  readings.slidingCountWindow(3, { key: (r) => r.sensor.toUpperCase(), value: (r) => r.value * 2 });
  const anything = new Stream<any>();
  anything.tumblingWindow('1s', { key: 'whatever', value: 'goes' }); // an untyped stream takes any name
});

test('aggregator columns name fields of what the window aggregates', () => {
  const readings = new Stream<Reading>();
  readings.tumblingWindow('1s').mean('value');
  // @ts-expect-error `mean('valu')` on readings without `valu`
  readings.tumblingWindow('1s').mean('valu');
  // @ts-expect-error every shorthand
  readings.tumblingWindow('1s', { key: 'sensor' }).max('temperature');
  readings.tumblingWindow('1s').agg({ n: count(), avg: mean('value'), hi: max('value'), mid: median('value') });
  // @ts-expect-error an aggregator built apart is checked where the window takes it
  readings.tumblingWindow('1s').agg({ n: count(), avg: mean('valu') });
  // @ts-expect-error the single-aggregation form too
  readings.tumblingWindow('1s').aggregate(sum('kwh'));
  readings.tumblingWindow('1s').agg({ mean: mean((r: Reading) => r.value) });
  // @ts-expect-error a column function of another element type
  readings.tumblingWindow('1s').agg({ mean: mean((r: { kwh: number }) => r.kwh) });
});

test('with a value option, aggregators read that value: the type follows it', () => {
  const readings = new Stream<Reading>();
  const v: WindowValue<Reading, { value: 'value' }> = 1;
  readings.tumblingWindow('1s', { value: 'value' }).agg({ avg: mean(), all: collect<number>() });
  // @ts-expect-error the value is a number: it has no field `value` to read
  readings.tumblingWindow('1s', { value: 'value' }).agg({ avg: mean('value') });
  readings
    .tumblingWindow('1s', { value: (r) => ({ celsius: r.value }) })
    .agg({ avg: mean('celsius') })
    .final();
  // @ts-expect-error the function's result has `celsius`, not `kelvin`
  readings.tumblingWindow('1s', { value: (r) => ({ celsius: r.value }) }).mean('kelvin');
  readings.tumblingWindow('1s', { value: 'sensor' }).reduce(
    (acc: string, s) => acc + s.toUpperCase(),
    (s) => s,
  );
  // @ts-expect-error reduce sees the value's type: a string has no toFixed
  readings.tumblingWindow('1s', { value: 'sensor' }).reduce((acc: string, s) => acc + s.toFixed(1), String);
  assert.equal(v, 1);
});

test("a Kafka record's windows aggregate its value: columns name the value's fields", () => {
  const records = new Stream<KafkaRecord<string, { celsius: number; ts: string }>>();
  records.tumblingWindow('10s', { grace: '1s' }).agg({ n: count(), avg: mean('celsius') });
  // @ts-expect-error the value has no `temperature`
  records.tumblingWindow('10s').mean('temperature');
  // @ts-expect-error window options still name the record's own fields
  records.tumblingWindow('10s', { key: 'celsius' });
});

test('frames from rows name fields of the rows', () => {
  const rows = [{ ts: 0, sensor: 'a', v: 1 }];
  Frame.fromRows(rows, { timestamp: 'ts', key: 'sensor', columns: ['sensor', 'v'] });
  // At run time too: the misspelt time field is no timestamp, the misspelt column is no column.
  // @ts-expect-error no field `time` in these rows
  assert.throws(() => Frame.fromRows(rows, { timestamp: 'time' }), { code: 'TS_BAD_TIMESTAMP' });
  // @ts-expect-error nor `value`
  assert.throws(() => Frame.fromRows(rows, { columns: ['value'] }), { code: 'TS_MISSING_FIELD' });
  const readings = new Stream<Reading>();
  readings.toFrames({ size: 100, timestamp: 'timestamp', key: 'sensor' });
  // @ts-expect-error toFrames too
  readings.toFrames({ size: 100, key: 'sensr' });
  const unknownRows: unknown[] = [];
  Frame.fromRows(unknownRows, { timestamp: 'anything' }); // rows of unknown type take any name
  const f: FieldName<Reading> = 'sensor';
  assert.equal(f, 'sensor');
});

test('streams stay covariant: field-name options do not make Stream<T> invariant', () => {
  const narrow = new Stream<Reading>();
  const wide: Stream<{ sensor: string }> = narrow;
  const any: Stream<unknown> = narrow;
  assert.ok(wide && any);
});

test('at run time a column no element has is TS_MISSING_FIELD naming it and the fields elements have', () => {
  const rows = new Stream<any>();
  const errors: StreamErrorInfo[] = [];
  const out = rows
    .tumblingWindow('1s', { key: 'sensor' })
    .agg({ n: count(), avg: mean('valu') })
    .final();
  out.onError((e) => errors.push(e));
  const windows = out.sinkToList();
  rows.emit({ timestamp: 0, sensor: 'a', value: 1 });
  rows.emit({ timestamp: 2000, sensor: 'a', value: 2 });
  assert.equal(errors.length, 1);
  const e = errors[0]!.error;
  assert.equal(e.code, 'TS_MISSING_FIELD');
  assert.match(e.message, /column field "valu" is missing/);
  assert.match(e.message, /its fields are timestamp, sensor, value/);
  assert.deepEqual((e.context as { field: string }).field, 'valu');
  assert.deepEqual(windows, []);
});

test('a field that only some elements lack is skipped there, as in Quix Streams (sparse records)', () => {
  const rows = new Stream<{ timestamp: number; humidity?: number }>();
  const out = rows
    .tumblingWindow('1s')
    .agg({ n: count(), avg: mean('humidity') })
    .final()
    .sinkToList();
  rows.emit({ timestamp: 0 });
  rows.emit({ timestamp: 100, humidity: 40 });
  rows.emit({ timestamp: 200 });
  rows.emit({ timestamp: 300, humidity: 50 });
  rows.end();
  assert.deepEqual(out, [{ key: null, start: 0, end: 1000, n: 4, avg: 45 }]);
});

test('a value field missed on the fused fast path is TS_MISSING_FIELD too, not a skipped element', () => {
  // The first elements install the window's fast lane; the misspelt one arrives on it.
  const rows = new Stream<any>();
  const errors: StreamErrorInfo[] = [];
  const w = rows.tumblingWindow('1s', { key: 'sensor', value: 'value' }).mean().final();
  w.onError((e) => errors.push(e));
  const out = w.sinkToList();
  for (let t = 0; t < 5; t++) rows.emit({ timestamp: t, sensor: 'a', value: t });
  rows.emit({ timestamp: 6, sensor: 'a', valu: 9 });
  rows.emit({ timestamp: 7, sensr: 'a', value: 9 });
  rows.emit({ timestamp: 8, sensor: 'a', value: null }); // present and null: skipped, no error
  rows.end();
  assert.deepEqual(
    errors.map((e) => [e.error.code, (e.error.context as { field: string }).field]),
    [
      ['TS_MISSING_FIELD', 'value'],
      ['TS_MISSING_FIELD', 'sensor'],
    ],
  );
  assert.deepEqual(out, [{ key: 'a', start: 0, end: 1000, value: 2 }]);
});

test('Frame.fromRows: a listed column no row has is TS_MISSING_FIELD; one some rows lack is NaN there', () => {
  const rows: any[] = [{ ts: 0, v: 1 }, { ts: 1 }];
  assert.throws(
    () => Frame.fromRows(rows, { timestamp: 'ts', columns: ['v', 'w'] }),
    (e: any) => e.code === 'TS_MISSING_FIELD' && /columns field "w" is missing/.test(e.message),
  );
  const f = Frame.fromRows(rows, { timestamp: 'ts', columns: ['v'] });
  assert.deepEqual([...f.numeric('v')], [1, Number.NaN]);
});

test('an element without the timestamp field is TS_BAD_TIMESTAMP naming the field', () => {
  const rows = new Stream<any>();
  const errors: StreamErrorInfo[] = [];
  const w = rows.tumblingWindow('1s', { timestamp: 'ts' }).count().final();
  w.onError((e) => errors.push(e));
  rows.emit({ time: 5 });
  assert.equal(errors[0]?.error.code, 'TS_BAD_TIMESTAMP');
  assert.match(errors[0]!.error.message, /field "ts"/);
});
