// The Checkpointable contract on accumulate and partition: state per input partition, written at a checkpoint,
// restored into a new node, dropped when a partition is taken away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Checkpointable, isCheckpointable, keepsInputOf } from '../../../src/core/checkpointable.ts';
import { RefCounter, Stream } from '../../../src/core/index.ts';
import { MemoryStateStore } from '../../../src/state/index.ts';
import { checkPipeline, items } from '../../support/checkpoint-contract.ts';

const md = (partition: number) => [{ partition }];
const asCheckpointable = (s: Stream<any>) => {
  assert.ok(isCheckpointable(s), `${s.kind} is checkpointable`);
  return s as Stream<any> & Checkpointable;
};

test('accumulate keeps one state per partition and resumes it from a checkpoint', () => {
  const store = new MemoryStateStore();
  const a = new Stream<number>();
  const sums = asCheckpointable(a.accumulate((s: number, x: number) => s + x, { start: 0, namespace: 'sums' }));
  const outA = sums.sinkToList();
  a.emit(1, md(0));
  a.emit(10, md(1));
  a.emit(2, md(0));
  a.emit(20, md(1));
  assert.deepEqual(outA, [1, 10, 3, 30]);
  store.transaction((tx) => sums.checkpoint(tx));
  assert.deepEqual([...store.entries('sums', 1)], [['state', { state: 30 }]]);

  const b = new Stream<number>();
  const again = asCheckpointable(b.accumulate((s: number, x: number) => s + x, { start: 0, namespace: 'sums' }));
  const outB = again.sinkToList();
  again.restorePartition(store, 0);
  again.restorePartition(store, 1);
  b.emit(4, md(1));
  b.emit(5, md(0));
  again.dropPartition(1);
  b.emit(6, md(1));
  assert.deepEqual(outB, [34, 8, 6]);
});

test('accumulate without a start (the first element is the state) is restored with it', () => {
  const store = new MemoryStateStore();
  const a = new Stream<number>();
  const m = asCheckpointable(a.accumulate((s: number, x: number) => Math.max(s, x)));
  a.emit(3, md(0));
  store.transaction((tx) => m.checkpoint(tx));
  const b = new Stream<number>();
  const again = asCheckpointable(b.accumulate((s: number, x: number) => Math.max(s, x)));
  const out = again.sinkToList();
  again.restorePartition(store, 0);
  b.emit(1, md(0));
  b.emit(2, md(2)); // a partition never seen: its first element is its state
  assert.deepEqual(out, [3, 2]);
});

test('accumulate without metadata behaves as before (one state, fused or not)', () => {
  const source = new Stream<number>();
  const out = source
    .map((x) => x + 1)
    .accumulate((s: number, x: number) => s + x, { start: 0 })
    .sinkToList();
  for (let i = 0; i < 4; i++) source.emit(i);
  assert.deepEqual(out, [1, 3, 6, 10]);
});

test('partition checkpoints the arrays being filled, per input partition, and resumes them', () => {
  const store = new MemoryStateStore();
  const a = new Stream<{ id: string; v: number }>();
  const p = asCheckpointable(a.partition(3, { key: 'id' }));
  const outA = p.sinkToList();
  a.emit({ id: 'x', v: 1 }, md(0));
  a.emit({ id: 'x', v: 2 }, md(0));
  a.emit({ id: 'x', v: 3 }, md(1)); // another input partition: another array
  store.transaction((tx) => p.checkpoint(tx));
  assert.deepEqual(outA, []);
  a.emit({ id: 'x', v: 4 }, md(0));
  store.transaction((tx) => p.checkpoint(tx));
  assert.deepEqual([...store.entries('partition', 0)], []); // emitted: deleted
  assert.deepEqual(outA, [
    [
      { id: 'x', v: 1 },
      { id: 'x', v: 2 },
      { id: 'x', v: 4 },
    ],
  ]);

  const b = new Stream<{ id: string; v: number }>();
  const again = asCheckpointable(b.partition(3, { key: 'id' }));
  const outB = again.sinkToList();
  again.restorePartition(store, 1);
  b.emit({ id: 'x', v: 5 }, md(1));
  b.emit({ id: 'x', v: 6 }, md(1));
  assert.deepEqual(outB, [
    [
      { id: 'x', v: 3 },
      { id: 'x', v: 5 },
      { id: 'x', v: 6 },
    ],
  ]);
});

