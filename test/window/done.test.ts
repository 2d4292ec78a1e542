// `await source.done` waits for the final flush of event-time windows and joins, and for what it emitted to settle.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { count, Stream, sum } from '../../src/index.ts';

interface Reading {
  timestamp: number;
  sensor: string;
  value: number;
}

const readings: Reading[] = Array.from({ length: 100 }, (_, i) => ({
  timestamp: i * 100,
  sensor: `s${i % 3}`,
  value: i,
}));

/** A sink that takes a turn of the event loop per element. */
function slowInto<T>(out: T[]): (x: T) => Promise<void> {
  return async (x) => {
    await turn();
    out.push(x);
  };
}

describe('done: event-time windows and joins', () => {
  test('tumblingWindow final(): every window, the last ones from the flush at the end, reached the sink', async () => {
    const out: { key: unknown; n: number; total: number }[] = [];
    const source = Stream.fromIterable(readings);
    source
      .buffer(10)
      .tumblingWindow('1s', { key: 'sensor', value: 'value' })
      .agg({ n: count(), total: sum() })
      .final()
      .sink(slowInto(out));
    source.start();
    await source.done;
    assert.equal(
      out.reduce((a, w) => a + w.n, 0),
      100,
    );
    assert.equal(
      out.reduce((a, w) => a + w.total, 0),
      (99 * 100) / 2,
    );
  });

  test('sessionWindow and slidingTimeWindow flush at the end too', async () => {
    const sessions: unknown[] = [];
    const sliding: unknown[] = [];
    const source = Stream.fromIterable(readings);
    const buffered = source.buffer(7);
    buffered.sessionWindow('10s', { key: 'sensor', value: 'value' }).count().final().sink(slowInto(sessions));
    buffered.slidingTimeWindow('1s', { value: 'value' }).count().final().sink(slowInto(sliding));
    source.start();
    await source.done;
    assert.equal(sessions.length, 3); // one session per sensor, closed by the end
    assert.ok(sliding.length > 0);
  });

  test('joinAsof and joinInterval: the elements they hold are resolved at the end', async () => {
    // The right side stops early: the left elements after it wait for the end of the input.
    const left = Stream.fromIterable(readings.slice(0, 40));
    const right = Stream.fromIterable(readings.slice(0, 10).map((r) => ({ ...r, timestamp: r.timestamp + 50 })));
    const asof: unknown[] = [];
    const pairs: unknown[] = [];
    left
      .joinAsof(right, { grace: '1h', how: 'left', merge: (l: Reading, r?: Reading) => [l.value, r?.value] })
      .sink(slowInto(asof));
    left
      .joinInterval(right, { backward: 60, forward: 60, merge: (l: Reading, r: Reading) => [l.value, r.value] })
      .sink(slowInto(pairs));
    left.start();
    right.start();
    await Promise.all([left.done, right.done]);
    assert.equal(asof.length, 40);
    assert.deepEqual(asof.at(-1), [39, 9]);
    assert.equal(pairs.length, 10 + 10); // r_i is 50 after l_i, and 50 before l_{i+1}
  });

  test('mergeSorted: what it held until the end has gone on', async () => {
    // b stops early: a's later elements wait for b's end, then go on after it.
    const a = Stream.fromIterable(readings.filter((r) => r.value % 2 === 0));
    const b = Stream.fromIterable(readings.filter((r) => r.value % 2 === 1 && r.value < 20));
    const out: number[] = [];
    a.mergeSorted(b)
      .map((r: Reading) => r.value)
      .sink(slowInto(out));
    a.start();
    b.start();
    await Promise.all([a.done, b.done]);
    assert.equal(out.length, 50 + 10);
    assert.equal(out.at(-1), 98);
  });
});
