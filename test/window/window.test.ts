import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mean,
  percentile,
  RefCounter,
  Stream,
  std,
  sum,
  TwinstreamError,
  VirtualClock,
  variance,
} from '../../src/index.ts';
import { aggregate, median, type WindowDefaults, windowDefaults } from '../../src/window/index.ts';

interface Reading {
  timestamp: number;
  sensor?: string;
  value: number;
}

describe('aggregators', () => {
  it('skip null and undefined, propagate NaN', () => {
    assert.equal(aggregate(sum(), [1, null, undefined, 2]), 3);
    assert.ok(Number.isNaN(aggregate(sum(), [1, Number.NaN, 2])));
    assert.ok(Number.isNaN(aggregate(mean(), [1, Number.NaN])));
    assert.equal(aggregate(mean(), [null]), null);
  });

  it('var, std, median and percentile agree with numpy/pandas', () => {
    assert.equal(aggregate(variance(), [1, 2, 3, 4]), 1.6666666666666667);
    assert.equal(aggregate(std(), [2, 4, 4, 4, 5, 5, 7, 9]), 2.138089935299395);
    assert.equal(aggregate(median(), [5, 1, 3]), 3);
    assert.equal(aggregate(percentile(90), [1, 2, 3, 4, 5]), 4.6);
    assert.equal(aggregate(variance(), [1]), null);
  });

  it('remove undoes add (sliding use)', () => {
    const v = variance();
    let s = v.init();
    for (const x of [1, 2, 3, 4, 10]) s = v.add(s, x, 0);
    s = v.remove!(s, 10, 0);
    assert.ok(Math.abs((v.result(s) as number) - 1.6666666666666667) < 1e-12);
  });
});

