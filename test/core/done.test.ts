// `await source.done` settles once the graph has let go of everything the source emitted: every holding node has
// handed on what it held, and every async sink has settled. One test per holding operator of the core.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as turn, setTimeout as wait } from 'node:timers/promises';
import { RefCounter, Source, Stream, VirtualClock } from '../../src/index.ts';

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A sink that takes a turn of the event loop per element (a database insert, say). */
function slowInto<T>(out: T[]): (x: T) => Promise<void> {
  return async (x) => {
    await turn();
    out.push(x);
  };
}

describe('done: the graph has let go', () => {
  test("the README's back-pressure example finds every row inserted", async () => {
    const inserted: number[] = [];
    const database = {
      insert: async (r: number) => {
        await turn();
        inserted.push(r);
      },
    };
    const source = Stream.fromIterable(range(5000));
    source.buffer(1000).sink(async (r) => await database.insert(r)); // at most 1000 waiting
    source.start();
    await source.done;
    assert.equal(inserted.length, 5000);
    assert.deepEqual(inserted.slice(-3), [4997, 4998, 4999]);
  });

  test('ended settles when the source is through, before a buffer has drained', async () => {
    const out: number[] = [];
    const source = Stream.fromIterable(range(50));
    source.buffer(100).sink(slowInto(out));
    source.start();
    await source.ended;
    assert.ok(out.length < 50, `${out.length} of 50 already through`);
    await source.done;
    assert.equal(out.length, 50);
  });

  test('mapAsync: every call has handed on its result', async () => {
    const out: number[] = [];
    const source = Stream.fromIterable(range(40));
    source
      .mapAsync(
        async (x) => {
          await wait(1);
          return 2 * x;
        },
        { parallelism: 8 },
      )
      .sink(slowInto(out));
    source.start();
    await source.done;
    assert.deepEqual(
      out,
      range(40).map((x) => 2 * x),
    );
  });

  test('partition: the last partial batch is flushed at the end and its async sink awaited', async () => {
    const out: number[][] = [];
    const source = Stream.fromIterable(range(10));
    source.buffer(4).partition(3).sink(slowInto(out));
    source.start();
    await source.done;
    assert.deepEqual(out, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  test('a catch() branch ends with the node it catches for: its last partial batch is flushed and awaited', async () => {
    const good: number[] = [];
    const errors: number[][] = [];
    const source = Stream.fromIterable(range(10));
    const checked = source.buffer(4).map((x: number) => {
      if (x % 3 === 0) throw new Error(`bad ${x}`);
      return x;
    });
    checked.sink((x) => void good.push(x));
    // 0, 3, 6 and 9 fail: a batch of three, then the 9 alone, which only the end hands on.
    checked
      .catch()
      .map((e) => e.value as number)
      .partition(3)
      .sink(slowInto(errors));
    source.start();
    await source.done;
    assert.deepEqual(good, [1, 2, 4, 5, 7, 8]);
    assert.deepEqual(errors, [[0, 3, 6], [9]]);
  });

  test('timedWindow: the final flush comes after the buffer before it has drained', async () => {
    const out: number[][] = [];
    const source = Stream.fromIterable(range(30));
    source.buffer(50).timedWindow('1h').sink(slowInto(out));
    source.start();
    await source.done;
    assert.deepEqual(out.flat(), range(30));
  });

  test('timedWindowUnique: the final flush is awaited', async () => {
    const out: number[][] = [];
    const source = Stream.fromIterable([1, 2, 1, 3, 2]);
    source.timedWindowUnique('1h', { keep: 'last' }).sink(slowInto(out));
    source.start();
    await source.done;
    assert.deepEqual(out.flat(), [1, 3, 2]);
  });

  test('delay and rateLimit: every element has gone through', async () => {
    const delayed: number[] = [];
    const limited: number[] = [];
    const source = Stream.fromIterable(range(5));
    source.delay('2ms').sink(slowInto(delayed));
    source.rateLimit('1ms').sink(slowInto(limited));
    source.start();
    await source.done;
    assert.deepEqual(delayed, range(5));
    assert.deepEqual(limited, range(5));
  });

  test('metadata references are all released when done settles', async () => {
    const refs = range(20).map(() => new RefCounter());
    class Records extends Source<number> {
      protected async run(): Promise<void> {
        for (let i = 0; i < refs.length; i++) {
          const r = this.emit(i, [{ ref: refs[i]! }]);
          if (r !== undefined) await r;
        }
      }
    }
    const source = new Records();
    const out: number[][] = [];
    source.buffer(5).partition(6).sink(slowInto(out));
    source.start();
    await source.done;
    assert.deepEqual(out.flat(), range(20));
    assert.deepEqual(
      refs.map((r) => r.count),
      range(20).map(() => 0),
    );
  });

  test('an error from an async sink while flushing at the end rejects done', async () => {
    const source = Stream.fromIterable([1, 2, 3]);
    source.partition(10).sink(async () => {
      await wait(0);
      throw new Error('disk full');
    });
    source.start();
    await assert.rejects(source.done, /disk full/);
  });

  test('done asked only after the flush at the end failed rejects too', async () => {
    const source = Stream.fromIterable([1, 2, 3]);
    source.partition(10).sink(async () => {
      await turn();
      throw new Error('disk full');
    });
    source.start();
    await source.ended;
    for (let i = 0; i < 5; i++) await turn();
    await assert.rejects(source.done, /disk full/);
  });
});

describe('timers start when the graph starts', () => {
  test('timedWindow sets no timer when built; the grid starts with the source', async () => {
    const clock = new VirtualClock();
    const source = Stream.fromIterable([1, 2], { clock });
    const out = source.timedWindow(100).sinkToList();
    await clock.advance(50);
    assert.equal(clock.pending, 0);
    source.start();
    assert.equal(clock.pending, 1);
    await source.done;
    assert.deepEqual(out.flat(), [1, 2]);
    assert.equal(clock.pending, 0);
  });

  test('a graph fed by hand starts at its first element', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const windows = source.timedWindowUnique(100);
    const out = windows.sinkToList();
    await clock.advance(30);
    assert.equal(clock.pending, 0);
    source.emit(1);
    await clock.advance(0);
    source.emit(2);
    await clock.advance(100);
    assert.deepEqual(out, [[1], [2]]);
    windows.stop();
    assert.equal(clock.pending, 0);
  });
});
