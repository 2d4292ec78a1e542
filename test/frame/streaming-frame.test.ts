import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  count,
  Frame,
  max,
  RefCounter,
  Stream,
  StreamingFrame,
  sum,
  TwinstreamError,
  VirtualClock,
} from '../../src/index.ts';

const code = (c: string) => (e: unknown) => e instanceof TwinstreamError && e.code === c;
const frame = (x: number[], y: number[] = x.map((v) => v * 10), t?: number[]) =>
  Frame.fromColumns({ x, y }, t === undefined ? {} : { time: t });

describe('StreamingFrame: expressions, filter, assign', () => {
  it('column arithmetic and comparisons compose and run per frame; masks filter', () => {
    const sf = new StreamingFrame();
    const withZ = sf.assign({ z: sf.col('x').mul(2).add(sf.col('y')) });
    const out = withZ.filter(withZ.col('z').gt(25).and(withZ.col('x').ne(3))).sinkToList();
    const odd = sf.filter(sf.col('x').mod(2).eq(1)).col('y').sum().sinkToList();
    const neg = sf.col('x').neg().abs().sub(1).div(2).pow(2).frames().sinkToList();
    sf.emit(frame([1, 2, 3, 4]));
    assert.deepEqual(out[0]!.toRows(), [{ x: 4, y: 40, z: 48 }]);
    assert.deepEqual(odd, [40]);
    assert.deepEqual([...neg[0]!.numeric('x')], [0, 0.25, 1, 2.25]);
    assert.throws(() => withZ.filter(sf.col('x').gt(1)), code('TS_FRAME_SOURCE_MISMATCH'));
  });

  it('strings compare by dictionary code; predicates filter by row index', () => {
    const sf = new StreamingFrame();
    const alice = sf.filter(sf.col('name').eq('Alice')).col('amount').sum().sinkToList();
    const big = sf
      .filter((i, f) => (f.value('amount', i) as number) > 100)
      .rows()
      .sinkToList();
    sf.emit(
      Frame.fromRows([
        { name: 'Alice', amount: 50 },
        { name: 'Bob', amount: 150 },
        { name: 'Alice', amount: 200 },
      ]),
    );
    assert.deepEqual(alice, [250]);
    assert.deepEqual(big, [
      { name: 'Bob', amount: 150 },
      { name: 'Alice', amount: 200 },
    ]);
  });

  it('refuses a column of another streaming frame, and a non-mask filter, with the reason', () => {
    const a = new StreamingFrame();
    const b = new StreamingFrame();
    assert.throws(() => a.filter(b.col('x').gt(1)), code('TS_FRAME_SOURCE_MISMATCH'));
    assert.throws(() => a.col('x').add(b.col('x')), code('TS_FRAME_SOURCE_MISMATCH'));
    const bad = a.filter(a.col('x').add(1));
    const errors: string[] = [];
    bad.stream.onError(({ error }) => void errors.push(error.code));
    a.emit(frame([1]));
    assert.deepEqual(errors, ['TS_FRAME_BAD_MASK']);
    assert.throws(() => a.emit([1, 2] as any), code('TS_FRAME_NOT_A_FRAME'));
  });
});

