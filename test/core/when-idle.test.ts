// Stream.whenIdle and whenGraphIdle: what an application waits for before it checkpoints its state. Each node that
// holds elements asynchronously is busy exactly until it has handed them all on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Stream, VirtualClock, whenGraphIdle } from '../../src/index.ts';

/** Lets pending promise callbacks run. */
const ticks = () => new Promise((r) => setImmediate(r));

/** Whether `p` has settled by now (it must not have been settled for long: callbacks run first). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await ticks();
  return done;
}

describe('whenIdle', () => {
  test('nodes that hand elements on at once, or keep them until more come, are idle', () => {
    const source = new Stream<number>();
    const mapped = source.map((x) => x + 1);
    const zipped = mapped.zip(new Stream<number>());
    const counted = source.partition(3);
    source.emit(1);
    assert.equal(mapped.whenIdle(), null);
    // A zip and a partition hold the element until more input comes: waiting would not help.
    assert.equal(zipped.whenIdle(), null);
    assert.equal(counted.whenIdle(), null);
  });

  test('mapAsync is busy until every result has gone on', async () => {
    const source = new Stream<number>();
    const stage = source.mapAsync(
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 5));
        return 2 * x;
      },
      { parallelism: 8 },
    );
    const out = stage.sinkToList();
    assert.equal(stage.whenIdle(), null);
    for (let i = 0; i < 3; i++) source.emit(i);
    const idle = stage.whenIdle();
    assert.ok(idle instanceof Promise);
    assert.equal(stage.whenIdle(), idle, 'one promise for all who wait');
    assert.deepEqual(out, []);
    await idle;
    assert.deepEqual(out, [0, 2, 4]);
    assert.equal(stage.whenIdle(), null);
  });

  test('mapAsync is busy while its result waits on a slow consumer', async () => {
    const source = new Stream<number>();
    let release!: () => void;
    const stage = source.mapAsync(async (x: number) => x);
    stage.sink(() => new Promise<void>((r) => (release = r)));
    source.emit(1);
    const idle = stage.whenIdle()!;
    await ticks();
    assert.equal(await settled(idle), false);
    release();
    await idle;
    assert.equal(stage.whenIdle(), null);
  });

  test('buffer and latest are busy until their queue is drained', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const buffered = source.buffer(10);
    const newest = source.latest();
    const a = buffered.sinkToList();
    const b = newest.sinkToList();
    for (let i = 0; i < 4; i++) source.emit(i);
    const idle = [buffered.whenIdle()!, newest.whenIdle()!];
    assert.equal(await settled(Promise.all(idle)), false);
    await clock.advance(0);
    await Promise.all(idle);
    assert.deepEqual(a, [0, 1, 2, 3]);
    assert.deepEqual(b, [3]);
    assert.equal(buffered.whenIdle(), null);
    assert.equal(newest.whenIdle(), null);
  });

  test('delay is busy until its last element went on, not through the pause after it', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const paced = source.delay(100);
    const out: [number, number][] = [];
    paced.sink((x) => {
      out.push([x, clock.now()]);
    });
    for (let i = 0; i < 3; i++) source.emit(i);
    const idle = paced.whenIdle()!;
    await clock.advance(150);
    assert.equal(await settled(idle), false);
    await clock.advance(50);
    assert.ok(await settled(idle));
    assert.deepEqual(out, [
      [0, 0],
      [1, 100],
      [2, 200],
    ]);
    assert.equal(paced.whenIdle(), null);
  });

  test('rateLimit is busy while an early element waits for its turn', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const limited = source.rateLimit(100);
    const out = limited.sinkToList();
    source.emit(0);
    assert.equal(limited.whenIdle(), null, 'the first element went through at once');
    void source.emit(1);
    void source.emit(2);
    const idle = limited.whenIdle()!;
    await clock.advance(100);
    assert.equal(await settled(idle), false);
    await clock.advance(100);
    assert.ok(await settled(idle));
    assert.deepEqual(out, [0, 1, 2]);
  });

  test('timedWindow is busy while elements wait for the next tick, idle when none wait', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const batches = source.timedWindow(100);
    const out = batches.sinkToList();
    assert.equal(batches.whenIdle(), null);
    source.emit(0); // the graph starts with its first element: the first tick comes on the next turn
    await clock.advance(0);
    assert.deepEqual(out, [[0]]);
    assert.equal(batches.whenIdle(), null);
    source.emit(1);
    const idle = batches.whenIdle()!;
    await clock.advance(99);
    assert.equal(await settled(idle), false);
    await clock.advance(1);
    assert.ok(await settled(idle));
    assert.deepEqual(out.at(-1), [1]);
    assert.equal(batches.whenIdle(), null);
    batches.stop();
  });
});

describe('whenIdle of toFrames', () => {
  test('busy while rows wait for the interval, idle when they wait only for more rows', async () => {
    const clock = new VirtualClock();
    const source = new Stream<{ v: number }>({ clock });
    const timed = source.toFrames({ interval: 100 }).stream;
    const sized = source.toFrames({ size: 10 }).stream;
    const frames = timed.sinkToList();
    source.emit({ v: 1 });
    assert.equal(sized.whenIdle(), null);
    const idle = timed.whenIdle()!;
    await clock.advance(99);
    assert.equal(await settled(idle), false);
    await clock.advance(1);
    assert.ok(await settled(idle));
    assert.equal(frames.length, 1);
    assert.equal(timed.whenIdle(), null);
  });
});

describe('whenGraphIdle', () => {
  test('waits for holders in a chain: draining one feeds the next', async () => {
    const clock = new VirtualClock();
    const source = new Stream<number>({ clock });
    const out = source
      .mapAsync(
        async (x: number) => {
          await new Promise((r) => setTimeout(r, 2));
          return x;
        },
        { parallelism: 4 },
      )
      .buffer(100)
      .delay(10)
      .sinkToList();
    for (let i = 0; i < 4; i++) source.emit(i);
    let idle = false;
    const waiting = whenGraphIdle([source]).then(() => (idle = true));
    // The mapAsync lets its results go by real timers, the buffer and the delay on the virtual clock.
    while (!idle) {
      await new Promise((r) => setTimeout(r, 3));
      await clock.advance(10);
    }
    await waiting;
    assert.deepEqual(out, [0, 1, 2, 3]);
    for (const node of [source, ...source.downstreams]) assert.equal(node.whenIdle(), null);
  });

  test('waits for the nodes of an error branch (catch()) too', async () => {
    const source = new Stream<number>();
    const checked = source.map((x) => {
      if (x < 0) throw new Error('negative');
      return x;
    });
    const kept = checked.sinkToList();
    const dead = checked
      .catch()
      .mapAsync(async (e) => {
        await new Promise((r) => setTimeout(r, 5));
        return e.value;
      })
      .sinkToList();
    for (const x of [1, -2, 3, -4]) source.emit(x);
    await whenGraphIdle([source]);
    assert.deepEqual(kept, [1, 3]);
    assert.deepEqual(dead, [-2, -4]);
  });

  test('settles at once when nothing is held', async () => {
    const source = new Stream<number>();
    source.map((x) => x).sinkToList();
    assert.ok(await settled(whenGraphIdle([source])));
  });
});
