// CoFmuPy's own interpolation results (cofmupy-interp.jsonl), run through our Interpolator. Step and linear
// methods must match to the last bit; the splines solve the same system as SciPy by another elimination order, so
// they are allowed a few ulps (the vectors' notes say SciPy itself differs by a few ulps at data points).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FallbackReport, Interpolator } from '../../src/time/interpolator.ts';
import { loadVectors, type Vector } from '../support/conformance.ts';

const vectors = [...loadVectors('cofmupy-interp.jsonl').values()];
const interp = vectors.filter((v) => v.kind === 'cofmupy.interpolator');

function close(actual: ArrayLike<number>, expected: number[], method: string, id: string): void {
  assert.equal(actual.length, expected.length, id);
  const exact = method === 'linear' || method === 'previous' || method === 'nearest';
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (exact) assert.equal(a, e, `${id}[${i}]`);
    else assert.ok(Math.abs(a - e) <= 1e-13 * Math.max(1, Math.abs(e)), `${id}[${i}]: ${a} vs ${e}`);
  }
}

test('the vectors are all here', () => {
  assert.equal(vectors.length, 27);
});

for (const v of interp) {
  test(`${v.id}`, () => {
    const cases: { method: string; xp: number[]; yp: number[]; x_new: number[] }[] = v.inputs.cases ?? [v.inputs];
    const ys: number[][] = v.inputs.cases ? v.expected.y : [v.expected.y];
    cases.forEach((c, i) => {
      const out = new Interpolator(c.method).interpolate(c.xp, c.yp, c.x_new);
      assert.ok(out instanceof Float64Array);
      close(out, ys[i]!, c.method, v.id);
    });
  });
}

test('cofmupy-interp-errors: unknown methods are listed, empty and mismatched inputs refused', () => {
  const v = vectors.find((x) => x.id === 'cofmupy-interp-errors') as Vector;
  const [unknown, ...calls] = v.inputs.cases as { method: string; xp: number[]; yp: number[]; x_new: number[] }[];
  assert.throws(
    () => new Interpolator(unknown!.method),
    (e: any) =>
      e.code === 'TS_BAD_ARGUMENT' &&
      /"invalid"/.test(e.message) &&
      ['previous', 'next', 'nearest', 'linear', 'quadratic', 'cubic', 'spline'].every((m) => e.message.includes(m)),
  );
  calls.forEach((c, i) => {
    const expected = v.expected.errors[i + 1].message as string;
    const pattern = expected.startsWith('Empty') ? /at least one value/ : /same length/;
    assert.throws(
      () => new Interpolator(c.method).interpolate(c.xp, c.yp, c.x_new),
      (e: any) => e.code === 'TS_BAD_ARGUMENT' && pattern.test(e.message),
    );
  });
});

test('the default method is previous, as in CoFmuPy', () => {
  assert.equal(new Interpolator().method, 'previous');
});

// CoFmuPy replaces the method for good on the first short call; ours falls back for that call only and reports
// it once (the issue overrides the vector's "method_after_call").
for (const v of vectors.filter((x) => x.kind === 'cofmupy.interpolator.fallback')) {
  test(`${v.id} (per call, reported once)`, () => {
    const reports: FallbackReport[] = [];
    const ip = new Interpolator(v.inputs.method, { onFallback: (r) => reports.push(r) });
    v.inputs.cases.forEach((c: { xp: number[]; yp: number[]; x_new: number[] }, i: number) => {
      close(ip.interpolate(c.xp, c.yp, c.x_new), v.expected.y[i], 'linear', v.id);
    });
    const min = Interpolator.minPoints(v.inputs.method);
    assert.equal(reports.length, min > 1 ? 1 : 0);
    if (min > 1) assert.deepEqual(reports[0], { method: v.inputs.method, minPoints: min, points: 1, used: 'linear' });
    assert.equal(ip.method, v.inputs.method);
    // with enough points afterwards, the configured method is used again
    const xp = [0, 1, 2, 3, 4];
    const yp = [0, 2, 1, 3, 7];
    const own = ip.interpolate(xp, yp, [2.5]);
    const linear = new Interpolator('linear').interpolate(xp, yp, [2.5]);
    if (v.inputs.method === 'nearest') assert.equal(own[0], 1);
    else assert.notEqual(own[0], linear[0]);
  });
}

test('the B-splines have SciPy knots and coefficients', async () => {
  const { BSpline } = await import('../../src/time/bspline.ts');
  for (const v of interp.filter((x) => x.expected.scipy_bspline)) {
    const { k, t, c } = v.expected.scipy_bspline as { k: 2 | 3; t: number[]; c: number[] };
    const s = BSpline.interpolate(
      Float64Array.from(v.inputs.xp),
      Float64Array.from(v.inputs.yp),
      0,
      v.inputs.xp.length,
      k,
    );
    assert.deepEqual([...s.knots], t, v.id);
    close(s.coefficients, c, 'spline', v.id);
  }
});
