import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpolator } from '../../src/time/interpolator.ts';

test('a master that adds 0.1 eight times sees the breakpoint at 0.8', () => {
  let t = 0;
  for (let i = 0; i < 8; i++) t += 0.1;
  assert.equal(t, 0.7999999999999999);
  const ip = new Interpolator('previous');
  assert.deepEqual([...ip.interpolate([0, 0.8], [1, 2], [t])], [2]);
  // without a tolerance the step is missed, as in CoFmuPy
  assert.deepEqual([...new Interpolator('previous', { tolerance: 0 }).interpolate([0, 0.8], [1, 2], [t])], [1]);
  // linear at the knot gives the knot value exactly
  assert.deepEqual([...new Interpolator('linear').interpolate([0, 0.8, 1.6], [0, 8, 0], [t])], [8]);
});

test('a repeated time is a discontinuity: before-value up to it, after-value at and after it', () => {
  const xs = [0, 1, 1, 2];
  const ys = [0, 10, 100, 110];
  const at = (method: string, t: number) => new Interpolator(method).interpolate(xs, ys, [t])[0];
  assert.equal(at('linear', 0.5), 5);
  assert.equal(at('linear', 1), 100);
  assert.equal(at('linear', 1.5), 105);
  assert.equal(at('previous', 0.999), 0);
  assert.equal(at('previous', 1), 100);
  assert.equal(at('next', 0.5), 10);
  assert.equal(at('next', 1), 100);
  assert.equal(at('nearest', 0.9), 10);
  assert.equal(at('nearest', 1.2), 100);
  // a spline is fitted on each side of the event
  const cubic = new Interpolator('cubic');
  const sx = [0, 1, 2, 3, 3, 4, 5, 6];
  const sy = [0, 1, 8, 27, -27, -64, -125, -216];
  const [a, b] = cubic.interpolate(sx, sy, [2.5, 4.5]);
  assert.ok(Math.abs(a! - 15.625) < 1e-12, `${a}`);
  assert.ok(Math.abs(b! + 91.125) < 1e-12, `${b}`);
});

test('next holds the coming value, and the edges hold', () => {
  const y = new Interpolator('next').interpolate([0, 1, 2], [5, 6, 7], [-1, 0, 0.5, 1, 1.5, 2, 3]);
  assert.deepEqual([...y], [5, 5, 6, 6, 7, 7, 7]);
});

test('typed arrays in, Float64Array out, inputs untouched', () => {
  const xs = Float64Array.of(2, 0, 1);
  const ys = Int32Array.of(20, 0, 10);
  const out = new Interpolator('linear').interpolate(xs, ys, Float32Array.of(0.5));
  assert.ok(out instanceof Float64Array);
  assert.deepEqual([...out], [5]);
  assert.deepEqual([...xs], [2, 0, 1]);
});

test('registered methods are used by name, checked, and cannot replace built-ins', () => {
  Interpolator.register('mean-of-neighbours', (xs, ys, xNew) =>
    Float64Array.from(xNew, (x) => {
      let i = 0;
      while (i + 1 < xs.length && xs[i + 1]! <= x) i++;
      return i + 1 < xs.length ? (ys[i]! + ys[i + 1]!) / 2 : ys[i]!;
    }),
  );
  assert.ok(Interpolator.methods().includes('mean-of-neighbours'));
  assert.deepEqual(
    [...new Interpolator('mean-of-neighbours').interpolate([0, 1, 2], [0, 10, 30], [0.2, 1.5])],
    [5, 20],
  );
  Interpolator.register('needs-three', (_xs, _ys, xNew) => new Float64Array(xNew.length).fill(-1), { minPoints: 3 });
  const reports: unknown[] = [];
  const ip = new Interpolator('needs-three', { onFallback: (r) => reports.push(r) });
  assert.deepEqual([...ip.interpolate([0, 1], [0, 10], [0.5])], [5]);
  assert.deepEqual([...ip.interpolate([0, 1, 2], [0, 10, 20], [0.5])], [-1]);
  assert.equal(reports.length, 1);
  Interpolator.register('wrong-length', () => [1, 2]);
  assert.throws(
    () => new Interpolator('wrong-length').interpolate([0], [0], [0]),
    /'wrong-length': its result length = 2 is not valid; expected 1 values, one per time/,
  );
  assert.throws(() => Interpolator.register('linear', () => []), /other than the built-in/);
  assert.throws(() => Interpolator.register('x', () => [], { minPoints: 0 }), /minPoints/);
  assert.throws(() => Interpolator.register('', () => []), /name/);
  assert.throws(() => Interpolator.register('y', 5 as never), /function/);
});

test('bad times and tolerances are refused with the field named', () => {
  assert.throws(() => new Interpolator('linear').interpolate([0, Number.NaN], [1, 2], [0]), /xs\[1\] = NaN/);
  assert.throws(() => new Interpolator('linear', { tolerance: -1 }), /tolerance = -1/);
});

test('the default fallback report is a console warning, once', (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const ip = new Interpolator('quadratic');
  ip.interpolate([0, 1], [0, 1], [0.5]);
  ip.interpolate([0, 1], [0, 1], [0.5]);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0]!.arguments[0]), /'quadratic' needs 3 points, got 2/);
});
