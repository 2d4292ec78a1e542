import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpolator } from '../../src/time/interpolator.ts';
import { TimeIndex } from '../../src/time/time-index.ts';

const linear = new Interpolator('linear');
const previous = new Interpolator('previous');

test('out-of-order rows are placed in order (CoFmuPy interpolates an unsorted buffer and gets it wrong)', () => {
  const index = new TimeIndex({ columns: ['v'] });
  for (const t of [0, 3, 1, 2, 5, 4]) index.insert(t, [t * 10]);
  assert.deepEqual([...index.timeColumn()], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...index.column('v')], [0, 10, 20, 30, 40, 50]);
  assert.equal(index.valueAt(2.5, 'v', linear), 25);
  assert.equal(index.watermark, 5);
});

test('a repeated time read back is a discontinuity, also when it arrives late', () => {
  const index = new TimeIndex({ columns: ['v'] });
  index.insert(0, [0]);
  index.insert(2, [20]);
  index.insert(1, [10]);
  index.insert(1, [-10]); // the value after an event at t = 1
  assert.equal(index.valueAt(0.5, 'v', linear), 5);
  assert.equal(index.valueAt(1, 'v', linear), -10);
  assert.equal(index.valueAt(1.5, 'v', linear), 5);
  assert.equal(index.valueAt(1, 'v', previous), -10);
});

test('increasing and random lookups agree with the interpolator over the same data', () => {
  const index = new TimeIndex({ columns: ['a', 'b'] });
  const xs: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t = i * 0.5 + (i % 7 === 0 ? 0.25 : 0);
    xs.push(t);
    a.push(Math.sin(i));
    b.push(i % 3);
    index.insert(t, [Math.sin(i), i % 3]);
  }
  const queries = Array.from({ length: 3000 }, (_, i) => i * 0.83 - 5);
  for (const method of ['previous', 'next', 'nearest', 'linear', 'quadratic', 'cubic', 'spline']) {
    const ip = new Interpolator(method);
    const expected = ip.interpolate(xs, a, queries);
    const increasing = queries.map((q) => index.valueAt(q, 'a', ip));
    const shuffled = queries.map((_, i) => queries[(i * 7919) % queries.length]!);
    const random = shuffled.map((q) => index.valueAt(q, 'a', ip));
    assert.deepEqual(increasing, [...expected], method);
    assert.deepEqual(
      random,
      shuffled.map((q) => expected[queries.indexOf(q)]),
      method,
    );
  }
  assert.deepEqual([...index.column('b')], b);
});

test('maxRows keeps the newest rows; retain keeps rows within a time of the watermark and refuses older ones', () => {
  const bounded = new TimeIndex({ columns: ['v'], maxRows: 100 });
  for (let i = 0; i < 10_000; i++) bounded.insert(i, [i]);
  assert.equal(bounded.length, 100);
  assert.equal(bounded.timeColumn()[0], 9900);
  assert.equal(bounded.valueAt(9950.5, 'v', linear), 9950.5);
  assert.equal(bounded.valueAt(0, 'v', linear), 9900); // the edge holds
  const recent = new TimeIndex({ columns: ['v'], retain: 10 });
  for (let i = 0; i <= 100; i++) recent.insert(i, [i]);
  assert.deepEqual([...recent.timeColumn()], [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
  assert.equal(recent.insert(50, [0]), false);
  assert.equal(recent.late, 1);
  assert.equal(recent.insert(95.5, [1]), true);
  assert.equal(recent.length, 12);
});

test('nextEvent: the next repeated time, or the next change of a step column', () => {
  const index = new TimeIndex({ columns: ['power', 'mode'] });
  const rows: [number, number, number][] = [
    [0, 1, 0],
    [1, 2, 0],
    [2, 3, 0],
    [3, 3, 1],
    [4, 4, 1],
    [4, 0, 1],
    [5, 1, 1],
  ];
  for (const [t, p, m] of rows) index.insert(t, [p, m]);
  assert.equal(index.nextEvent(0), 4); // only the discontinuity
  assert.equal(index.nextEvent(0, [1]), 3); // mode changes at 3
  assert.equal(index.nextEvent(2.9999999999999996, [1]), 4); // at 3 within the tolerance: the next one
  assert.equal(index.nextEvent(-10, [1]), 3);
  assert.equal(index.nextEvent(4, [1]), Number.POSITIVE_INFINITY);
  let t = 0;
  const seen: number[] = [];
  while (t < 10) {
    const e = index.nextEvent(t, [1]);
    seen.push(e);
    t = e;
  }
  assert.deepEqual(seen, [3, 4, Number.POSITIVE_INFINITY]);
});

test('splines on the index are refitted after a change, and fall back to linear with too few rows', () => {
  const reports: unknown[] = [];
  const cubic = new Interpolator('cubic', { onFallback: (r) => reports.push(r) });
  const index = new TimeIndex({ columns: ['v'] });
  index.insert(0, [0]);
  index.insert(1, [1]);
  assert.equal(index.valueAt(0.5, 'v', cubic), 0.5);
  index.insert(2, [8]);
  index.insert(3, [27]);
  assert.ok(Math.abs(index.valueAt(1.5, 'v', cubic) - 3.375) < 1e-12);
  index.insert(4, [64]);
  assert.ok(Math.abs(index.valueAt(3.5, 'v', cubic) - 42.875) < 1e-12);
  assert.equal(reports.length, 1);
  Interpolator.register('index-const', (_x, _y, xNew) => new Float64Array(xNew.length).fill(7));
  assert.equal(index.valueAt(1, 'v', new Interpolator('index-const')), 7);
});

test('an empty index answers NaN; bad options and unknown columns are refused', () => {
  const index = new TimeIndex({ columns: ['v'] });
  assert.ok(Number.isNaN(index.valueAt(1, 'v', linear)));
  assert.throws(() => index.valueAt(1, 'w', linear), /column = "w".*one of v/);
  assert.throws(() => index.insert(Number.NaN, [1]), /t = NaN/);
  assert.throws(() => new TimeIndex({ columns: ['a', 'a'] }), /columns\[1\]/);
  assert.throws(() => new TimeIndex({ columns: 'a' as never }), /columns/);
  assert.throws(() => new TimeIndex({ columns: [], maxRows: 0 }), /maxRows/);
  assert.throws(() => new TimeIndex({ columns: [], retain: -1 }), /retain/);
  index.insert(1, []);
  assert.ok(Number.isNaN(index.valueAt(1, 'v', linear)));
  index.clear();
  assert.equal(index.length, 0);
  assert.match(String(index), /TimeIndex\(\["v"\], 0 rows\)/);
});
