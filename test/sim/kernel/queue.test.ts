import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment, type Event } from '../../../src/sim/index.ts';
import { NORMAL, URGENT } from '../../../src/sim/kernel/events.ts';
import { EventQueue } from '../../../src/sim/kernel/queue.ts';

test('the queue pops by time, then priority, then insertion order, across growth', () => {
  const env = new Environment();
  const q = new EventQueue(4);
  const entries: { t: number; p: number; seq: number; ev: Event<any> }[] = [];
  let x = 7;
  for (let seq = 0; seq < 5000; seq++) {
    x = (x * 48271) % 2147483647;
    const t = x % 50;
    const p = x % 3 === 0 ? URGENT : NORMAL;
    const ev = env.event();
    entries.push({ t, p, seq, ev });
    q.push(t, p, ev);
  }
  assert.equal(q.size, 5000);
  entries.sort((a, b) => a.t - b.t || a.p - b.p || a.seq - b.seq);
  for (const e of entries) {
    assert.equal(q.peekTime(), e.t);
    assert.equal(q.pop(), e.ev);
  }
  assert.equal(q.size, 0);
  assert.equal(q.peekTime(), Number.POSITIVE_INFINITY);
});

test('the queue interleaves pushes and pops correctly', () => {
  const env = new Environment();
  const q = new EventQueue(2);
  const ref: { t: number; seq: number; ev: Event<any> }[] = [];
  let seq = 0;
  let x = 3;
  for (let round = 0; round < 2000; round++) {
    x = (x * 48271) % 2147483647;
    if (x % 3 !== 0 || ref.length === 0) {
      const ev = env.event();
      const t = x % 100;
      q.push(t, NORMAL, ev);
      ref.push({ t, seq: seq++, ev });
      ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
    } else {
      assert.equal(q.pop(), ref.shift()!.ev);
    }
  }
  while (ref.length > 0) assert.equal(q.pop(), ref.shift()!.ev);
});
