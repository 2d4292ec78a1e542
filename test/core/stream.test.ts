import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iterate, type Pushed, setCodegen } from '../../src/core/index.ts';
import { Stream, VirtualClock } from '../../src/index.ts';

declare module '../../src/core/stream.ts' {
  interface Stream<T> {
    double(this: Stream<number>): Stream<number>;
  }
}

describe('the stream graph', () => {
  test('branching: downstreams receive elements in connection order', () => {
    const source = new Stream<number>();
    const seen: string[] = [];
    source.sink((x) => seen.push(`a${x}`));
    source.sink((x) => seen.push(`b${x}`));
    source.map((x) => x * 10).sink((x) => seen.push(`c${x}`));
    source.emit(1);
    assert.deepEqual(seen, ['a1', 'b1', 'c10']);
  });

  test('emit returns nothing on the synchronous path and a promise when a node waits', async () => {
    const source = new Stream<number>();
    source.map((x) => x + 1).sinkToList();
    assert.equal(source.emit(1), undefined);
    source.sink(async () => undefined);
    const r = source.emit(2);
    assert.ok(r instanceof Promise);
    await r;
  });

  test('Stream.register adds a typed operator, as plugins do', () => {
    Stream.register('double', function (this: Stream<number>) {
      return this.map((x) => 2 * x);
    });
    const source = new Stream<number>();
    const out = source.double().sinkToList();
    source.emit(21);
    assert.deepEqual(out, [42]);
    assert.throws(() => Stream.register('emit', () => 0), /built-in member/);
  });

  test('the graph is rebuilt when it changes: a new branch sees the next elements', () => {
    const source = new Stream<number>();
    const a = source.map((x) => x + 1).sinkToList();
    source.emit(1);
    const mid = source.filter((x) => x > 0);
    const b = mid.sinkToList();
    source.emit(2);
    const c = mid.map((x) => -x).sinkToList();
    source.emit(3);
    assert.deepEqual(a, [2, 3, 4]);
    assert.deepEqual(b, [2, 3]);
    assert.deepEqual(c, [-3]);
  });

  test('fused and unfused paths agree', () => {
    const build = () => {
      const s = new Stream<number>();
      const out = s
        .map((x) => x * 3)
        .filter((x) => x % 2 === 0)
        .remove((x) => x > 50)
        .scan((a: number, x: number) => a + x, { start: 0 })
        .rolling(3, 'max', { minPeriods: 1 })
        .map((x) => [x, x])
        .starmap((a: number, b: number, extra: string) => a + b + extra.length, 'extra')
        .sinkToList();
      return { s, out };
    };
    const fast = build();
    setCodegen(false);
    const slow = build();
    try {
      for (let i = 0; i < 40; i++) {
        fast.s.emit(i, i % 2 === 0 ? [{ n: i }] : undefined);
        slow.s.emit(i, i % 2 === 0 ? [{ n: i }] : undefined);
      }
    } finally {
      setCodegen(true);
    }
    assert.equal(typeof fast.s._push, 'function');
    assert.ok(fast.out.length > 0);
    assert.deepEqual(fast.out, slow.out);
    assert.deepEqual(fast.out.slice(0, 4), [5, 17, 41, 77]);
  });

  test('disconnect and destroy stop delivery; start/stop reach the sources upstream', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const source = Stream.fromPeriodic(() => n++, 10, { clock });
    const mapped = source.map((x) => x);
    const out = mapped.sinkToList();
    mapped.start();
    await clock.advance(35);
    mapped.stop();
    await clock.advance(100);
    assert.deepEqual(out, [0, 1, 2]);
    mapped.destroy();
    assert.equal(source.downstreams.length, 0);
  });

  test('toDot and toMermaid draw every node and edge', () => {
    const source = new Stream<number>({ name: 'readings' });
    const a = source.map((x) => x).named('scale');
    a.sinkToList();
    source.filter((x) => x > 0).sinkToList();
    const dot = a.toDot();
    assert.match(dot, /^digraph twinstream \{/);
    assert.match(dot, /"readings \(stream\)"/);
    assert.match(dot, /"scale \(map\)"/);
    assert.equal((dot.match(/->/g) ?? []).length, 4);
    const mermaid = source.toMermaid();
    assert.match(mermaid, /^flowchart TD/);
    assert.equal((mermaid.match(/-->/g) ?? []).length, 4);
  });

  test('operators: frequencies, flatten of sets, union of three, pluck errors, slice with start and step', () => {
    const s = new Stream<any>();
    const f = s.frequencies().sinkToList();
    s.emit('a');
    s.emit('b');
    s.emit('a');
    assert.deepEqual(
      [...(f.at(-1) as Map<string, number>)],
      [
        ['a', 2],
        ['b', 1],
      ],
    );
    const t = new Stream<Set<number>>();
    const flat = t.flatten().sinkToList();
    t.emit(new Set([1, 2]));
    assert.deepEqual(flat, [1, 2]);
    assert.throws(() => t.emit(5 as any), /flatten: element 5 is not iterable/);
    const u = new Stream<number>();
    const sl = u.slice(2, 9, 3).sinkToList();
    for (let i = 0; i < 12; i++) u.emit(i);
    assert.deepEqual(sl, [3, 6]);
    assert.equal(u.downstreams.length, 0, 'slice detached after its end');
    const p = new Stream<any>();
    p.pluck('x').sinkToList();
    assert.throws(() => p.emit({ y: 1 }), { code: 'TS_PLUCK_MISSING' });
  });

  test('rolling aggregates in O(1) match a direct computation', () => {
    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i) * 100 + (i % 7));
    for (const agg of ['sum', 'mean', 'count', 'min', 'max', 'var', 'std'] as const) {
      const s = new Stream<number>();
      const out = s.rolling(25, agg).sinkToList();
      for (const v of values) s.emit(v);
      assert.equal(out.length, values.length - 24);
      for (let i = 24; i < values.length; i += 37) {
        const w = values.slice(i - 24, i + 1);
        const mean = w.reduce((a, b) => a + b, 0) / w.length;
        const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / (w.length - 1);
        const want = {
          sum: mean * 25,
          mean,
          count: 25,
          min: Math.min(...w),
          max: Math.max(...w),
          var: variance,
          std: Math.sqrt(variance),
        }[agg];
        assert.ok(Math.abs(out[i - 24]! - want) < 1e-7, `${agg} at ${i}: ${out[i - 24]} vs ${want}`);
      }
    }
  });

  test('rolling sums stay right across their periodic re-summing, and partial windows divide by what is in', () => {
    // The running sum is recomputed from the ring every 1024 windows (three times here), in the fused path.
    const n = 4;
    const values = Array.from({ length: n * 1024 * 3 + 7 }, (_, i) => (i % 3 === 0 ? 1e15 : 0.25 * (i % 5)));
    for (const agg of ['sum', 'mean', 'count'] as const) {
      const s = new Stream<number>();
      const out = s.rolling(n, agg, { minPeriods: 1 }).sinkToList();
      for (const v of values) s.emit(v);
      assert.equal(out.length, values.length);
      assert.equal(out[0], agg === 'count' ? 1 : values[0]);
      assert.equal(
        out[1],
        agg === 'sum' ? values[0]! + values[1]! : agg === 'mean' ? (values[0]! + values[1]!) / 2 : 2,
      );
      const last = values.slice(-n);
      const sum = last.reduce((a, b) => a + b, 0);
      assert.equal(out[out.length - 1], { sum, mean: sum / n, count: n }[agg], agg);
    }
  });
});

