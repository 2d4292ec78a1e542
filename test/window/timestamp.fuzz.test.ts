// Timestamps from outside: every value either becomes a timestamp within ±8.64e15 ms or is refused with
// TS_BAD_TIMESTAMP, and no window, join or frame loops on what it is given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Frame, StreamingFrame } from '../../src/frame/index.ts';
import { Stream, TwinstreamError } from '../../src/index.ts';
import { isTimestamp, MAX_TIMESTAMP, toTimestamp } from '../../src/window/timestamp.ts';
import { fuzzParameters } from '../support/fuzz.ts';

const edgeNumbers = fc.constantFrom(
  1e300,
  -1e300,
  9.3e18,
  MAX_TIMESTAMP,
  MAX_TIMESTAMP + 1,
  -MAX_TIMESTAMP,
  -MAX_TIMESTAMP - 1,
  2 ** 53,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
);
const anyTimestamp = fc.oneof(
  edgeNumbers,
  fc.double(),
  fc.integer({ min: 0, max: 2e12 }),
  fc.bigInt(),
  fc.string(),
  fc.date({ noInvalidDate: false }),
  fc.anything(),
  fc.constant(Object.create(null)),
);

function refusedAsTimestamp(e: unknown): boolean {
  return e instanceof TwinstreamError && e.code === 'TS_BAD_TIMESTAMP' && e.message.length > 0;
}

describe('toTimestamp', () => {
  it('describes a value without a prototype instead of throwing a TypeError', () => {
    assert.throws(() => toTimestamp(Object.create(null), 'w'), refusedAsTimestamp);
    const noProto = Object.assign(Object.create(null), { a: 1 });
    assert.throws(() => toTimestamp(noProto, 'w'), /timestamp \{"a":1\} is not usable/);
  });

  it('refuses numbers, numeric strings and bigints outside the Date range', () => {
    for (const t of [1e300, -1e300, MAX_TIMESTAMP + 1, '1e300', 10n ** 30n]) {
      assert.throws(() => toTimestamp(t, 'w'), /outside ±8640000000000000 ms/);
    }
    assert.equal(toTimestamp(MAX_TIMESTAMP, 'w'), MAX_TIMESTAMP);
    assert.equal(toTimestamp(-MAX_TIMESTAMP, 'w'), -MAX_TIMESTAMP);
  });

  it('gives a timestamp in range or TS_BAD_TIMESTAMP, for any value', () => {
    fc.assert(
      fc.property(anyTimestamp, (t) => {
        try {
          return isTimestamp(toTimestamp(t, 'fuzz'));
        } catch (e) {
          return refusedAsTimestamp(e);
        }
      }),
      fuzzParameters(3000),
    );
  });
});

/** Feeds `ts` to a window; returns the codes that reached its error branch. */
function feedWindow(make: (s: Stream<any>) => Stream<any>, ts: unknown[]): string[] {
  const s = new Stream<any>();
  const w = make(s);
  const codes: string[] = [];
  w.onError(({ error }) => void codes.push(error.code));
  w.sinkToList();
  for (const t of ts) s.emit({ timestamp: t, key: 'k', value: 1 });
  s.end();
  return codes;
}

const windows: [string, (s: Stream<any>) => Stream<any>][] = [
  ['tumbling', (s) => s.tumblingWindow(10, { value: 'value' }).sum().current()],
  ['tumbling keyed, final', (s) => s.tumblingWindow(10, { key: 'key', value: 'value' }).sum().final()],
  ['hopping', (s) => s.hoppingWindow(10, 3, { value: 'value' }).sum().final()],
  ['hopping, fractional step', (s) => s.hoppingWindow(1, 0.25, { value: 'value' }).count().final()],
  ['sliding', (s) => s.slidingTimeWindow(10, { value: 'value' }).sum().final()],
  ['session', (s) => s.sessionWindow(10, { key: 'key', value: 'value' }).count().final()],
];

