// `await source.done` waits for toFrames' last frame and for the final flush of window engines on frames.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { count, type Frame, Stream, sum } from '../../src/index.ts';

const rows = Array.from({ length: 1000 }, (_, i) => ({ ts: i * 10, sensor: `s${i % 4}`, v: i }));

/** A sink that takes a turn of the event loop per element. */
function slowInto<T>(out: T[]): (x: T) => Promise<void> {
  return async (x) => {
    await turn();
    out.push(x);
  };
}

describe('done: frames', () => {
  test('toFrames({ size }): the last, partial frame reached the sink', async () => {
    const frames: Frame[] = [];
    const source = Stream.fromIterable(rows);
    source.buffer(64).toFrames({ size: 300, time: 'ts' }).stream.sink(slowInto(frames));
    source.start();
    await source.done;
    assert.deepEqual(
      frames.map((f) => f.length),
      [300, 300, 300, 100],
    );
  });

  test('toFrames({ interval }): rows waiting for the clock are flushed at the end', async () => {
    const frames: Frame[] = [];
    const source = Stream.fromIterable(rows);
    source.toFrames({ interval: '1h', time: 'ts' }).stream.sink(slowInto(frames));
    source.start();
    await source.done;
    assert.equal(
      frames.reduce((a, f) => a + f.length, 0),
      1000,
    );
  });

  test('tumbling windows on frames (vectorised) and count windows (row engine) emit their last windows', async () => {
    const timed: { n: number; total: number }[] = [];
    const counted: { n: number }[] = [];
    const source = Stream.fromIterable(rows);
    const sf = source.buffer(16).toFrames({ size: 128, time: 'ts' });
    sf.tumblingWindow('1s', { key: 'sensor', value: 'v' })
      .agg({ n: count(), total: sum() })
      .final()
      .sink(slowInto(timed));
    sf.tumblingCountWindow(7, { key: 'sensor', value: 'v' }).agg({ n: count() }).final().sink(slowInto(counted));
    source.start();
    await source.done;
    assert.equal(
      timed.reduce((a, w) => a + w.n, 0),
      1000,
    );
    assert.equal(
      timed.reduce((a, w) => a + w.total, 0),
      (999 * 1000) / 2,
    );
    assert.equal(
      counted.reduce((a, w) => a + w.n, 0),
      1000,
    );
  });
});
