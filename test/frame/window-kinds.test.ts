// Every window kind on frames gives what the row windows of src/window give on the same rows: frames of 1, 3 and
// 100 rows, keyed and not, out of order with late rows, missing keys and values, final() and current().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  collect,
  count,
  Frame,
  max,
  mean,
  min,
  RefCounter,
  Stream,
  StreamingFrame,
  sum,
  VirtualClock,
} from '../../src/index.ts';
import { MemoryStateStore } from '../../src/state/index.ts';

interface Row {
  ts: number;
  sensor: string | null;
  v: number | null;
}

function readings(n: number, seed: number, jitter: number): Row[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const sensors = ['a', 'b', 'c'];
  return Array.from({ length: n }, (_, i) => {
    const r = rnd();
    return {
      ts: Math.max(0, i * 10 + Math.floor(rnd() * 40) * (rnd() < 0.1 ? 5 : 1) - Math.floor(rnd() * jitter)),
      sensor: r < 0.03 ? null : sensors[Math.floor(r * 3)]!,
      v: rnd() < 0.05 ? null : Math.round(rnd() * 1000) / 10,
    };
  });
}

type Build = (s: any, opts: Record<string, unknown>) => any;

interface Run {
  out: unknown[];
  late: unknown[];
  node: any;
}

function onRows(rows: Row[], build: Build, opts: Record<string, unknown>): Run {
  const src = new Stream<Row>();
  const late: unknown[] = [];
  const o = { ...opts, onLate: (i: unknown) => void late.push(i) };
  const node = build(src, { ...o, timestamp: 'ts' });
  const out = node.sinkToList();
  for (const r of rows) src.emit(r);
  src.end();
  return { out, late, node };
}

function onFrames(rows: Row[], size: number, build: Build, opts: Record<string, unknown>): Run {
  const sf = new StreamingFrame();
  const late: unknown[] = [];
  const node = build(sf, { ...opts, onLate: (i: unknown) => void late.push(i) });
  const out = node.sinkToList();
  for (let i = 0; i < rows.length; i += size) sf.emit(Frame.fromRows(rows.slice(i, i + size), { time: 'ts' }));
  sf.end();
  return { out, late, node };
}

const aggs = () => ({ n: count(), total: sum('v'), lo: min('v'), hi: max('v'), avg: mean('v'), vs: collect('v') });

const kinds: [string, Build, boolean][] = [
  ['tumblingWindow', (s, o) => s.tumblingWindow(100, { grace: 30, ...o }), true],
  ['hoppingWindow', (s, o) => s.hoppingWindow(100, 40, { grace: 30, ...o }), true],
  ['slidingTimeWindow', (s, o) => s.slidingTimeWindow(100, { grace: 30, ...o }), true],
  ['sessionWindow', (s, o) => s.sessionWindow(25, { grace: 30, ...o }), true],
  ['tumblingCountWindow', (s, o) => s.tumblingCountWindow(7, o), false],
  ['hoppingCountWindow', (s, o) => s.hoppingCountWindow(6, 4, o), false],
  ['slidingCountWindow', (s, o) => s.slidingCountWindow(4, o), false],
];

for (const [kind, define, timed] of kinds) {
  describe(`${kind} on frames`, () => {
    const rows = readings(600, kind.length, 60);
    for (const size of [1, 3, 100]) {
      for (const mode of ['final', 'current'] as const) {
        it(`matches the rows, keyed, ${mode}(), frames of ${size}`, () => {
          const build: Build = (s, o) =>
            define(s, { key: 'sensor', ...o })
              .agg(aggs())
              [mode]();
          const r = onRows(rows, build, {});
          const f = onFrames(rows, size, build, {});
          assert.ok(r.out.length > 50);
          assert.deepEqual(f.out, r.out);
          assert.deepEqual(f.late, r.late);
          assert.equal(f.node.late, r.node.late);
          assert.equal(f.node.skipped, r.node.skipped);
          assert.ok(r.node.skipped > 0);
          if (timed) assert.ok(r.node.late > 0, 'some rows are late');
        });
      }
      it(`matches the rows unkeyed, single aggregations on a value column and whole rows, frames of ${size}`, () => {
        const single: Build = (s, o) =>
          define(s, { value: 'v', ...o })
            .mean()
            .final();
        assert.deepEqual(onFrames(rows, size, single, {}).out, onRows(rows, single, {}).out);
        const whole: Build = (s, o) => define(s, o).collect().current();
        const r = onRows(rows, whole, {});
        assert.deepEqual(onFrames(rows, size, whole, {}).out, r.out);
        assert.ok(r.out.length > 0);
      });
    }
  });
}

