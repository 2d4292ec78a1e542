// A field name that the elements do not have is an error naming it, routed like any error of the node, not a
// window of nulls: a present field that is null still means "no key" / "no value" (skipped, as in Quix Streams).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, mean, Stream, type StreamErrorInfo } from '../../src/index.ts';

interface Reading {
  timestamp: number;
  sensor: string | null;
  value: number | null;
}

test('a misspelt key or value field throws TS_MISSING_FIELD naming it, through the error branch', () => {
  for (const options of [{ key: 'sensr' }, { key: 'sensor', value: 'valu' }]) {
    // Typed loosely on purpose: against Stream<Reading> these names do not compile (test/window/types.test.ts).
    const rows = new Stream<any>();
    const errors: StreamErrorInfo[] = [];
    const windows = rows.tumblingWindow('1s', options).agg({ n: count(), avg: mean() }).final();
    windows.onError((e) => errors.push(e));
    const out = windows.sinkToList();
    rows.emit({ timestamp: 0, sensor: 'a', value: 1 });
    rows.emit({ timestamp: 2000, sensor: 'a', value: 2 });
    assert.equal(errors.length, 2, JSON.stringify(options));
    const field = options.value ?? options.key;
    const e = errors[0]!.error as unknown as { code: string; message: string; context: { field: string } };
    assert.equal(e.code, 'TS_MISSING_FIELD');
    assert.equal(e.context.field, field);
    assert.match(e.message, new RegExp(`field "${field}" is missing`));
    assert.deepEqual(out, []);
  }
});

test('a field that is present but null is still skipped, as before', () => {
  const rows = new Stream<Reading>();
  const out = rows.tumblingWindow('1s', { key: 'sensor', value: 'value' }).agg({ n: count() }).final().sinkToList();
  rows.emit({ timestamp: 0, sensor: null, value: 1 });
  rows.emit({ timestamp: 100, sensor: 'a', value: null });
  rows.emit({ timestamp: 200, sensor: 'a', value: 3 });
  rows.emit({ timestamp: 2000, sensor: 'a', value: 4 });
  assert.deepEqual(out, [{ key: 'a', start: 0, end: 1000, n: 1 }]);
});
