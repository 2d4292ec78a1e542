// Stateful apply, peek and filter (Quix Streams' `stateful=True`): per-key state from the record's metadata or a
// key option, per partition, checkpointed into a store and restored from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCheckpointable, type State, Stream } from '../../../src/core/index.ts';
import { MemoryStateStore } from '../../../src/state/index.ts';

/** Metadata as a Kafka source makes it: the record's partition and raw key. */
const md = (partition: number, key: string) => [{ partition, kafkaKey: Buffer.from(key) }];

function runningTotal(x: number, state: State<{ total: number }>): number {
  const total = state.get('total', 0) + x;
  state.set('total', total);
  return total;
}

test('apply stateful keeps a total per record key and per partition', () => {
  const source = new Stream<number>();
  const out = source.apply(runningTotal, { stateful: true }).sinkToList();
  source.emit(1, md(0, 'a'));
  source.emit(2, md(0, 'b'));
  source.emit(3, md(0, 'a'));
  source.emit(4, md(1, 'a')); // another partition: its own state
  source.emit(5, md(0, 'b'));
  assert.deepEqual(out, [1, 2, 4, 4, 7]);
});

test('the state survives a checkpoint into a store and a restore into a new node', () => {
  const store = new MemoryStateStore();
  const first = new Stream<number>();
  const a = first.apply(runningTotal, { stateful: true, namespace: 'totals' });
  assert.ok(isCheckpointable(a));
  first.emit(10, md(0, 'k'));
  first.emit(5, md(1, 'k'));
  store.transaction((tx) => a.checkpoint(tx));
  first.emit(100, md(0, 'k')); // after the checkpoint: lost with the process
  const second = new Stream<number>();
  const b = second.apply(runningTotal, { stateful: true, namespace: 'totals' });
  const out = b.sinkToList();
  b.restorePartition(store, 0);
  second.emit(1, md(0, 'k'));
  second.emit(1, md(1, 'k')); // partition 1 was not restored here
  assert.deepEqual(out, [11, 1]);
  b.dropPartition(0);
  second.emit(1, md(0, 'k'));
  assert.deepEqual(out, [11, 1, 1]);
});

test('a deleted name is deleted from the store at the next checkpoint', () => {
  const store = new MemoryStateStore();
  const source = new Stream<string>();
  const node = source.peek(
    (x: string, state: State<{ last: string }>) => (x === 'reset' ? state.delete('last') : state.set('last', x)),
    { stateful: true, key: () => 'one' },
  );
  source.emit('a');
  store.transaction((tx) => node.checkpoint(tx));
  assert.deepEqual([...store.entries('state', 0)], [['["one","last"]', 'a']]);
  source.emit('reset');
  store.transaction((tx) => node.checkpoint(tx));
  assert.deepEqual([...store.entries('state', 0)], []);
});

test('peek passes the element on; filter keeps what the predicate says, with state', () => {
  const source = new Stream<{ id: string; v: number }>();
  const seen: number[] = [];
  const firstOfEach = source
    .peek((r) => seen.push(r.v))
    .filter(
      (_r, state: State<{ seen: boolean }>) => {
        const first = !state.has('seen');
        state.set('seen', true);
        return first;
      },
      { stateful: true, key: 'id' },
    )
    .sinkToList();
  for (const [id, v] of [
    ['a', 1],
    ['b', 2],
    ['a', 3],
    ['c', 4],
    ['b', 5],
  ] as const)
    source.emit({ id, v });
  assert.deepEqual(
    firstOfEach.map((r) => r.v),
    [1, 2, 4],
  );
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});

test('apply without options is map; stateful options are checked', () => {
  const source = new Stream<number>();
  const out = source.apply((x) => x * 2).sinkToList();
  source.emit(21);
  assert.deepEqual(out, [42]);
  assert.throws(
    () => source.apply((x: number) => x, { stateful: true, namespace: '' }),
    (e: any) => e.code === 'TS_BAD_ARGUMENT' && /namespace/.test(e.message),
  );
  assert.throws(
    () => source.apply('no' as never, { stateful: true }),
    (e: any) => e.code === 'TS_BAD_ARGUMENT' && /fn/.test(e.message),
  );
});

test('State is typed: a wrong value type does not compile (npm run typecheck)', () => {
  const source = new Stream<number>();
  const node = source.apply(
    (x, state: State<{ total: number }>) => {
      // @ts-expect-error a string is not the number the state holds under 'total'
      state.set('total', 'many');
      // @ts-expect-error 'count' is not a name of this state
      state.get('count', 0);
      return x;
    },
    { stateful: true },
  );
  const out: Stream<number> = node;
  assert.ok(isCheckpointable(out));
});
