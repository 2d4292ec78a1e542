// Arrow tables from outside: a table whose chunks claim more rows than their buffers hold, codes past their
// dictionary or a bitmap too short is TS_FRAME_BAD_ARROW naming the column, never a RangeError or a read past a
// buffer; a sound table converts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { frameFromArrow, frameToArrow } from '../../src/frame/index.ts';
import { Frame, TwinstreamError } from '../../src/index.ts';
import { fuzzParameters } from '../support/fuzz.ts';

const badArrow = (column: string) => (e: unknown) =>
  e instanceof TwinstreamError && e.code === 'TS_FRAME_BAD_ARROW' && e.message.includes(`column "${column}"`);

// Data built from parts as a reader of outside bytes would build it: any props, checked by nothing.
const makeData = arrow.makeData as unknown as (props: Record<string, unknown>) => arrow.Data;

/** A one-column table over `data` (its lengths as given, however wrong). */
function tableOf(name: string, data: arrow.Data): arrow.Table {
  return new arrow.Table({ [name]: arrow.makeVector(data) });
}

describe('frameFromArrow on corrupt tables', () => {
  it('a chunk longer than its values buffer is refused naming the column', () => {
    const data = makeData({ type: new arrow.Float64(), length: 1_000_000, data: new Float64Array(3) });
    assert.throws(() => frameFromArrow(tableOf('v', data)), badArrow('v'));
  });

  it('dictionary codes past the dictionary and string offsets past the data are refused', () => {
    const dictionary = arrow.vectorFromArray(['a', 'b']);
    const codes = makeData({
      type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
      length: 2,
      data: new Int32Array([0, 7]),
      dictionary,
    });
    assert.throws(() => frameFromArrow(tableOf('s', codes)), /column "s" is corrupt: row 1 has dictionary code 7 of 2/);
    const strings = makeData({
      type: new arrow.Utf8(),
      length: 2,
      valueOffsets: new Int32Array([0, 1, 900]),
      data: new Uint8Array([97, 98]),
    });
    assert.throws(() => frameFromArrow(tableOf('u', strings)), /column "u" is corrupt: a string ends at byte 900/);
  });

  it('any chunk length, null count and buffers give a frame or TS_FRAME_BAD_ARROW', () => {
    const kinds = ['float', 'int', 'timestamp', 'utf8', 'dictionary'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.nat({ max: 40 }),
        fc.nat({ max: 40 }),
        fc.nat({ max: 8 }),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(fc.integer({ min: -2, max: 50 }), { maxLength: 42 }),
        (kind, length, slots, nullCount, bitmap, numbers) => {
          const nulls = nullCount === 0 ? {} : { nullCount, nullBitmap: bitmap };
          let data: arrow.Data;
          if (kind === 'float') {
            data = makeData({ type: new arrow.Float64(), length, data: new Float64Array(slots), ...nulls });
          } else if (kind === 'int') {
            data = makeData({ type: new arrow.Int32(), length, data: Int32Array.from(numbers), ...nulls });
          } else if (kind === 'timestamp') {
            const values = BigInt64Array.from(numbers.map((x) => BigInt(x) * 10n ** 15n));
            data = makeData({ type: new arrow.TimestampMillisecond(), length, data: values, ...nulls });
          } else if (kind === 'utf8') {
            data = makeData({
              type: new arrow.Utf8(),
              length,
              valueOffsets: Int32Array.from(numbers.map((x) => Math.abs(x))).sort(),
              data: new Uint8Array(slots).fill(97),
              ...nulls,
            });
          } else {
            data = makeData({
              type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
              length,
              data: Int32Array.from(numbers),
              dictionary: arrow.vectorFromArray(['a', 'b', 'c']),
              ...nulls,
            });
          }
          try {
            const f = frameFromArrow(tableOf('c', data), kind === 'timestamp' ? { time: 'c' } : {});
            f.toRows();
            return f.length === length;
          } catch (e) {
            return badArrow('c')(e) || (e instanceof TwinstreamError && e.code === 'TS_BAD_TIMESTAMP');
          }
        },
      ),
      fuzzParameters(2000),
    );
  });

  it('Arrow timestamps outside ±8.64e15 ms are TS_BAD_TIMESTAMP naming the column and row', () => {
    const t = new arrow.Table({
      t: arrow.makeVector(
        makeData({ type: new arrow.TimestampSecond(), length: 2, data: BigInt64Array.from([1n, 10n ** 15n]) }),
      ),
    });
    assert.throws(() => frameFromArrow(t, { time: 't' }), /time column "t" row 1.*outside/);
  });

  it('a sound table still converts zero-copy', () => {
    const f = Frame.fromColumns({ ts: [0, 1], v: [1, 2], s: ['a', 'b'] }, { time: 'ts' });
    const t = frameToArrow(f, arrow);
    const back = frameFromArrow(t);
    assert.equal(back.numeric('v').buffer, f.numeric('v').buffer);
    assert.deepEqual(back.toRows(), f.toRows());
  });
});