describe('back pressure', () => {
  test('a source behind a slow async sink keeps memory bounded', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const source = Stream.fromIterable(Array.from({ length: 200 }, (_, i) => i));
    const out: number[] = [];
    source
      .map((x) => x * 2)
      .buffer(8)
      .sink(async (x) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        out.push(x);
        inFlight--;
      });
    source.start();
    await source.done;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(out.length, 200);
    assert.equal(maxInFlight, 1);
  });

  test('the buffer lets n elements wait before the emitter waits', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    let release!: () => void;
    source.buffer(3).sink(() => new Promise<void>((r) => (release = r)));
    const results: Pushed[] = [];
    for (let i = 0; i < 5; i++) results.push(source.emit(i));
    assert.deepEqual(
      results.map((r) => r instanceof Promise),
      [false, false, false, true, true],
    );
    await clock.advance(0);
    release();
  });

  test('mapAsync bounds work in flight and keeps order', async () => {
    const source = Stream.fromIterable([5, 1, 4, 2, 3]);
    let active = 0;
    let peak = 0;
    const out = source
      .mapAsync(
        async (x: number) => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, x * 2));
          active--;
          return x;
        },
        { parallelism: 2 },
      )
      .sinkToList();
    source.start();
    await source.done;
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(out, [5, 1, 4, 2, 3]);
    assert.equal(peak, 2);
  });

  test('mapAsync unordered emits as results complete', async () => {
    const source = new Stream<number>();
    const out = source
      .mapAsync((x: number) => new Promise<number>((r) => setTimeout(() => r(x), x)), {
        parallelism: 3,
        ordered: false,
      })
      .sinkToList();
    source.emit(30);
    source.emit(10);
    await source.emit(20);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(out, [10, 20, 30]);
  });
});

