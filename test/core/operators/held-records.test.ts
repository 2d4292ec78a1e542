// The nodes that hold records until more input comes (slidingWindow, collect, partitionUnique, zip, zipLatest,
// combineLatest) are Checkpointable: checkpointed and restored mid-stream, into a fresh node or the same one after
// a dropPartition, they give what an uninterrupted run gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCheckpointable } from '../../../src/core/checkpointable.ts';
import { type CollectNode, RefCounter, Stream, zip } from '../../../src/core/index.ts';
import { checkRestore, type Fed, JsonEntries, twoInputs } from '../../support/checkpoint-run.ts';

/** `n` elements of one input over `parts` partitions, with record keys. */
function oneInput(n: number, parts: number): Fed[] {
  return Array.from({ length: n }, (_, i) => ({
    input: 0,
    x: { id: i, k: `k${i % 3}` },
    partition: (i * 7) % parts,
    key: `r${i % 5}`,
  }));
}

for (const cut of [1, 7, 20]) {
  test(`slidingWindow, restored after ${cut} elements, equals an uninterrupted run`, () => {
    const out = checkRestore(
      () => {
        const s = new Stream<any>();
        return { sources: [s], node: s.slidingWindow(4) };
      },
      oneInput(40, 3),
      cut,
    );
    assert.equal(out.length, 40);
  });

  test(`slidingWindow without partial windows, restored after ${cut} elements`, () => {
    checkRestore(
      () => {
        const s = new Stream<any>();
        return { sources: [s], node: s.slidingWindow(3, { returnPartial: false }) };
      },
      oneInput(30, 2),
      cut,
    );
  });

  test(`partitionUnique (keep first and last), restored after ${cut} elements`, () => {
    for (const keep of ['first', 'last'] as const) {
      const out = checkRestore(
        () => {
          const s = new Stream<any>();
          return { sources: [s], node: s.partitionUnique(3, { key: 'k', keep }) };
        },
        oneInput(50, 2),
        cut,
      );
      assert.ok(out.length > 5);
    }
  });

  test(`collect, flushed now and then, restored after ${cut} elements`, () => {
    const events: Fed[] = oneInput(30, 3).flatMap((e, i) =>
      i % 7 === 6 ? [e, { input: 0, x: null, partition: 0, act: 'flush' as const }] : [e],
    );
    const out = checkRestore(
      () => {
        const s = new Stream<any>();
        const c: CollectNode<any> = s.collect();
        return { sources: [s], node: c, flush: () => void c.flush() };
      },
      events,
      cut,
    );
    assert.equal(out.length, 4);
  });

  test(`zip of two inputs, restored after ${cut} elements`, () => {
    const out = checkRestore(
      () => {
        const a = new Stream<any>();
        const b = new Stream<any>();
        return { sources: [a, b], node: zip([a, 'literal', b], { maxsize: 100 }) };
      },
      twoInputs(60),
      cut,
    );
    assert.ok(out.length > 10);
  });

  test(`zipLatest, restored after ${cut} elements`, () => {
    const out = checkRestore(
      () => {
        const a = new Stream<any>();
        const b = new Stream<any>();
        return { sources: [a, b], node: a.zipLatest(b) };
      },
      twoInputs(60),
      cut,
    );
    assert.equal(out.length, twoInputs(60).filter((e) => e.input === 0).length);
  });

  test(`combineLatest (every input, and emitOn one), restored after ${cut} elements`, () => {
    for (const emitOn of [undefined, 1]) {
      const out = checkRestore(
        () => {
          const a = new Stream<any>();
          const b = new Stream<any>();
          return { sources: [a, b], node: a.combineLatest(b, emitOn === undefined ? {} : { emitOn }) };
        },
        twoInputs(60),
        cut,
      );
      assert.ok(out.length > 10);
    }
  });
}

test('zip keeps one set of queues per input partition', () => {
  const a = new Stream<number>();
  const b = new Stream<string>();
  const out = a.zip(b).sinkToList();
  a.emit(1, [{ partition: 0 }]);
  a.emit(2, [{ partition: 1 }]);
  b.emit('y', [{ partition: 1 }]);
  b.emit('x', [{ partition: 0 }]);
  assert.deepEqual(out, [
    [2, 'y'],
    [1, 'x'],
  ]);
});

test('zip, zipLatest and combineLatest skip the records of an input read again at or below the offset their state covers', () => {
  for (const make of [
    (a: Stream<any>, b: Stream<any>) => a.zip(b),
    (a: Stream<any>, b: Stream<any>) => a.combineLatest(b),
  ]) {
    const store = new JsonEntries();
    const a = new Stream<string>();
    const b = new Stream<string>();
    const first = make(a, b);
    a.emit('a0', [{ partition: 0, offset: 0 }]);
    b.emit('b0', [{ partition: 0, offset: 0 }]);
    b.emit('b1', [{ partition: 0, offset: 1 }]);
    if (!isCheckpointable(first)) assert.fail(`${first.kind} is checkpointable`);
    first.checkpoint(store);
    const a2 = new Stream<string>();
    const b2 = new Stream<string>();
    const next = make(a2, b2);
    if (!isCheckpointable(next)) assert.fail(`${next.kind} is checkpointable`);
    next.restorePartition(store, 0);
    const out = next.sinkToList();
    b2.emit('b1', [{ partition: 0, offset: 1 }]); // the other topic read again from its committed offset
    a2.emit('a1', [{ partition: 0, offset: 1 }]);
    assert.deepEqual(out, [['a1', 'b1']], first.kind);
  }
});

test('the nodes release the records of a dropped partition', () => {
  const a = new Stream<any>();
  const b = new Stream<any>();
  const nodes = [a.slidingWindow(3), a.collect(), a.partitionUnique(5), a.zip(b), a.combineLatest(b), a.zipLatest(b)];
  const ref = new RefCounter(() => {});
  a.emit({ v: 1 }, [{ partition: 2, ref }]);
  assert.equal(ref.count, 6);
  for (const n of nodes) if (isCheckpointable(n)) n.dropPartition(2);
  assert.equal(ref.count, 0);
});

test('a namespace that is not a non-empty string is refused', () => {
  const a = new Stream<number>();
  assert.throws(() => a.slidingWindow(2, { namespace: '' }), /namespace/);
  assert.throws(() => zip([a, a], { namespace: 3 as unknown as string }), /namespace/);
});
