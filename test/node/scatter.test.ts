// scatter()/gather(): the stages between them run on worker threads, in order, with bounded work in flight.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { RefCounter, Stream, type StreamErrorInfo, TwinstreamError } from '../../src/index.ts';
import { workerTask } from '../../src/node/index.ts';
import type * as stages from './fixtures/stages.ts';

const STAGES = new URL('./fixtures/stages.ts', import.meta.url);
const double = workerTask<typeof stages.double>(STAGES, 'double');
const spin = workerTask<typeof stages.spin>(STAGES, 'spin');
const failOnThree = workerTask<typeof stages.failOnThree>(STAGES, 'failOnThree');
const later = workerTask<typeof stages.later>(STAGES, 'later');

/** Everything `stream` emits until it ends. */
async function drain<T>(stream: Stream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('scatter/gather', () => {
  test('results come out in input order although workers finish out of order', async () => {
    const source = Stream.fromIterable(range(40));
    const gathered = source.scatter({ workers: 4 }).map(later).map(double).gather();
    const done = drain(gathered);
    source.start();
    assert.deepEqual(
      await done,
      range(40).map((x) => 2 * x),
    );
  });

  test('the work runs on worker threads, several of them', async () => {
    const source = Stream.fromIterable(range(16));
    const gathered = source.scatter({ workers: 3 }).map(spin, 20).gather();
    const done = drain(gathered);
    source.start();
    const out = await done;
    assert.deepEqual(
      out.map((r) => r.x),
      range(16),
    );
    const threads = new Set(out.map((r) => r.threadId));
    assert.ok(!threads.has(threadId), `main thread ${threadId} must not run a stage`);
    assert.ok(threads.size >= 2, `expected several worker threads, got ${[...threads]}`);
    assert.ok(threads.size <= 3, `expected at most 3 worker threads, got ${[...threads]}`);
  });

  test('emit returns a promise once workers + maxQueue elements are in flight (back pressure)', async () => {
    const source = new Stream<number>();
    const scattered = source.scatter({ workers: 2, maxQueue: 1 });
    const out = scattered.map(spin, 30).gather().sinkToList();
    assert.equal(source.emit(0), undefined);
    assert.equal(source.emit(1), undefined);
    const third = source.emit(2);
    assert.ok(third instanceof Promise, 'the third element fills the section: emit must return a promise');
    assert.equal(scattered.inFlight, 3);
    await third;
    assert.ok(scattered.inFlight <= 2);
    // A source that awaits each emit never has more than 3 elements in flight.
    let most = 0;
    for (const x of range(12).map((i) => i + 3)) {
      const r = source.emit(x);
      most = Math.max(most, scattered.inFlight);
      if (r !== undefined) await r;
    }
    assert.equal(most, 3);
    while (out.length < 15) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      out.map((r) => r.x),
      range(15),
    );
    await scattered.close();
  });

  test('a failing element with no error branch makes the next emit throw, naming the stage and the cause', async () => {
    const source = new Stream<number>();
    const scattered = source.scatter({ workers: 2, maxQueue: 2 });
    const out = scattered.map(failOnThree).named('check').gather().sinkToList();
    for (const x of [1, 2, 3]) assert.equal(source.emit(x), undefined);
    while (scattered.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
    assert.throws(
      () => source.emit(4),
      (e: unknown) => {
        assert.ok(e instanceof TwinstreamError);
        assert.equal(e.code, 'TS_WORKER_FAILED');
        assert.match(e.message, /^check failed on worker thread \d+: three is not allowed \(got 3\)$/);
        assert.ok(e.cause instanceof Error);
        assert.equal(e.cause.name, 'RangeError');
        assert.notEqual(e.context?.threadId, threadId);
        return true;
      },
    );
    await source.emit(5); // the error was reported once; the section goes on
    while (scattered.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
    await scattered.close();
    assert.deepEqual(out, [1001, 1002, 1005]);
  });

  test('an emitter waiting for a slot receives the failure as the rejection of its promise', async () => {
    const source = new Stream<number>();
    const scattered = source.scatter({ workers: 1, maxQueue: 0 });
    const out = scattered.map(failOnThree).gather().sinkToList();
    await source.emit(1);
    await assert.rejects(async () => await source.emit(3), { code: 'TS_WORKER_FAILED', message: /three/ });
    await source.emit(4);
    await scattered.close();
    assert.deepEqual(out, [1001, 1004]);
  });

  test("a failing element goes to the failing stage's error branch, and the stream goes on", async () => {
    const source = Stream.fromIterable(range(6));
    const errors: StreamErrorInfo[] = [];
    const scattered = source.scatter({ workers: 2 });
    const stage = scattered
      .map(double)
      .map((x: number) => x + 1)
      .map(failOnThree)
      .onError((info) => void errors.push(info));
    const done = drain(stage.gather());
    source.start();
    assert.deepEqual(await done, [1001, 1005, 1007, 1009, 1011]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.value, 3, 'the value is the element as the failing stage received it');
    assert.equal(errors[0]!.node, stage);
    assert.equal(errors[0]!.error.code, 'TS_WORKER_FAILED');
  });

  test('without a branch on the stage, gather().catch() receives the failure with the original element', async () => {
    const source = Stream.fromIterable([1, 3, 5]);
    const gathered = source.scatter({ workers: 2 }).map(failOnThree).gather();
    const dead = gathered.catch().sinkToList();
    const done = drain(gathered);
    source.start();
    assert.deepEqual(await done, [1001, 1005]);
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.value, 3);
    assert.match(dead[0]!.error.message, /three is not allowed/);
  });

  test('self-contained functions are sent by source; filter, remove, starmap and flatten run there too', async () => {
    const source = Stream.fromIterable(range(8));
    const gathered = source
      .scatter({ workers: 2 })
      .map((x: number) => [x, x * 10])
      .starmap((a: number, b: number, c: number) => a + b + c, 1000)
      .filter((x: number) => x % 2 === 0)
      .remove((x: number) => x === 1022)
      .map((x: number) => [x, -x])
      .flatten()
      .gather();
    const done = drain(gathered);
    source.start();
    assert.deepEqual(await done, [1000, -1000, 1044, -1044, 1066, -1066]);
  });

  test('a function sent by source cannot reach local variables: each element fails with a ReferenceError', async () => {
    const local = 7;
    const source = Stream.fromIterable([1, 2]);
    const gathered = source
      .scatter({ workers: 1 })
      .map((x: number) => x + local)
      .gather();
    const dead = gathered.catch().sinkToList();
    const done = drain(gathered);
    source.start();
    assert.deepEqual(await done, []);
    assert.equal(dead.length, 2);
    assert.equal((dead[0]!.error.cause as Error).name, 'ReferenceError');
  });

  test('an export that is not a function fails each element with the reason', async () => {
    const source = Stream.fromIterable([1]);
    const gathered = source.scatter({ workers: 1 }).map(workerTask(STAGES, 'notAFunction')).gather();
    const dead = gathered.catch().sinkToList();
    const done = drain(gathered);
    source.start();
    await done;
    assert.match(dead[0]!.error.message, /has no function export named "notAFunction"/);
  });

  test('metadata is held while the element is in the pool and released after it comes out', async () => {
    const source = new Stream<number>();
    const seen: number[] = [];
    const scattered = source.scatter({ workers: 1 });
    scattered
      .map(double)
      .gather()
      .sink((x) => void seen.push(x));
    let zeros = 0;
    const ref = new RefCounter(() => zeros++);
    await source.emit(21, [{ ref }]);
    assert.equal(ref.count, 1, 'in flight: the scatter node holds it');
    while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [42]);
    assert.equal(ref.count, 0);
    assert.equal(zeros, 1);
    await scattered.close();
  });

  test('a workerTask called on the main thread throws', () => {
    assert.throws(() => double(1), { code: 'TS_WORKER_TASK_MAIN_THREAD' });
  });

  test('bad arguments and unsupported stages fail at construction', () => {
    const source = new Stream<number>();
    assert.throws(() => source.scatter({ workers: 0 }), { code: 'TS_BAD_ARGUMENT', message: /workers = 0/ });
    assert.throws(() => source.scatter({ maxQueue: -1 }), { code: 'TS_BAD_ARGUMENT', message: /maxQueue = -1/ });
    assert.throws(() => workerTask('./stages.ts', 'x'), { code: 'TS_BAD_ARGUMENT', message: /import\.meta\.url/ });
    assert.throws(() => source.map((x) => x).gather(), { code: 'TS_GATHER_WITHOUT_SCATTER' });
    assert.throws(
      () =>
        source
          .scatter()
          .accumulate((a: number, b: number) => a + b)
          .gather(),
      {
        code: 'TS_SCATTER_STAGE',
        message: /accumulate#\d+ cannot run on worker threads/,
      },
    );
    assert.throws(() => source.scatter().map(Math.sqrt).gather(), {
      code: 'TS_SCATTER_FUNCTION',
      message: /has no source to send/,
    });
    const branched = source.scatter().map((x: number) => x);
    branched.sinkToList();
    assert.throws(() => branched.gather(), { code: 'TS_SCATTER_STAGE', message: /branches/ });
    const noGather = new Stream<number>();
    noGather.scatter().map((x: number) => x);
    assert.throws(() => noGather.emit(1), { code: 'TS_SCATTER_OPEN' });
  });
});
