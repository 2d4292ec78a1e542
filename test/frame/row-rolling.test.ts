// Rolling over rows carries rings across frames (src/frame/row-rolling.ts); its values must be those of the
// buffer-per-frame computation (`rollColumn`) bit for bit, however the rows are split into frames.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rollColumn } from '../../src/frame/rolling.ts';
import { RowRolling } from '../../src/frame/row-rolling.ts';

describe('RowRolling', () => {
  it('equals rollColumn exactly (NaN, minPeriods, frame sizes smaller and larger than the window)', () => {
    let s = 11;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    const noisy = Float64Array.from({ length: 500 }, () => (rnd() < 0.08 ? Number.NaN : rnd() * 1000 - 300));
    // Few distinct values: ties everywhere, 0 against -0 (the newer wins), runs of 9 NaN.
    const ties = Float64Array.from({ length: 500 }, (_, i) =>
      i % 97 < 9 ? Number.NaN : [0, -0, 1, -1, 0][Math.floor(rnd() * 5)]!,
    );
    for (const x of [noisy, ties]) check(x);
  });
});

function check(x: Float64Array): void {
  for (const kind of ['sum', 'mean', 'count', 'min', 'max', 'var', 'std'] as const) {
    for (const n of [1, 2, 7, 64]) {
      for (const minP of [0, 1, n]) {
        for (const size of [1, 5, 64, 500]) {
          const ring = new RowRolling(n, minP, kind);
          const history = { values: new Float64Array(0), times: new Float64Array(0) };
          for (let i = 0; i < x.length; i += size) {
            const part = x.subarray(i, i + size);
            const want = rollColumn(history, part, null, n, Number.POSITIVE_INFINITY, minP, kind);
            assert.deepEqual(ring.next(part), want, `${kind} n=${n} minPeriods=${minP} size=${size} at ${i}`);
          }
        }
      }
    }
  }
}
