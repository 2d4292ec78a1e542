import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefCounter, Stream } from '../../src/index.ts';

interface E {
  timestamp: number;
  id: string;
  sym?: string;
  price?: number;
}

describe('mergeSorted', () => {
  it('interleaves inputs in time order under the watermark, holding refs until emitted', async () => {
    const a = Stream.fromIterable<E>([1, 4, 9].map((t) => ({ timestamp: t, id: `a${t}` })));
    const b = new Stream<E>();
    const out = a
      .mergeSorted(b)
      .map((e: E) => e.id)
      .sinkToList();
    const ref = new RefCounter();
    b.emit({ timestamp: 2, id: 'b2' }, [{ ref }]);
    assert.equal(ref.count, 1); // waits: a has not reached 2
    a.start();
    await a.done;
    b.emit({ timestamp: 5, id: 'b5' });
    b.end();
    assert.deepEqual(out, ['a1', 'b2', 'a4', 'b5', 'a9']);
    assert.equal(ref.count, 0);
  });

  it('counts elements older than what was emitted as late', () => {
    const a = new Stream<E>();
    const b = new Stream<E>();
    const late: number[] = [];
    const m = a.mergeSorted(b, { onLate: (_e, t) => late.push(t) }) as any;
    a.emit({ timestamp: 5, id: 'a' });
    b.emit({ timestamp: 6, id: 'b' });
    a.emit({ timestamp: 7, id: 'a' });
    b.emit({ timestamp: 3, id: 'late' });
    assert.deepEqual(late, [3]);
    assert.equal(m.late, 1);
  });
});

describe('joinAsof', () => {
  it('joins each element with the latest of the other at or before it, per key', () => {
    const trades = new Stream<E>();
    const quotes = new Stream<E>();
    const out = trades
      .joinAsof(quotes, { key: 'sym', merge: (t: E, q: E | undefined) => `${t.id}@${q?.price}`, how: 'left' })
      .sinkToList();
    quotes.emit({ timestamp: 1, id: 'q', sym: 'X', price: 10 });
    quotes.emit({ timestamp: 5, id: 'q', sym: 'X', price: 11 });
    quotes.emit({ timestamp: 2, id: 'q', sym: 'Y', price: 99 });
    trades.emit({ timestamp: 3, id: 't1', sym: 'X' });
    trades.emit({ timestamp: 5, id: 't2', sym: 'X' });
    trades.emit({ timestamp: 0, id: 't3', sym: 'X' });
    assert.deepEqual(out, ['t1@10', 't2@11', 't3@undefined']);
  });

  it('with grace, a left element waits for the right side to reach it', () => {
    const left = new Stream<E>();
    const right = new Stream<E>();
    const out = left.joinAsof(right, { grace: 10, merge: (l: E, r: E | undefined) => [l.id, r?.id] }).sinkToList();
    left.emit({ timestamp: 5, id: 'l5' });
    assert.deepEqual(out, []);
    right.emit({ timestamp: 4, id: 'r4' });
    right.emit({ timestamp: 6, id: 'r6' });
    assert.deepEqual(out, [['l5', 'r4']]);
  });
});

describe('joinInterval', () => {
  it('emits every pair within [t - backward, t + forward] once', () => {
    const left = new Stream<E>();
    const right = new Stream<E>();
    const out = left
      .joinInterval(right, { backward: 2, forward: 1, merge: (l: E, r: E) => `${l.id}-${r.id}` })
      .sinkToList();
    left.emit({ timestamp: 10, id: 'L10' });
    right.emit({ timestamp: 8, id: 'R8' });
    right.emit({ timestamp: 11, id: 'R11' });
    right.emit({ timestamp: 12, id: 'R12' });
    left.emit({ timestamp: 13, id: 'L13' });
    assert.deepEqual(out, ['L10-R8', 'L10-R11', 'L13-R11', 'L13-R12']);
  });
});