describe('tumblingWindow', () => {
  it('emits { key, start, end, value } per key when the watermark passes the end', () => {
    const s = new Stream<Reading>();
    const out = s.tumblingWindow('10s', { key: 'sensor', value: 'value' }).mean().final().sinkToList();
    s.emit({ timestamp: 1000, sensor: 'a', value: 1 });
    s.emit({ timestamp: 2000, sensor: 'b', value: 10 });
    s.emit({ timestamp: 9000, sensor: 'a', value: 3 });
    s.emit({ timestamp: 10_000, sensor: 'a', value: 5 });
    assert.deepEqual(out, [{ key: 'a', start: 0, end: 10_000, value: 2 }]);
  });

  it('sends an element with a bad timestamp to the error branch, with the reason, window state untouched', () => {
    const s = new Stream<any>();
    const w = s.tumblingWindow(10, { value: 'value' }).sum().current();
    const out = w.sinkToList();
    const errors: { code: string; value: unknown }[] = [];
    w.onError(({ error, value }) => void errors.push({ code: error.code, value }));
    s.emit({ timestamp: 1, value: 1 });
    s.emit({ value: 2 });
    s.emit({ timestamp: 'yesterday-ish', value: 3 });
    s.emit({ timestamp: Number.POSITIVE_INFINITY, value: 4 });
    s.emit({ timestamp: '1970-01-01T00:00:00.005Z', value: 5 });
    assert.deepEqual(
      errors.map((e) => e.code),
      ['TS_BAD_TIMESTAMP', 'TS_BAD_TIMESTAMP', 'TS_BAD_TIMESTAMP'],
    );
    assert.deepEqual(errors[0]!.value, { value: 2 });
    assert.deepEqual(
      out.map((o: any) => o.value),
      [1, 6],
    );
  });

  it('without an error branch, a bad timestamp throws at the emitter', () => {
    const s = new Stream<any>();
    s.tumblingWindow(10).count().final();
    assert.throws(
      () => s.emit({ value: 1 }),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_BAD_TIMESTAMP',
    );
  });

  it('holds element references until the window that holds them is emitted', () => {
    const s = new Stream<Reading>();
    const out = s.tumblingWindow(10, { value: 'value' }).sum().final().sinkToList();
    const committed: number[] = [];
    const refs = [0, 1, 2].map((i) => new RefCounter(() => committed.push(i)));
    s.emit({ timestamp: 1, value: 1 }, [{ ref: refs[0]! }]);
    s.emit({ timestamp: 5, value: 1 }, [{ ref: refs[1]! }]);
    assert.deepEqual(committed, []);
    assert.equal(refs[0]!.count, 1);
    s.emit({ timestamp: 12, value: 1 }, [{ ref: refs[2]! }]);
    assert.deepEqual(committed, [0, 1]);
    assert.equal(out.length, 1);
    assert.equal(refs[2]!.count, 1);
  });

  it('hopping windows retain an element once per window holding it', () => {
    const s = new Stream<Reading>();
    s.hoppingWindow(10, 5, { value: 'value' }).sum().final().sinkToList();
    const ref = new RefCounter();
    s.emit({ timestamp: 7, value: 1 }, [{ ref }]);
    assert.equal(ref.count, 2);
    s.emit({ timestamp: 10, value: 1 });
    assert.equal(ref.count, 1);
    s.emit({ timestamp: 15, value: 1 });
    assert.equal(ref.count, 0);
  });

  it('counts late elements and hands them to onLate, never dropping them silently', () => {
    const s = new Stream<Reading>();
    const late: unknown[] = [];
    const w = s.tumblingWindow(10, { value: 'value', grace: 2, onLate: (i) => late.push(i) });
    const node = w.sum().final();
    const out = node.sinkToList();
    s.emit({ timestamp: 5, value: 1 });
    s.emit({ timestamp: 12, value: 1 });
    s.emit({ timestamp: 9, value: 7 }); // watermark 10: [0,10) closed
    assert.equal(node.late, 1);
    assert.deepEqual(late, [
      { element: { timestamp: 9, value: 7 }, key: null, timestamp: 9, start: 0, end: 10, lateBy: 1 },
    ]);
    assert.deepEqual(out, [{ key: null, start: 0, end: 10, value: 1 }]);
  });

  it('closes due windows on the clock when the stream is idle', async () => {
    const clock = new VirtualClock();
    const s = new Stream<Reading>({ clock });
    const node = s.tumblingWindow('10s', { value: 'value', idleTimeout: '5s' }).sum().final();
    const out = node.sinkToList();
    s.emit({ timestamp: 1000, value: 1 });
    await clock.advance(5000);
    assert.deepEqual(out, []); // event time assumed at 6000: [0, 10000) not due yet
    await clock.advance(4000);
    assert.deepEqual(out, [{ key: null, start: 0, end: 10_000, value: 1 }]);
    s.emit({ timestamp: 2000, value: 5 }); // that window is closed now: late, not a second emission
    assert.equal(node.late, 1);
    node.stop();
  });

  it('a failure downstream of windows closed on the clock goes to its error branch, or to the next update', async () => {
    const clock = new VirtualClock();
    const boom = new Error('the sink cannot send');
    // Without an error branch: the timer does not throw (it would end the process); the next element does.
    const s = new Stream<Reading>({ clock });
    const node = s.tumblingWindow('10s', { value: 'value', idleTimeout: '5s' }).sum().final();
    node.sink(() => {
      throw boom;
    });
    s.emit({ timestamp: 1000, value: 1 });
    await clock.advance(9000); // closes [0, 10000) on the clock
    assert.throws(() => s.emit({ timestamp: 20_000, value: 2 }), /the sink cannot send/);
    node.stop();
    // With an error branch on the failing node: the failure goes there, and the stream goes on.
    const t = new Stream<Reading>({ clock });
    const window = t.tumblingWindow('10s', { value: 'value', idleTimeout: '5s' }).sum().final();
    const errors = window
      .sink(() => {
        throw boom;
      })
      .catch()
      .sinkToList();
    t.emit({ timestamp: 1000, value: 1 });
    await clock.advance(9000);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]!.error.message), /the sink cannot send/);
    t.emit({ timestamp: 20_000, value: 2 });
    window.stop();
  });

  it('takes the defaults an element carries (windowDefaults) where no extractor was given', () => {
    class Reading {
      readonly sensor: string;
      readonly celsius: number;
      readonly timestamp: number;
      constructor(sensor: string, celsius: number, timestamp: number) {
        this.sensor = sensor;
        this.celsius = celsius;
        this.timestamp = timestamp;
      }
    }
    const defaults: WindowDefaults = { key: (r) => (r as Reading).sensor, value: (r) => (r as Reading).celsius };
    Object.defineProperty(Reading.prototype, windowDefaults, { value: defaults });
    const s = new Stream<Reading>();
    const out = s.tumblingWindow(10).sum().current().sinkToList();
    const given = s
      .tumblingWindow(10, { key: () => 'all' })
      .sum()
      .current()
      .sinkToList();
    s.emit(new Reading('a', 3, 4));
    s.emit(new Reading('b', 5, 6));
    assert.deepEqual(out, [
      { key: 'a', start: 0, end: 10, value: 3 },
      { key: 'b', start: 0, end: 10, value: 5 },
    ]);
    // An extractor given wins; the others still come from the element.
    assert.deepEqual(given.at(-1), { key: 'all', start: 0, end: 10, value: 8 });
  });

  it('a plain object shaped like a Kafka record gets no defaults: the window layer knows no record shape', () => {
    const s = new Stream<any>();
    const out = s.tumblingWindow(10, { value: 'value' }).sum().current().sinkToList();
    s.emit({ topic: 't', partition: 0, offset: 0, key: 'k', value: 3, timestamp: 4, headers: {} });
    assert.deepEqual(out, [{ key: null, start: 0, end: 10, value: 3 }]);
  });
});

describe('end of input', () => {
  it('closes every open window when a finite source ends', async () => {
    const source = Stream.fromIterable([
      { timestamp: 1, value: 1 },
      { timestamp: 15, value: 2 },
      { timestamp: 17, value: 3 },
    ]);
    const out = source.tumblingWindow(10, { value: 'value' }).sum().final().sinkToList();
    source.start();
    await source.done;
    assert.deepEqual(out, [
      { key: null, start: 0, end: 10, value: 1 },
      { key: null, start: 10, end: 20, value: 5 },
    ]);
  });
});

describe('sessionWindow', () => {
  it('joins elements closer than the gap and merges sessions bridged by a late-arriving element', () => {
    const s = new Stream<Reading>();
    const out = s.sessionWindow(10, { value: 'value', grace: 20 }).sum().final().sinkToList();
    for (const [t, v] of [
      [0, 1],
      [5, 1],
      [22, 1],
      [14, 1], // within 10 ms of 5 and of 22: sessions [0, 15) and [22, 32) become [0, 32)
      [100, 1],
    ]) {
      s.emit({ timestamp: t!, value: v! });
    }
    assert.deepEqual(out, [{ key: null, start: 0, end: 32, value: 4 }]);
  });
});

describe('count windows', () => {
  it('work without timestamps (start and end null)', () => {
    const s = new Stream<number>();
    const out = s.tumblingCountWindow(2).sum().final().sinkToList();
    for (const x of [1, 2, 3, 4, 5]) s.emit(x);
    assert.deepEqual(out, [
      { key: null, start: null, end: null, value: 3 },
      { key: null, start: null, end: null, value: 7 },
    ]);
  });
});
