// The one aggregation kernel (src/core/moments.ts): its fold as a function and as generated code agree, merging
// equals folding everything, and results match a direct computation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AGGREGATES,
  addMoment,
  addMomentCode,
  MOMENT_SLOTS,
  mergeMoments,
  momentResult,
  resetMoments,
  sampleVariance,
} from '../../src/core/moments.ts';

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 4294967296) * 200 - 100;
  });
}

function folded(xs: readonly number[]): Float64Array {
  const S = new Float64Array(MOMENT_SLOTS);
  resetMoments(S, 0);
  for (const x of xs) addMoment(S, 0, x, true);
  return S;
}

describe('the aggregation kernel', () => {
  test('results are those computed directly', () => {
    const xs = values(1000, 7);
    const S = folded(xs);
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    assert.equal(momentResult(S, 0, 'count', null), 1000);
    assert.ok(Math.abs(momentResult(S, 0, 'sum', null)! - mean * 1000) < 1e-9);
    assert.ok(Math.abs(momentResult(S, 0, 'mean', null)! - mean) < 1e-12);
    assert.equal(momentResult(S, 0, 'min', null), Math.min(...xs));
    assert.equal(momentResult(S, 0, 'max', null), Math.max(...xs));
    assert.ok(Math.abs(momentResult(S, 0, 'var', null)! - variance) < 1e-9);
    assert.ok(Math.abs(momentResult(S, 0, 'std', null)! - Math.sqrt(variance)) < 1e-12);
  });

  test('an empty block gives `empty` where there is no value; var needs two', () => {
    const S = folded([]);
    assert.deepEqual(
      AGGREGATES.map((k) => momentResult(S, 0, k, null)),
      [0, 0, null, null, null, null, null],
    );
    const one = folded([5]);
    assert.ok(Number.isNaN(momentResult(one, 0, 'std', Number.NaN)));
    assert.ok(Number.isNaN(sampleVariance(1, 0)));
  });

  test('NaN propagates into sum, min and max, as the row aggregators do', () => {
    const S = folded([1, Number.NaN, 3]);
    assert.ok(Number.isNaN(momentResult(S, 0, 'sum', null)));
    assert.ok(Number.isNaN(momentResult(S, 0, 'min', null)));
    assert.ok(Number.isNaN(momentResult(S, 0, 'max', null)));
  });

  test('merging two blocks equals folding all the values into one', () => {
    const xs = values(500, 3);
    const a = folded(xs.slice(0, 200));
    const b = folded(xs.slice(200));
    const out = new Float64Array(MOMENT_SLOTS);
    mergeMoments(out, 0, a, 0, b, 0);
    const all = folded(xs);
    for (const k of AGGREGATES) {
      const got = momentResult(out, 0, k, null)!;
      const want = momentResult(all, 0, k, null)!;
      assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${k}: ${got} vs ${want}`);
    }
  });

  test('the fold as generated code is the fold as a function, bit for bit', () => {
    for (const moments of [false, true]) {
      const fold = new Function('S', 'x', addMomentCode('S', '6', 'x', moments)) as (
        S: Float64Array,
        x: number,
      ) => void;
      const S = new Float64Array(2 * MOMENT_SLOTS);
      resetMoments(S, 0);
      resetMoments(S, MOMENT_SLOTS);
      for (const x of [...values(300, 11), Number.NaN, 4]) {
        addMoment(S, 0, x, moments);
        fold(S, x);
      }
      assert.deepEqual([...S.subarray(MOMENT_SLOTS)], [...S.subarray(0, MOMENT_SLOTS)]);
    }
  });
});