describe('StreamingFrame: running and cumulative operations', () => {
  it('running min/max/var/std over frames, NaN skipped as pandas', () => {
    const sf = new StreamingFrame();
    const std = sf.col('x').std().sinkToList();
    const all = sf.max().sinkToList();
    sf.emit(frame([1, 2]));
    sf.emit(frame([3, Number.NaN, 4]));
    assert.ok(Number.isNaN(std[0]!) === false && Math.abs(std[0]! - Math.SQRT1_2) < 1e-12);
    assert.ok(Math.abs(std[1]! - 1.2909944487358056) < 1e-12);
    assert.deepEqual(all[1], { x: 4, y: 40 });
  });

  it('cumsum / cumprod / cummin / cummax carry across frames', () => {
    const sf = new StreamingFrame();
    const cs = sf.cumsum().sinkToList();
    const cm = sf.col('x').cummax().frames().sinkToList();
    const cp = sf.col('x').cumprod().frames().sinkToList();
    const cn = sf.cummin().sinkToList();
    sf.emit(frame([2, 1]));
    sf.emit(frame([5, Number.NaN, 0]));
    assert.deepEqual([...cs[1]!.numeric('x')], [8, Number.NaN, 8]);
    assert.deepEqual([...cm[1]!.numeric('x')], [5, Number.NaN, 5]);
    assert.deepEqual([...cp[1]!.numeric('x')], [10, Number.NaN, 0]);
    assert.deepEqual([...cn[1]!.numeric('y')], [10, Number.NaN, 0]);
  });

  it('rolling(n) and rolling(duration) equal a naive recomputation however the rows are split into frames', () => {
    let s = 3;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    const x = Array.from({ length: 300 }, () => (rnd() < 0.05 ? Number.NaN : Math.round(rnd() * 100)));
    const t = x.map((_, i) => i * 1000 + Math.floor(rnd() * 900));
    for (const kind of ['sum', 'mean', 'count', 'min', 'max', 'var', 'std'] as const) {
      for (const [win, isTime] of [
        [7, false],
        ['10s', true],
      ] as const) {
        const naive = x.map((_, i) => {
          const vals: number[] = [];
          for (let j = 0; j <= i; j++) {
            const inside = isTime ? t[j]! > t[i]! - 10_000 : j > i - (win as number);
            if (inside && !Number.isNaN(x[j]!)) vals.push(x[j]!);
          }
          const minP = isTime ? 1 : (win as number);
          if (vals.length < minP) return Number.NaN;
          const n = vals.length;
          const m = vals.reduce((a, b) => a + b, 0) / n;
          const v = n < 2 ? Number.NaN : vals.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
          return {
            sum: m * n,
            mean: m,
            count: n,
            min: Math.min(...vals),
            max: Math.max(...vals),
            var: v,
            std: Math.sqrt(v),
          }[kind];
        });
        for (const size of [1, 13, 300]) {
          const sf = new StreamingFrame();
          const out = sf.col('x').rolling(win)[kind]().frames().sinkToList();
          for (let i = 0; i < x.length; i += size)
            sf.emit(Frame.fromColumns({ x: x.slice(i, i + size) }, { time: t.slice(i, i + size) }));
          const got = out.flatMap((f: Frame) => [...f.numeric('x')]);
          got.forEach((g: number, i: number) => {
            const e = naive[i]!;
            assert.ok(
              Number.isNaN(e) ? Number.isNaN(g) : Math.abs(g - e) < 1e-6 * Math.max(1, Math.abs(e)),
              `${kind} ${win} size ${size} row ${i}: ${g} vs ${e}`,
            );
          });
        }
      }
    }
  });

  it('ewm adjust=false and halflife/span give pandas values', () => {
    const sf = new StreamingFrame();
    const a = sf.col('x').ewm({ alpha: 0.5, adjust: false }).mean().frames().sinkToList();
    const sp = sf.col('x').ewm({ span: 3 }).mean().frames().sinkToList();
    sf.emit(frame([1, 2, 3]));
    assert.deepEqual([...a[0]!.numeric('x')], [1, 1.5, 2.25]);
    const spans = [...sp[0]!.numeric('x')];
    for (const [i, e] of [1, 1.6666666666666667, 2.428571428571429].entries())
      assert.ok(Math.abs(spans[i]! - e) < 1e-12);
  });

  it('valueCounts (most frequent first) and tail (last n rows across frames)', () => {
    const sf = new StreamingFrame();
    const vc = sf.col('s').valueCounts().sinkToList();
    const tail = sf.tail(3).sinkToList();
    sf.emit(Frame.fromColumns({ s: ['a', 'b', 'b'], v: [1, 2, 3] }));
    sf.emit(Frame.fromColumns({ s: ['c', 'a', 'a'], v: [4, 5, 6] }));
    assert.deepEqual(vc[1]!.toRows(), [
      { s: 'a', count: 3 },
      { s: 'b', count: 2 },
      { s: 'c', count: 1 },
    ]);
    assert.deepEqual([...tail[0]!.numeric('v')], [1, 2, 3]);
    assert.deepEqual([...tail[1]!.numeric('v')], [4, 5, 6]);
  });

  it('groupby.agg takes the aggregators of src/window; string keys sort', () => {
    const sf = new StreamingFrame();
    const out = sf
      .groupby('k')
      .agg({ n: count(), total: sum('v'), top: max('v') })
      .sinkToList();
    sf.emit(Frame.fromColumns({ k: ['b', 'a', 'b'], v: [1, 2, 3] }));
    assert.deepEqual(out[0]!.toRows(), [
      { k: 'a', n: 1, total: 2, top: 2 },
      { k: 'b', n: 2, total: 4, top: 3 },
    ]);
  });
});

