// Event-time windows on frames give what the row windows of src/window give on the same rows (emitted per frame).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  count,
  Frame,
  max,
  mean,
  min,
  RefCounter,
  reduce,
  Stream,
  StreamingFrame,
  std,
  sum,
  TwinstreamError,
} from '../../src/index.ts';

interface Row {
  ts: number;
  sensor: string;
  v: number;
}

function readings(n: number, seed = 7, jitter = 0): Row[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const sensors = ['a', 'b', 'c'];
  return Array.from({ length: n }, (_, i) => ({
    ts: Math.max(0, i * 10 - Math.floor(rnd() * jitter)),
    sensor: sensors[Math.floor(rnd() * 3)]!,
    v: Math.round(rnd() * 1000) / 10,
  }));
}

/** Runs the same window on rows (one at a time) and on frames of `size` rows; returns both outputs. */
function both(rows: Row[], size: number, build: (s: any, rowsPath: boolean) => Stream<any>): [unknown[], unknown[]] {
  const src = new Stream<Row>();
  const rowOut = build(src, true).sinkToList();
  for (const r of rows) src.emit(r);
  src.end();
  const sf = new StreamingFrame();
  const frameOut = build(sf, false).sinkToList();
  for (let i = 0; i < rows.length; i += size) sf.emit(Frame.fromRows(rows.slice(i, i + size), { time: 'ts' }));
  sf.end();
  return [rowOut, frameOut];
}

const aggs = () => ({ n: count(), lo: min('v'), hi: max('v'), avg: mean('v'), total: sum('v'), sd: std('v') });

function near(a: unknown[], b: unknown[]): void {
  assert.equal(a.length, b.length, 'as many windows');
  a.forEach((x: any, i) => {
    const y: any = b[i];
    for (const k of Object.keys(x)) {
      if (typeof x[k] === 'number' && typeof y[k] === 'number')
        assert.ok(Math.abs(x[k] - y[k]) < 1e-9 * Math.max(1, Math.abs(x[k])), `${i}.${k}: ${x[k]} vs ${y[k]}`);
      else assert.deepEqual(y[k], x[k], `${i}.${k}`);
    }
  });
}

describe('tumblingWindow on frames', () => {
  it('matches the row windows, keyed, with grace and out-of-order rows (late ones counted)', () => {
    const rows = readings(5000, 3, 300);
    let rowNode: any;
    let frameNode: any;
    const [r, f] = both(rows, 700, (s, isRows) => {
      const opts = { key: 'sensor', grace: 100 };
      const node = isRows
        ? s
            .tumblingWindow(1000, { ...opts, timestamp: 'ts' })
            .agg(aggs())
            .final()
        : s.tumblingWindow(1000, opts).agg(aggs()).final();
      if (isRows) rowNode = node;
      else frameNode = node;
      return node;
    });
    near(r, f);
    assert.ok(rowNode.late > 0);
    assert.equal(frameNode.late, rowNode.late);
  });

  it('matches unkeyed, with closingStrategy partition, and single aggregations with a value column', () => {
    const rows = readings(3000, 11, 50);
    const [r, f] = both(rows, 512, (s, isRows) =>
      isRows
        ? s.tumblingWindow(250, { timestamp: 'ts', value: 'v' }).mean().final()
        : s.tumblingWindow(250, { value: 'v' }).mean().final(),
    );
    near(r, f);
    const [r2, f2] = both(rows, 333, (s, isRows) =>
      isRows
        ? s.tumblingWindow(500, { timestamp: 'ts', key: 'sensor', closingStrategy: 'partition' }).agg(aggs()).final()
        : s.tumblingWindow(500, { key: 'sensor', closingStrategy: 'partition' }).agg(aggs()).final(),
    );
    near(r2, f2);
  });

  it('hopping windows match, and generic aggregators (reduce) run per row on the value column', () => {
    const rows = readings(2000, 5, 0);
    const [r, f] = both(rows, 300, (s, isRows) =>
      isRows
        ? s.hoppingWindow(1000, 250, { timestamp: 'ts', key: 'sensor' }).agg(aggs()).final()
        : s.hoppingWindow(1000, 250, { key: 'sensor' }).agg(aggs()).final(),
    );
    near(r, f);
    const [r2, f2] = both(rows, 300, (s, isRows) =>
      isRows
        ? s
            .tumblingWindow(1000, { timestamp: 'ts', value: 'v' })
            .aggregate(
              reduce(
                (a: number, v: number) => Math.max(a, v),
                (v: number) => v,
              ),
            )
            .final()
        : s
            .tumblingWindow(1000, { value: 'v' })
            .aggregate(
              reduce(
                (a: number, v: number) => Math.max(a, v),
                (v: number) => v,
              ),
            )
            .final(),
    );
    near(r2, f2);
  });

  it('current() emits each window a frame updated, once per frame', () => {
    const sf = new StreamingFrame();
    const out = sf.tumblingWindow(10, { value: 'v' }).sum().current().sinkToList();
    sf.emit(Frame.fromColumns({ t: [1, 2, 11], v: [1, 2, 3] }, { time: 't' }));
    sf.emit(Frame.fromColumns({ t: [12], v: [4] }, { time: 't' }));
    assert.deepEqual(out, [
      { key: null, start: 0, end: 10, value: 3 },
      { key: null, start: 10, end: 20, value: 3 },
      { key: null, start: 10, end: 20, value: 7 },
    ]);
  });

  it('holds each frame metadata in every window it touched until the window is emitted', () => {
    const sf = new StreamingFrame();
    const done: string[] = [];
    const out = sf.tumblingWindow(10, { value: 'v' }).count().final().sinkToList();
    const r1 = new RefCounter(() => done.push('r1'));
    const r2 = new RefCounter(() => done.push('r2'));
    sf.emit(Frame.fromColumns({ t: [1, 2], v: [1, 2] }, { time: 't' }), [{ ref: r1 }]);
    assert.equal(r1.count, 1);
    sf.emit(Frame.fromColumns({ t: [5, 10], v: [1, 2] }, { time: 't' }), [{ ref: r2 }]);
    assert.deepEqual(out, [{ key: null, start: 0, end: 10, value: 3 }]);
    assert.deepEqual(done, ['r1']);
    assert.equal(r2.count, 1); // still in [10, 20)
    sf.end();
    assert.deepEqual(done, ['r1', 'r2']);
  });

  it('fails at construction for a mean without a column, and names the column it cannot find', () => {
    const sf = new StreamingFrame();
    assert.throws(
      () => sf.tumblingWindow(10).mean(),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_FRAME_BAD_AGGREGATOR',
    );
    const w = sf.tumblingWindow(10, { key: 'nope' }).count().final();
    const errors: string[] = [];
    w.onError(({ error }) => void errors.push((error as TwinstreamError).code));
    sf.emit(Frame.fromColumns({ t: [1], v: [1] }, { time: 't' }));
    assert.deepEqual(errors, ['TS_FRAME_UNKNOWN_COLUMN']);
  });
});
