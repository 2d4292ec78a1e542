import type { Event } from './events.ts';

// Keys order events of equal time: priority first (URGENT = 0 before NORMAL = 1), then insertion. Both fit one
// double exactly: priority * 2^52 + sequence, for fewer than 2^52 (4.5e15) scheduled events.
const PRIORITY_STEP = 2 ** 52;

/**
 * The event queue: a binary min-heap ordered by (time, priority, insertion), stored as a struct of arrays (two
 * `Float64Array`s and an `Int32Array` of slot numbers) and sifted with a hole instead of swaps. Events sit in a slot
 * table written once per event: moving object references up and down the heap would pay a GC write barrier per move.
 * No allocation per event except when the arrays grow (doubling).
 *
 * @example
 * const q = new EventQueue();
 * q.push(5, 1, ev); q.peekTime(); // 5
 * @internal
 */
export class EventQueue {
  private times: Float64Array;
  private keys: Float64Array;
  private ids: Int32Array;
  private slots: (Event<any> | null)[];
  // Free slot numbers, used as a stack.
  private free: Int32Array;
  private nFree: number;
  private n = 0;
  private seq = 0;
  /** The time of the event `pop()` returned last. */
  time = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.keys = new Float64Array(initialCapacity);
    this.ids = new Int32Array(initialCapacity);
    this.slots = new Array<Event<any> | null>(initialCapacity).fill(null);
    this.free = new Int32Array(initialCapacity);
    for (let i = 0; i < initialCapacity; i++) this.free[i] = initialCapacity - 1 - i;
    this.nFree = initialCapacity;
  }

  /** How many events were ever pushed. */
  get pushed(): number {
    return this.seq;
  }

  /** The number of queued events. */
  get size(): number {
    return this.n;
  }

  /** The time of the earliest event, or `Infinity` when empty. */
  peekTime(): number {
    return this.n === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Adds `event` at `time` with `priority` (0 or 1). */
  push(time: number, priority: number, event: Event<any>): void {
    let i = this.n++;
    if (i === this.times.length) this.grow();
    const key = priority * PRIORITY_STEP + this.seq++;
    const id = this.free[--this.nFree]!;
    this.slots[id] = event;
    const T = this.times;
    const K = this.keys;
    const I = this.ids;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = T[p]!;
      if (tp < time || (tp === time && K[p]! < key)) break;
      T[i] = tp;
      K[i] = K[p]!;
      I[i] = I[p]!;
      i = p;
    }
    T[i] = time;
    K[i] = key;
    I[i] = id;
  }

  /** Removes and returns the earliest event, and sets `time` to its time. The queue must not be empty. */
  pop(): Event<any> {
    const T = this.times;
    const K = this.keys;
    const I = this.ids;
    this.time = T[0]!;
    const topId = I[0]!;
    const top = this.slots[topId]!;
    this.slots[topId] = null;
    this.free[this.nFree++] = topId;
    const n = --this.n;
    if (n === 0) return top;
    const t = T[n]!;
    const k = K[n]!;
    const e = I[n]!;
    // Floyd's bottom-up deletion: walk the hole down to a leaf along the smaller child (one comparison per level),
    // then let the last element rise from there. The last element usually belongs near the bottom, so this does about
    // half the comparisons of the textbook sift-down.
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (T[r]! < T[c]! || (T[r] === T[c] && K[r]! < K[c]!))) c = r;
      T[i] = T[c]!;
      K[i] = K[c]!;
      I[i] = I[c]!;
      i = c;
    }
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = T[p]!;
      if (tp < t || (tp === t && K[p]! < k)) break;
      T[i] = tp;
      K[i] = K[p]!;
      I[i] = I[p]!;
      i = p;
    }
    T[i] = t;
    K[i] = k;
    I[i] = e;
    return top;
  }

  private grow(): void {
    const old = this.times.length;
    const cap = old * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    const k = new Float64Array(cap);
    k.set(this.keys);
    const ids = new Int32Array(cap);
    ids.set(this.ids);
    const free = new Int32Array(cap);
    // Every old slot is in use when the heap is full: the new slots are the free ones.
    for (let i = 0; i < cap - old; i++) free[i] = cap - 1 - i;
    this.nFree = cap - old;
    this.times = t;
    this.keys = k;
    this.ids = ids;
    this.free = free;
    for (let i = this.slots.length; i < cap; i++) this.slots.push(null);
  }
}
