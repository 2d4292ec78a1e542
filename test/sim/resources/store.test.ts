import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment, FilterStore, PriorityItem, PriorityStore, Store } from '../../../src/sim/index.ts';

test('a priority store hands out the smallest item first, equal ones in arrival order', () => {
  const env = new Environment();
  const jobs = new PriorityStore<PriorityItem<string>>(env);
  const got: string[] = [];
  for (const [p, name] of [
    [5, 'e1'],
    [1, 'a1'],
    [5, 'e2'],
    [1, 'a2'],
    [3, 'c'],
  ] as const)
    jobs.put(new PriorityItem(p, name));
  env.process(
    (function* () {
      for (let i = 0; i < 5; i++) {
        const it: PriorityItem<string> = yield jobs.get();
        got.push(it.item);
      }
    })(),
  );
  env.run();
  assert.deepEqual(got, ['a1', 'a2', 'c', 'e1', 'e2']);
});

test('a priority store accepts a custom order', () => {
  const env = new Environment();
  const s = new PriorityStore<number>(env, { compare: (a, b) => b - a });
  for (const n of [2, 9, 4]) s.put(n);
  assert.deepEqual(s.items, [9, 4, 2]);
  assert.throws(() => new PriorityStore(env, { compare: 3 as any }), { code: 'TS_BAD_ARGUMENT' });
});

test('growing a full store accepts the waiting puts', () => {
  const env = new Environment();
  const s = new Store<string>(env, { capacity: 1, maxCapacity: 3 });
  s.put('a');
  const b = s.put('b');
  const c = s.put('c');
  assert.deepEqual(s.items, ['a']);
  s.capacity = 3;
  assert.deepEqual(s.items, ['a', 'b', 'c']);
  assert.ok(b.triggered && c.triggered);
});

test('a filter store rejects a filter that is not a function; a cancelled get receives nothing', () => {
  const env = new Environment();
  const s = new FilterStore<number>(env);
  assert.throws(() => s.get(7 as any), { code: 'TS_BAD_ARGUMENT' });
  const g = s.get((n) => n > 5);
  g.cancel();
  s.put(9);
  env.run();
  assert.equal(g.triggered, false);
  assert.deepEqual(s.items, [9]);
});