describe('event-time windows on timestamps from outside', () => {
  for (const [name, make] of windows) {
    it(`${name}: a timestamp of 1e300 goes to the error branch as TS_BAD_TIMESTAMP at once`, () => {
      const started = performance.now();
      assert.deepEqual(feedWindow(make, [5, 1e300, -1e300, 9.3e18, 15]), [
        'TS_BAD_TIMESTAMP',
        'TS_BAD_TIMESTAMP',
        'TS_BAD_TIMESTAMP',
      ]);
      assert.ok(performance.now() - started < 1000);
    });

    it(`${name}: any timestamps end in a window or in TS_BAD_TIMESTAMP`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(edgeNumbers, fc.double(), fc.integer({ min: -50, max: 1000 })), { maxLength: 20 }),
          (ts) => {
            const codes = feedWindow(make, ts);
            return (
              codes.every((c) => c === 'TS_BAD_TIMESTAMP') && codes.length === ts.filter((t) => !isTimestamp(t)).length
            );
          },
        ),
        fuzzParameters(200),
      );
    });
  }

  it('windows of a step that stops changing a large start are each opened once', () => {
    // At 8.6e15 the spacing of doubles is 1 ms: a step of 0.25 ms added to a start changes nothing.
    const s = new Stream<any>();
    const out = s.hoppingWindow(1, 0.25, { value: 'value' }).count().final().sinkToList();
    s.emit({ timestamp: 8.6e15, value: 1 });
    s.end();
    const starts = out.map((o: any) => o.start);
    assert.equal(new Set(starts).size, starts.length);
    assert.ok(out.every((o: any) => o.value === 1));
  });
});

describe('joins on timestamps from outside', () => {
  it('joinAsof, joinInterval and mergeSorted refuse 1e300 with TS_BAD_TIMESTAMP', () => {
    const joins: ((a: Stream<any>, b: Stream<any>) => Stream<any>)[] = [
      (a, b) => a.joinAsof(b, { timestamp: 'ts' }),
      (a, b) => a.joinInterval(b, { timestamp: 'ts', backward: 10, forward: 10 }),
      (a, b) => a.mergeSorted(b, { timestamp: 'ts' }),
    ];
    for (const join of joins) {
      const a = new Stream<any>();
      const b = new Stream<any>();
      const j = join(a, b);
      const codes: string[] = [];
      j.onError(({ error }) => void codes.push(error.code));
      j.sinkToList();
      a.emit({ ts: 1e300 });
      b.emit({ ts: -1e300 });
      assert.deepEqual(codes, ['TS_BAD_TIMESTAMP', 'TS_BAD_TIMESTAMP']);
    }
  });
});

describe('frames on timestamps from outside', () => {
  it('Frame.fromRows and Frame.fromColumns refuse 1e300 naming the row', () => {
    assert.throws(() => Frame.fromRows([{ ts: 1 }, { ts: 1e300 }], { time: 'ts' }), /row 1 field "ts".*outside/);
    assert.throws(() => Frame.fromColumns({ t: [1, -1e300] }, { time: 't' }), /time column "t" row 1/);
    assert.throws(() => Frame.fromRows([{ ts: Object.create(null) }], { time: 'ts' }), refusedAsTimestamp);
  });

  it('a frame window refuses a Float64Array time of 1e300 naming the row', () => {
    for (const step of [10, 3]) {
      const sf = new StreamingFrame();
      const def = step === 10 ? sf.tumblingWindow(10, { value: 'v' }) : sf.hoppingWindow(10, step, { value: 'v' });
      const w = def.sum().final();
      const codes: string[] = [];
      w.onError(({ error }) => void codes.push(`${error.code} ${/row \d+/.exec(error.message)?.[0]}`));
      w.sinkToList();
      sf.emit(Frame.fromColumns({ t: new Float64Array([1, 1e300]), v: [1, 2] }, { time: 't' }));
      assert.deepEqual(codes, ['TS_BAD_TIMESTAMP row 1']);
    }
  });

  it('any time column is folded or refused with TS_BAD_TIMESTAMP', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(edgeNumbers, fc.double(), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 12 }),
        (ts) => {
          const sf = new StreamingFrame();
          const w = sf.hoppingWindow(10, 5, { value: 'v' }).count().final();
          const codes: string[] = [];
          w.onError(({ error }) => void codes.push(error.code));
          w.sinkToList();
          sf.emit(Frame.fromColumns({ t: Float64Array.from(ts), v: ts.map(() => 1) }, { time: 't' }));
          sf.end();
          return (
            codes.length === (ts.some((t) => !isTimestamp(t)) ? 1 : 0) && codes.every((c) => c === 'TS_BAD_TIMESTAMP')
          );
        },
      ),
      fuzzParameters(300),
    );
  });
});