test('partition releases the records of a dropped partition', () => {
  let done = 0;
  const ref = new RefCounter(() => done++);
  const a = new Stream<number>();
  const p = asCheckpointable(a.partition(5));
  a.emit(1, [{ partition: 2, ref }]);
  assert.equal(ref.count, 1); // held by the partition
  p.dropPartition(2);
  assert.equal(ref.count, 0);
  assert.ok(done >= 1);
});

test('nodes that keep records say so, and a plain map does not', () => {
  const a = new Stream<number>();
  const b = new Stream<number>();
  const z = a.zipLatest(b);
  assert.equal(isCheckpointable(z), true);
  assert.match(keepsInputOf(z)!, /record/);
  assert.equal(keepsInputOf(a.map((x) => x)), null);
});

test('accumulate writes only the partitions that changed: one not restored yet keeps its stored state', () => {
  const store = new MemoryStateStore();
  store.set('accumulate', 0, 'state', { state: 41 });
  const a = new Stream<number>();
  const sums = asCheckpointable(a.accumulate((s: number, x: number) => s + x, { start: 0 }));
  a.emit(5, md(1)); // partition 0 (the start state) is parked, never restored nor changed
  store.transaction((tx) => sums.checkpoint(tx));
  assert.deepEqual([...store.entries('accumulate', 0)], [['state', { state: 41 }]]);
  assert.deepEqual([...store.entries('accumulate', 1)], [['state', { state: 5 }]]);
  sums.restorePartition(store, 0);
  const out = sums.sinkToList();
  a.emit(1, md(0));
  assert.deepEqual(out, [42]);
});

test('unique remembers the keys seen per partition, in their order, across a checkpoint and a restore', () => {
  const store = new MemoryStateStore();
  const a = new Stream<string>();
  const u = asCheckpointable(a.unique({ maxsize: 2 }));
  const outA = u.sinkToList();
  for (const x of ['a', 'b', 'a', 'c']) a.emit(x, md(0)); // 'b' forgotten: the least recently seen
  a.emit('a', md(1)); // another partition: its own keys
  store.transaction((tx) => u.checkpoint(tx));
  assert.deepEqual(outA, ['a', 'b', 'c', 'a']);
  assert.equal([...store.entries('unique', 0)].length, 2);

  const b = new Stream<string>();
  const again = asCheckpointable(b.unique({ maxsize: 2 }));
  const outB = again.sinkToList();
  again.restorePartition(store, 0);
  for (const x of ['a', 'c', 'b', 'c', 'a']) b.emit(x, md(0));
  // a, c remembered; b new (forgets a, the older of the two); c remembered; a new again.
  assert.deepEqual(outB, ['b', 'a']);
});

test('rolling keeps a window per partition and resumes it from a checkpoint (fused or not)', () => {
  const values = items(120, (i) => ((i * 37) % 23) - 7 + (i % 5 === 0 ? 0.5 : 0));
  for (const kind of ['sum', 'mean', 'count', 'min', 'max', 'var', 'std'] as const) {
    checkPipeline((s) => s.rolling(6, kind, { minPeriods: 2 }), values);
    checkPipeline((s) => s.map((x: number) => x * 2).rolling(5, kind), values);
  }
});

test('frequencies keeps counts per partition and resumes them', () => {
  checkPipeline(
    (s) => s.frequencies(),
    items(60, (i) => ['a', 'b', 'c', 'd'][(i * 5) % 4]),
  );
  checkPipeline(
    (s) => s.frequencies({ namespace: 'objects' }),
    items(40, (i) => ({ id: i % 3 })),
  );
});

test('rolling and frequencies take a namespace', () => {
  const s = new Stream<number>();
  assert.equal(asCheckpointable(s.rolling(3, 'sum')).namespace, 'rolling');
  assert.equal(asCheckpointable(s.rolling(3, 'sum', { namespace: 'r' })).namespace, 'r');
  assert.equal(asCheckpointable(s.frequencies({ namespace: 'f' })).namespace, 'f');
  assert.throws(() => s.rolling(3, 'sum', { namespace: '' }), { code: 'TS_BAD_ARGUMENT' });
});
