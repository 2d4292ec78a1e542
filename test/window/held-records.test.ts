// mergeSorted and joinInterval are Checkpointable: checkpointed and restored mid-stream, into a fresh node or the
// same one after a dropPartition, they give what an uninterrupted run gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCheckpointable } from '../../src/core/checkpointable.ts';
import { Stream } from '../../src/core/index.ts';
import '../../src/window/index.ts';
import { checkRestore, JsonEntries, twoInputs } from '../support/checkpoint-run.ts';

for (const cut of [1, 9, 25]) {
  test(`mergeSorted of two inputs, restored after ${cut} elements, equals an uninterrupted run`, () => {
    const late: number[] = [];
    const out = checkRestore(
      () => {
        const a = new Stream<any>();
        const b = new Stream<any>();
        return { sources: [a, b], node: a.mergeSorted(b, { timestamp: 'ts', onLate: (x: any) => late.push(x.id) }) };
      },
      twoInputs(60),
      cut,
    );
    assert.ok(out.length > 20);
    const ts = out.map(([x]) => (x as { ts: number }).ts);
    for (const p of [0, 1]) {
      const mine = out.filter(([, part]) => part === p).map(([x]) => (x as { ts: number }).ts);
      assert.deepEqual(
        mine,
        [...mine].sort((x, y) => x - y),
        `partition ${p} in time order`,
      );
    }
    assert.ok(ts.length + late.length > 0);
  });

  test(`mergeSorted with lateness, restored after ${cut} elements`, () => {
    checkRestore(
      () => {
        const a = new Stream<any>();
        const b = new Stream<any>();
        return { sources: [a, b], node: a.mergeSorted(b, { timestamp: 'ts', maxLateness: 30 }) };
      },
      twoInputs(60),
      cut,
    );
  });

  test(`joinInterval, restored after ${cut} elements, equals an uninterrupted run`, () => {
    const out = checkRestore(
      () => {
        const a = new Stream<any>();
        const b = new Stream<any>();
        return {
          sources: [a, b],
          node: a.joinInterval(b, {
            timestamp: 'ts',
            key: 'k',
            backward: 40,
            forward: 20,
            merge: (l: any, r: any) => [l.id, r.id],
          }),
        };
      },
      twoInputs(60),
      cut,
    );
    assert.ok(out.length >= 20);
  });
}

test('mergeSorted keeps a watermark per input partition', () => {
  const a = new Stream<{ ts: number }>();
  const b = new Stream<{ ts: number }>();
  const out = a.mergeSorted(b, { timestamp: 'ts' }).sinkToList();
  a.emit({ ts: 5 }, [{ partition: 0 }]);
  b.emit({ ts: 9 }, [{ partition: 1 }]); // partition 1's watermark; not partition 0's
  assert.deepEqual(out, []);
  b.emit({ ts: 7 }, [{ partition: 0 }]);
  assert.deepEqual(out, [{ ts: 5 }]);
});

test('joinInterval and mergeSorted skip records of the other input read again after a restore', () => {
  const make = [
    (a: Stream<any>, b: Stream<any>) =>
      a.joinInterval(b, { timestamp: 'ts', backward: 100, forward: 100, merge: (l: any, r: any) => [l.id, r.id] }),
    (a: Stream<any>, b: Stream<any>) => a.mergeSorted(b, { timestamp: 'ts' }),
  ];
  const outs: unknown[][] = [];
  for (const m of make) {
    const store = new JsonEntries();
    const a = new Stream<any>();
    const b = new Stream<any>();
    const first = m(a, b);
    b.emit({ id: 'b0', ts: 10 }, [{ partition: 0, offset: 0 }]);
    a.emit({ id: 'a0', ts: 12 }, [{ partition: 0, offset: 0 }]);
    if (!isCheckpointable(first)) assert.fail(`${first.kind} is checkpointable`);
    first.checkpoint(store);
    const a2 = new Stream<any>();
    const b2 = new Stream<any>();
    const next = m(a2, b2);
    if (!isCheckpointable(next)) assert.fail(`${next.kind} is checkpointable`);
    next.restorePartition(store, 0);
    const out = next.sinkToList();
    b2.emit({ id: 'b0', ts: 10 }, [{ partition: 0, offset: 0 }]); // read again: already in the state
    a2.emit({ id: 'a1', ts: 20 }, [{ partition: 0, offset: 1 }]);
    b2.emit({ id: 'b1', ts: 30 }, [{ partition: 0, offset: 1 }]);
    outs.push(out);
  }
  assert.deepEqual(outs[0], [
    ['a1', 'b0'],
    ['a0', 'b1'],
    ['a1', 'b1'],
  ]);
  assert.deepEqual(outs[1], [
    { id: 'a0', ts: 12 },
    { id: 'a1', ts: 20 },
  ]);
});