describe('rows and frames meet', () => {
  it('toFrames({ size }) cuts frames and holds each row reference until its frame is done', () => {
    const rows = new Stream<{ ts: number; v: number }>();
    const refs = [0, 1, 2, 3].map(() => new RefCounter());
    const sf = rows.toFrames({ size: 2, time: 'ts' });
    const kept: Frame[] = [];
    sf.window({ n: 2 }).apply((w) => kept.push(w));
    rows.emit({ ts: 0, v: 1 }, [{ ref: refs[0]! }]);
    assert.equal(refs[0]!.count, 1, 'buffered: held');
    rows.emit({ ts: 1, v: 2 }, [{ ref: refs[1]! }]);
    assert.equal(kept.length, 1);
    assert.deepEqual([...kept[0]!.numeric('v')], [1, 2]);
    assert.equal(refs[0]!.count, 1, 'in the window: held');
    rows.emit({ ts: 2, v: 3 }, [{ ref: refs[2]! }]);
    assert.equal(refs[0]!.count, 1, 'a frame is held while any of its rows is in the window');
    rows.emit({ ts: 3, v: 4 }, [{ ref: refs[3]! }]);
    assert.equal(kept.length, 2);
    assert.deepEqual([...kept[1]!.numeric('v')], [3, 4]);
    assert.deepEqual(
      refs.map((r) => r.count),
      [0, 0, 1, 1],
      'the first frame left the window: its rows are released',
    );
  });

  it('toFrames({ interval }) cuts frames on the clock; rows() gives the rows back; bad times go to the error branch', async () => {
    const clock = new VirtualClock();
    const rows = new Stream<any>({ clock });
    const sf = rows.toFrames({ interval: '1s', time: 'ts' });
    const back = sf.rows().sinkToList();
    const frames = sf.stream.sinkToList();
    const errors: unknown[] = [];
    (sf.stream as Stream<Frame>).onError((e) => void errors.push(e.value));
    rows.emit({ ts: 1, v: 1 });
    rows.emit({ ts: 'never', v: 2 });
    rows.emit({ ts: 2, v: 3 });
    assert.equal(frames.length, 0);
    await clock.advance(1000);
    assert.equal(frames.length, 1);
    assert.deepEqual(back, [
      { ts: 1, v: 1 },
      { ts: 2, v: 3 },
    ]);
    assert.deepEqual(errors, [{ ts: 'never', v: 2 }]);
    assert.throws(() => rows.toFrames({}), code('TS_BAD_ARGUMENT'));
  });

  it('a Stream<number> is still a Stream<unknown> with frames registered', () => {
    const s: Stream<unknown> = new Stream<number>();
    assert.ok(s instanceof Stream);
  });
});
