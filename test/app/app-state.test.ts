// The application finds its state by the Checkpointable contract and refuses, before touching the broker, a node
// that keeps records without it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateNodesBelow } from '../../src/app/app-state.ts';
import { Application } from '../../src/app/index.ts';
import { count } from '../../src/window/index.ts';

const app = () => new Application({ brokers: '127.0.0.1:1', groupId: 'g', timeout: 1000 });

test('state is found by contract: windows, accumulate, partition and stateful apply below each input', () => {
  const a = app();
  const s = a.stream(a.topic<string, number>('in', { value: 'json' }));
  s.map((r) => r.value)
    .accumulate((t: number, x: number) => t + x, { start: 0 })
    .partition(2)
    .apply((xs: number[], state) => state.set('last', xs), { stateful: true });
  s.tumblingWindow('1s', { namespace: 'w' }).agg({ n: count() }).final();
  const found = stateNodesBelow(new Map([['in', s]]));
  assert.deepEqual(found.checkpointable.map((c) => c.node.namespace).sort(), ['accumulate', 'partition', 'state', 'w']);
  assert.ok(found.checkpointable.every((c) => c.topic === 'in'));
  assert.deepEqual(found.unsafe, []);
});

test('an application with state refuses a node that keeps records without checkpointing them', async () => {
  const a = app();
  const input = a.topic<string, number>('in', { value: 'json' });
  const s = a.stream(input);
  const other = s.map((r) => r.value);
  s.map((r) => r.value)
    .zip(other)
    .named('pairs')
    .apply((p, state) => state.set('p', p), { stateful: true });
  await assert.rejects(
    a.run({ count: 1 }),
    (e: any) =>
      e.code === 'TS_APP_NOT_CHECKPOINTABLE' &&
      /"pairs" \(zip\)/.test(e.message) &&
      /records until every input has one/.test(e.message) &&
      /changelog: false/.test(e.message),
  );
});

test('two stateful nodes with one namespace are refused', async () => {
  const a = app();
  const s = a.stream(a.topic('in'));
  s.apply((_x, state) => state.set('a', 1), { stateful: true });
  s.apply((_x, state) => state.set('b', 1), { stateful: true });
  await assert.rejects(
    a.run({ count: 1 }),
    (e: any) => e.code === 'TS_APP_STATE' && /namespace "state"/.test(e.message),
  );
});
