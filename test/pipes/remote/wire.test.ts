// Joule's byte-stream vector, on our wire: a frame split anywhere by the network is put back together. Joule hands
// out whole rows as soon as their bytes arrive; ours hands out whole frames (one block each), so nothing comes out
// before the frame is complete, and then every row does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TwinstreamError } from '../../../src/errors.ts';
import { blockRows, parseLayout } from '../../../src/pipes/index.ts';
import { FrameReader } from '../../../src/pipes/remote/frame-reader.ts';
import { decodeData, encodeData, HEADER_BYTES } from '../../../src/pipes/remote/wire.ts';
import { loadVectors } from '../../support/conformance.ts';

const v = loadVectors('joule-pipes.jsonl').get('joule.streampipe.fragmented_bytes_reassembled')!;

describe('wire', () => {
  test('joule.streampipe.fragmented_bytes_reassembled: rows are little-endian int64 + values, as Joule', () => {
    const layout = parseLayout(v.setup.layout);
    assert.equal(layout.rowBytes, v.setup.row_bytes);
    const rows: number[][] = v.rows;
    const frame = encodeData(layout, 1, {
      timestamps: Float64Array.from(rows, (r) => r[0]!),
      data: Int16Array.from(rows.flatMap((r) => r.slice(1))),
    });
    // The body after the sequence number is exactly Joule's bytes: check the first row by hand.
    const dv = new DataView(frame.buffer, HEADER_BYTES + 8);
    assert.equal(dv.getBigInt64(0, true), BigInt(rows[0]![0]!));
    assert.equal(dv.getInt16(8, true), rows[0]![1]);
    assert.equal(dv.getInt16(10, true), rows[0]![2]);

    const reader = new FrameReader(1 << 20);
    const got: number[][] = [];
    const cuts = v.steps.filter((s: any) => s.op === 'raw_write_bytes').map((s: any) => s.range);
    for (const [i, [from, to]] of cuts.entries()) {
      // The vector's ranges are over the rows' bytes; ours add the frame header and sequence number in front.
      const a = from === 0 ? 0 : HEADER_BYTES + 8 + from;
      const b = i === cuts.length - 1 ? frame.length : HEADER_BYTES + 8 + to;
      reader.push(frame.subarray(a, b), (f) => got.push(...blockRows(decodeData(layout, f).block)));
      if (i < cuts.length - 1) assert.equal(got.length, 0, 'nothing before the frame is whole');
    }
    assert.deepEqual(got, v.expected);
    assert.equal(reader.partial, false);
  });

  test('a frame larger than the cap is refused from its header, before any of it is buffered', () => {
    const reader = new FrameReader(1024);
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, 5000, true);
    assert.throws(
      () => reader.push(header, () => {}),
      (e: TwinstreamError) =>
        e.code === 'TS_PIPE_FRAME' && /5008 bytes is larger than maxFrameBytes = 1024/.test(e.message),
    );
  });

  test('a data frame that is not a whole number of rows is refused', () => {
    const layout = parseLayout('int16_2');
    const frame = encodeData(layout, 1, { timestamps: new Float64Array([1]), data: new Int16Array([1, 2]) });
    assert.throws(() => decodeData(layout, frame.subarray(0, frame.length - 1)), { code: 'TS_PIPE_FRAME' });
  });
});