describe('frame windows through the row engine', () => {
  it('sessions close by partition too, and tumbling windows with early-close predicates match the rows', () => {
    const rows = readings(400, 5, 40);
    const s: Build = (x, o) =>
      x
        .sessionWindow(25, { key: 'sensor', closingStrategy: 'partition', ...o })
        .agg(aggs())
        .final();
    assert.deepEqual(onFrames(rows, 3, s, {}).out, onRows(rows, s, {}).out);
    const early: Build = (x, o) =>
      x
        .tumblingWindow(100, { key: 'sensor', value: 'v', afterUpdate: (agg: number) => agg > 200, ...o })
        .sum()
        .final();
    const r = onRows(rows, early, {});
    const f = onFrames(rows, 3, early, {});
    assert.deepEqual(f.out, r.out);
    assert.ok(r.out.some((w: any) => w.end - w.start === 100 && w.value > 200));
  });

  it('idleTimeout closes windows on the clock (tumbling and session)', async () => {
    const clock = new VirtualClock();
    const sf = new StreamingFrame(new Stream<Frame>({ clock }));
    const t = sf.tumblingWindow('10s', { value: 'v', idleTimeout: '5s' }).sum().final();
    const s = sf.sessionWindow('2s', { value: 'v', idleTimeout: '5s' }).sum().final();
    const tout = t.sinkToList();
    const sout = s.sinkToList();
    sf.emit(Frame.fromColumns({ t: [1000, 1500], v: [1, 2] }, { time: 't' }));
    await clock.advance(5000);
    assert.deepEqual(tout, []);
    assert.deepEqual(sout, [{ key: null, start: 1000, end: 3500, value: 3 }]);
    await clock.advance(4000);
    assert.deepEqual(tout, [{ key: null, start: 0, end: 10_000, value: 3 }]);
    sf.emit(Frame.fromColumns({ t: [2000], v: [5] }, { time: 't' }));
    assert.equal(t.late, 1);
    t.stop();
    s.stop();
  });

  it('persists open windows and continues them after a restart as an uninterrupted run does', () => {
    const rows = readings(300, 9, 0);
    const build = (sf: StreamingFrame, store?: MemoryStateStore) =>
      sf
        .sessionWindow(25, { key: 'sensor', value: 'v', ...(store ? { store, namespace: 's' } : {}) })
        .sum()
        .final();
    const frames = (from: number, to: number) => {
      const out: Frame[] = [];
      for (let i = from; i < to; i += 10) out.push(Frame.fromRows(rows.slice(i, Math.min(i + 10, to)), { time: 'ts' }));
      return out;
    };
    const whole = new StreamingFrame();
    const expected = build(whole).sinkToList();
    for (const f of frames(0, 300)) whole.emit(f);
    whole.end();
    const store = new MemoryStateStore();
    const first = new StreamingFrame();
    const n1 = build(first, store);
    const out = n1.sinkToList();
    for (const f of frames(0, 150)) first.emit(f);
    store.transaction((tx) => (n1 as any).persist(tx));
    const second = new StreamingFrame();
    const n2 = build(second, store);
    n2.sink((x) => void out.push(x));
    for (const f of frames(150, 300)) second.emit(f);
    second.end();
    assert.deepEqual(out, expected);
  });

  it('holds each frame metadata until every window holding its rows is emitted, and passes it on once', () => {
    const sf = new StreamingFrame();
    const done: string[] = [];
    const mds: unknown[] = [];
    const node = sf.tumblingCountWindow(3, { value: 'v' }).sum().final();
    const out: unknown[] = [];
    node.connect(
      new (class extends Stream<unknown> {
        override update(x: unknown, _w?: Stream<any>, md?: any) {
          out.push(x);
          mds.push(md?.length);
          return undefined;
        }
      })(),
    );
    const r1 = new RefCounter(() => done.push('r1'));
    const r2 = new RefCounter(() => done.push('r2'));
    sf.emit(Frame.fromColumns({ t: [1, 2], v: [1, 2] }, { time: 't' }), [{ ref: r1 }]);
    assert.deepEqual(done, []);
    sf.emit(Frame.fromColumns({ t: [3, 4], v: [3, 4] }, { time: 't' }), [{ ref: r2 }]);
    assert.deepEqual(out, [{ key: null, start: 1, end: 3, value: 6 }]);
    assert.deepEqual(mds, [2]);
    assert.deepEqual(done, ['r1']);
    sf.end();
    assert.deepEqual(done, ['r1', 'r2']);
  });
});
