import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as arrow from 'apache-arrow';
import { frameFromArrow, frameToArrow } from '../../src/frame/index.ts';
import { Frame, TwinstreamError } from '../../src/index.ts';

describe('Arrow in and out', () => {
  const f = Frame.fromColumns(
    { ts: [0, 1000, 2000], sensor: ['a', null, 'b'], v: [1.5, 2.5, Number.NaN], n: new Int32Array([1, 2, 3]) },
    { time: 'ts', key: 'sensor' },
  );

  it('numeric columns are zero-copy both ways (the typed arrays share one buffer)', () => {
    const t = frameToArrow(f, arrow);
    const v = t.getChild('v')!.data[0]!.values as Float64Array;
    assert.equal(v, f.numeric('v'), 'Arrow holds the very Float64Array');
    assert.equal(t.getChild('ts')!.data[0]!.values, f.time);
    const back = frameFromArrow(t);
    assert.equal(back.numeric('v').buffer, f.numeric('v').buffer);
    assert.equal(back.numeric('n').buffer, f.numeric('n').buffer);
    assert.ok(back.numeric('n') instanceof Int32Array);
    // and from a table Arrow built itself
    const raw = new Float64Array([1, 2, 3]);
    const t2 = arrow.tableFromArrays({ x: raw });
    const f2 = frameFromArrow(t2);
    assert.equal(f2.numeric('x').buffer, (t2.getChild('x')!.data[0]!.values as Float64Array).buffer);
  });

  it('strings become Int32 dictionaries; time and key travel in the schema metadata; IPC round trip', () => {
    const t = frameToArrow(f, arrow);
    assert.equal(String(t.schema.fields.find((x) => x.name === 'sensor')!.type), 'Dictionary<Int32, Utf8>');
    const back = frameFromArrow(arrow.tableFromIPC(arrow.tableToIPC(t)));
    assert.equal(back.timeName, 'ts');
    assert.equal(back.key, 'sensor');
    assert.deepEqual(back.toRows(), f.toRows());
  });

  it('reads Arrow nulls as NaN, timestamps of any unit as ms, Int64 and Utf8 by conversion', () => {
    const t = new arrow.Table({
      t: arrow.vectorFromArray([new Date(1000), new Date(2000)], new arrow.TimestampMillisecond()),
      x: arrow.vectorFromArray([1.5, null]),
      big: arrow.vectorFromArray([1n, 2n], new arrow.Int64()),
      s: arrow.vectorFromArray(['p', 'q'], new arrow.Utf8()),
    });
    const fr = frameFromArrow(t, { time: 't' });
    assert.deepEqual([...fr.time!], [1000, 2000]);
    assert.ok(Number.isNaN(fr.numeric('x')[1]!));
    assert.deepEqual([...fr.numeric('big')], [1, 2]);
    assert.deepEqual(fr.strings('s').toArray(), ['p', 'q']);
    assert.throws(
      () => frameFromArrow(t, { time: 'nope' }),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_FRAME_UNKNOWN_COLUMN',
    );
    assert.throws(
      () => frameToArrow(f, {} as any),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_FRAME_BAD_ARROW',
    );
  });
});
