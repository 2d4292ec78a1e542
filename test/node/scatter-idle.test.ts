// scatter()'s whenIdle: busy while a job is in the pool or its results go on through gather(), as an application
// waits for it before it checkpoints its state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stream, whenGraphIdle } from '../../src/index.ts';
import { workerTask } from '../../src/node/index.ts';
import type * as stages from './fixtures/stages.ts';

const later = workerTask<typeof stages.later>(new URL('./fixtures/stages.ts', import.meta.url), 'later');

test('scatter is busy until every job has come out of gather()', async () => {
  const source = new Stream<number>();
  const scattered = source.scatter({ workers: 2, maxQueue: 8 });
  const out = scattered.map(later).gather().sinkToList();
  try {
    assert.equal(scattered.whenIdle(), null);
    for (let i = 0; i < 6; i++) source.emit(i);
    const idle = scattered.whenIdle();
    assert.ok(idle instanceof Promise);
    await whenGraphIdle([source]);
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
    assert.equal(scattered.whenIdle(), null);
  } finally {
    await scattered.close();
  }
});
