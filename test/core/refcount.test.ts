// Every node that holds an element keeps its reference counters until it lets go: the checkpoint mechanism.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RefCounter, Stream, VirtualClock } from '../../src/index.ts';

function counted() {
  let zeros = 0;
  const ref = new RefCounter(() => zeros++);
  return { ref, md: [{ ref }], zeros: () => zeros };
}

describe('reference counting per operator', () => {
  test('a synchronous chain releases as soon as emit returns', () => {
    const source = new Stream<number>();
    const out = source
      .map((x) => x + 1)
      .filter(() => true)
      .sinkToList();
    const c = counted();
    source.emit(1, c.md);
    assert.equal(c.ref.count, 0);
    assert.equal(c.zeros(), 1);
    assert.deepEqual(out, [2]);
  });

  test('a filtered-out element is released at once', () => {
    const source = new Stream<number>();
    source.filter(() => false).sinkToList();
    const c = counted();
    source.emit(1, c.md);
    assert.equal(c.zeros(), 1);
  });

  test('buffer holds until the element has gone on', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const out = source.buffer(4).sinkToList();
    const c = counted();
    source.emit(1, c.md);
    assert.equal(c.ref.count, 1);
    await clock.advance(0);
    assert.deepEqual(out, [1]);
    assert.equal(c.ref.count, 0);
  });

  test('an async sink holds until its promise settles', async () => {
    const source = new Stream<number>();
    let finish!: () => void;
    source.sink(() => new Promise<void>((r) => (finish = r)));
    const c = counted();
    const p = source.emit(1, c.md);
    assert.ok(p instanceof Promise);
    assert.equal(c.ref.count, 1);
    finish();
    await p;
    assert.equal(c.ref.count, 0);
    assert.equal(c.zeros(), 1);
  });

  test('collect holds until flush', () => {
    const source = new Stream<number>();
    const col = source.collect();
    const out = col.sinkToList();
    const c = counted();
    source.emit(1, c.md);
    assert.equal(c.ref.count, 1);
    col.flush();
    assert.equal(c.ref.count, 0);
    assert.deepEqual(out, [[1]]);
  });

  test('zip holds until its tuple is emitted', () => {
    const [a, b] = [new Stream(), new Stream()];
    a.zip(b).sinkToList();
    const c = counted();
    a.emit(1, c.md);
    assert.equal(c.ref.count, 1);
    b.emit(2);
    assert.equal(c.ref.count, 0);
  });

  test('zipLatest holds the lossless element until emitted and the latest of the others', () => {
    const [a, b] = [new Stream(), new Stream()];
    a.zipLatest(b).sinkToList();
    const ca = counted();
    const cb = counted();
    a.emit(1, ca.md);
    assert.equal(ca.ref.count, 1);
    b.emit('x', cb.md);
    assert.equal(ca.ref.count, 0);
    assert.equal(cb.ref.count, 1);
    const cb2 = counted();
    b.emit('y', cb2.md);
    assert.equal(cb.ref.count, 0);
    assert.equal(cb2.ref.count, 1);
  });

  test('partition with a key holds per key', () => {
    const source = new Stream<[string, number]>();
    source.partition(2, { key: 0 }).sinkToList();
    const c1 = counted();
    const c2 = counted();
    source.emit(['a', 1], c1.md);
    source.emit(['b', 1], c2.md);
    assert.equal(c1.ref.count, 1);
    source.emit(['a', 2]);
    assert.equal(c1.ref.count, 0);
    assert.equal(c2.ref.count, 1);
  });

  test('partitionUnique releases a replaced element (keep last) and never holds an ignored one (keep first)', () => {
    const s1 = new Stream<number>();
    s1.partitionUnique(5, { keep: 'last' }).sinkToList();
    const old = counted();
    s1.emit(1, old.md);
    assert.equal(old.ref.count, 1);
    s1.emit(1);
    assert.equal(old.ref.count, 0);
    const s2 = new Stream<number>();
    s2.partitionUnique(5, { keep: 'first' }).sinkToList();
    s2.emit(1);
    const repeat = counted();
    s2.emit(1, repeat.md);
    assert.equal(repeat.ref.count, 0);
  });

  test('latest releases an element that a newer one replaced', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const out = source.latest().sinkToList();
    const c1 = counted();
    const c2 = counted();
    source.emit(1, c1.md);
    source.emit(2, c2.md);
    assert.equal(c1.ref.count, 0);
    assert.equal(c2.ref.count, 1);
    await clock.advance(0);
    assert.deepEqual(out, [2]);
    assert.equal(c2.ref.count, 0);
  });

  test('rateLimit holds a waiting element', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    source.rateLimit(100).sinkToList();
    source.emit(0);
    const c = counted();
    const p = source.emit(1, c.md);
    assert.equal(c.ref.count, 1);
    await clock.advance(100);
    await p;
    assert.equal(c.ref.count, 0);
  });

  test('timedWindow and timedWindowUnique hold until their tick', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    source.timedWindow(100);
    source.timedWindowUnique(100);
    const c = counted();
    await clock.advance(1);
    source.emit(1, c.md);
    assert.equal(c.ref.count, 2);
    await clock.advance(100);
    assert.equal(c.ref.count, 0);
  });

  test('mapAsync holds until the result has gone on', async () => {
    const source = new Stream<number>();
    let finish!: (v: number) => void;
    const out = source.mapAsync((x) => new Promise<number>((r) => (finish = () => r(x * 10)))).sinkToList();
    const c = counted();
    const p = source.emit(1, c.md);
    assert.equal(c.ref.count, 1);
    finish(0);
    await p;
    assert.deepEqual(out, [10]);
    assert.equal(c.ref.count, 0);
  });

  test('each held element is released exactly once across a graph', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const branchA = source.partition(3).flatten().buffer(2);
    const branchB = source.slidingWindow(2);
    branchA.sinkToList();
    branchB.sinkToList();
    const refs = [1, 2, 3, 4, 5, 6].map(() => counted());
    refs.forEach((c, i) => {
      source.emit(i, c.md);
    });
    await clock.runUntilIdle();
    // The last element stays in the sliding window; everything else was released once.
    for (const c of refs.slice(0, -1)) assert.equal(c.zeros(), 1);
    assert.equal(refs.at(-1)!.ref.count, 1);
  });
});