describe('sources and interop', () => {
  test('fromAsyncIterable, async iteration of a stream, and its end', async () => {
    async function* gen() {
      for (let i = 0; i < 5; i++) yield i;
    }
    const source = Stream.fromAsyncIterable(gen());
    const mapped = source.map((x) => x * x);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const x of mapped) seen.push(x);
    })();
    source.start();
    await loop;
    assert.deepEqual(seen, [0, 1, 4, 9, 16]);
  });

  test('breaking out of the loop detaches the iterator', async () => {
    const source = Stream.fromIterable([1, 2, 3, 4]);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const x of iterate(source, { highWaterMark: 2 })) {
        seen.push(x);
        if (x === 2) break;
      }
    })();
    source.start();
    await loop;
    await source.done;
    assert.deepEqual(seen, [1, 2]);
    assert.equal(source.downstreams.length, 0);
  });

  test('web ReadableStream in and out', async () => {
    const rs = new ReadableStream<number>({
      start(c) {
        for (const x of [1, 2, 3]) c.enqueue(x);
        c.close();
      },
    });
    const source = Stream.fromAsyncIterable(rs as unknown as AsyncIterable<number>);
    const out = source.map((x) => x + 1).toReadableStream();
    source.start();
    const reader = out.getReader();
    const got: number[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
    assert.deepEqual(got, [2, 3, 4]);
  });

  test('a finite source ends: partition flushes its partial group, timers stop', async () => {
    const clock = new VirtualClock();
    const source = Stream.fromIterable([1, 2, 3, 4, 5], { clock });
    const parts = source.partition(2).sinkToList();
    const windows = source.timedWindow(1000).sinkToList();
    source.start();
    await source.done;
    assert.deepEqual(parts, [[1, 2], [3, 4], [5]]);
    assert.deepEqual(windows, [[1, 2, 3, 4, 5]]);
    assert.equal(clock.pending, 0);
  });

  test('await using a source stops it', async () => {
    const clock = new VirtualClock();
    const out: number[] = [];
    {
      await using source = Stream.fromPeriodic(() => 1, 10, { clock });
      source.sink((x) => out.push(x));
      source.start();
      await clock.advance(25);
    }
    await clock.advance(100);
    assert.deepEqual(out, [1, 1]);
  });
});
