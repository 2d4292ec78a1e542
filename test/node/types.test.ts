// Types are tested too: `npm run typecheck` compiles this file, and each @ts-expect-error must meet an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Stream, Stream as StreamClass } from '../../src/core/index.ts';
import { workerTask } from '../../src/node/index.ts';
import type * as stages from './fixtures/stages.ts';

test("a worker task's result is typed from the function it names; untyped, it is unknown, not any", () => {
  const stageFile = new URL('./fixtures/stages.ts', import.meta.url);
  const later = workerTask<typeof stages.later>(stageFile, 'later');
  const source = new StreamClass<number>();
  const doubled: Stream<number> = source.map(later); // the promise is awaited on the worker: a number arrives
  const untyped = workerTask(stageFile, 'double');
  // @ts-expect-error without its type, a task's result is unknown: it must be narrowed before use
  const wrong: Stream<number> = source.map(untyped);
  // @ts-expect-error a task typed for numbers does not take strings
  new StreamClass<string>().map(later);
  assert.equal(typeof later, 'function');
  assert.ok(doubled && wrong);
});
