import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RefCounter, Stream, type StreamErrorInfo, TwinstreamError } from '../../src/index.ts';

describe('errors', () => {
  test('a throwing user function reaches the caller of emit, unchanged', () => {
    const source = new Stream<string>();
    source.map((s) => JSON.parse(s)).sinkToList();
    assert.throws(() => source.emit('{bad'), SyntaxError);
  });

  test('an error branch receives { error, value, node } and the stream goes on', () => {
    const source = new Stream<string>();
    const parse = source.map((s) => JSON.parse(s) as { v: number }).named('parse');
    const dead: StreamErrorInfo[] = [];
    parse.onError((info) => dead.push(info));
    const out = parse.pluck('v').sinkToList();
    source.emit('{"v":1}');
    source.emit('{bad');
    source.emit('{"v":3}');
    assert.deepEqual(out, [1, 3]);
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.value, '{bad');
    assert.equal(dead[0]!.node, parse);
    assert.ok(dead[0]!.error instanceof TwinstreamError);
    assert.equal(dead[0]!.error.code, 'TS_NODE_FAILED');
    assert.ok(dead[0]!.error.cause instanceof SyntaxError);
    assert.match(dead[0]!.error.message, /^parse failed:/);
  });

  test("an error raised downstream is not the branch's own: it passes on to the caller", () => {
    const source = new Stream<number>();
    const caught: unknown[] = [];
    const first = source.map((x) => x).onError((e) => caught.push(e));
    first.map(() => {
      throw new Error('downstream');
    });
    assert.throws(() => source.emit(1), /downstream/);
    assert.equal(caught.length, 0);
  });

  test('nested error branches each take only their own errors', () => {
    const source = new Stream<number>();
    const outer: unknown[] = [];
    const inner: unknown[] = [];
    const a = source
      .map((x) => {
        if (x === 1) throw new Error('a');
        return x;
      })
      .onError((e) => outer.push(e.value));
    a.map((x) => {
      if (x === 2) throw new Error('b');
      return x;
    }).onError((e) => inner.push(e.value));
    source.emit(1);
    source.emit(2);
    source.emit(3);
    assert.deepEqual(outer, [1]);
    assert.deepEqual(inner, [2]);
  });

  test('catch() gives the error branch as a stream, for dead-lettering', () => {
    const source = new Stream<number>();
    const risky = source.map((x) => {
      if (x < 0) throw new RangeError(`negative: ${x}`);
      return Math.sqrt(x);
    });
    const dlq = risky
      .catch()
      .map((e) => ({ value: e.value, reason: e.error.message }))
      .sinkToList();
    const ok = risky.sinkToList();
    for (const x of [4, -1, 9]) source.emit(x);
    assert.deepEqual(ok, [2, 3]);
    assert.equal(dlq.length, 1);
    assert.equal((dlq[0] as any).value, -1);
    assert.match((dlq[0] as any).reason, /negative: -1/);
  });

  test('a dead-lettered element keeps its reference counter until the branch is done with it', async () => {
    const source = new Stream<number>();
    const risky = source.map((): number => {
      throw new Error('no');
    });
    let finish!: () => void;
    risky.catch().sink(() => new Promise<void>((r) => (finish = r)));
    let committed = false;
    const ref = new RefCounter(() => (committed = true));
    const p = source.emit(1, [{ ref }]);
    assert.equal(committed, false);
    finish();
    await p;
    assert.equal(committed, true);
  });

  test('async failures reach the branch too', async () => {
    const source = new Stream<number>();
    const caught: unknown[] = [];
    source
      .map((x) => x)
      .onError((e) => caught.push(e.value))
      .sink(async () => {
        throw new Error('async');
      });
    await assert.rejects(async () => source.emit(7), /async/);
    const other = new Stream<number>();
    const node = other.mapAsync(async (x: number) => {
      if (x === 2) throw new Error('bad 2');
      return x;
    });
    const out = node.sinkToList();
    node.onError((e) => caught.push(e.value));
    await other.emit(1);
    await other.emit(2);
    await other.emit(3);
    assert.deepEqual(out, [1, 3]);
    assert.deepEqual(caught, [2]);
  });

  test('mapAsync without an error branch: the next emit throws the failure', async () => {
    const source = new Stream<number>();
    source.mapAsync(
      async () => {
        throw new Error('lookup failed');
      },
      { parallelism: 2 },
    );
    source.emit(1);
    await new Promise((r) => setImmediate(r));
    assert.throws(() => source.emit(2), /lookup failed/);
  });
});

describe('bad arguments fail at construction', () => {
  const s = new Stream<any>();
  const cases: [string, () => unknown, RegExp][] = [
    ['map(non-function)', () => s.map(42 as any), /map: fn = 42 is not valid; expected a function/],
    ['filter(non-function)', () => s.filter('x' as any), /filter: predicate = "x"/],
    ['remove(nothing)', () => s.remove(undefined as any), /remove: predicate = undefined/],
    ['accumulate(non-function)', () => s.accumulate(null as any), /accumulate: fn = null/],
    ['partition(-1)', () => s.partition(-1), /partition: n = -1 is not valid; expected an integer >= 1/],
    [
      'partition(timeout 10x)',
      () => s.partition(2, { timeout: '10x' }),
      /partition: timeout = "10x" is not a duration/,
    ],
    ['slidingWindow(0)', () => s.slidingWindow(0), /slidingWindow: n = 0/],
    ['buffer(1.5)', () => s.buffer(1.5), /buffer: n = 1.5/],
    ['timedWindow(-5)', () => s.timedWindow(-5), /timedWindow: interval = -5 is not a duration/],
    ['delay(abc)', () => s.delay('abc'), /delay: interval = "abc"/],
    ['rateLimit(1y)', () => s.rateLimit('1y'), /rateLimit: interval = "1y"/],
    ['unique(maxsize 0)', () => s.unique({ maxsize: 0 }), /unique: maxsize = 0/],
    ['unique(key {})', () => s.unique({ key: {} as any }), /unique: key = \{\}/],
    ['pluck({})', () => s.pluck({} as any), /pluck: key = \{\}/],
    ['slice(step 0)', () => s.slice(0, 5, 0), /slice: step = 0/],
    ['mapAsync(parallelism 0)', () => s.mapAsync(async (x) => x, { parallelism: 0 }), /mapAsync: parallelism = 0/],
    ['partitionUnique(keep)', () => s.partitionUnique(2, { keep: 'middle' as any }), /keep = "middle"/],
    ['combineLatest(emitOn)', () => s.combineLatest(new Stream(), { emitOn: new Stream() }), /emitOn/],
    ['rolling(bad)', () => s.rolling(10, 'median' as any), /rolling: aggregate = "median"/],
    ['fromIterable(3)', () => Stream.fromIterable(3 as any), /fromIterable: iterable = 3/],
    ['fromPeriodic(fn)', () => Stream.fromPeriodic(null as any, 10), /fromPeriodic: fn = null/],
    ['sink(non-function)', () => s.sink(undefined as any), /sink: fn = undefined/],
  ];
  for (const [name, fn, message] of cases) {
    test(name, () => {
      assert.throws(fn, (e: unknown) => e instanceof TwinstreamError && message.test(e.message));
    });
  }
  test('nothing was connected by a failed construction', () => {
    assert.equal(s.downstreams.length, 0);
  });
});
