/**
 * Where every time-based part of twinstream reads the time. Operators never read `Date.now` or call `setTimeout`:
 * they ask the graph's clock, so the same pipeline runs on the wall clock, on a `VirtualClock` in a test, or in a
 * simulation's time.
 */
export interface Clock {
  /** The current time in milliseconds (since the Unix epoch for `RealClock`). */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now. The returned timer can be cancelled. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** A pending timer. `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

/**
 * The wall clock: `now()` is `performance.timeOrigin + performance.now()` (milliseconds since the epoch, with
 * fractions), timers are `setTimeout`.
 *
 * @example
 * const clock = new RealClock();
 * clock.setTimer(100, () => console.log('100 ms later', clock.now()));
 */
export class RealClock implements Clock {
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  }
}

/** The clock a graph uses when none is given. */
export const realClock: Clock = new RealClock();

interface VirtualTimer extends Timer {
  at: number;
  seq: number;
  fn: (() => void) | null;
}

// A macrotask turn: lets every pending promise continuation run before the next timer fires.
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A clock that moves only when told. Timers fire in (time, creation) order; between timers, pending promise
 * continuations settle, so awaited emits and async sinks behave as they would in real time, only instantly.
 *
 * @example
 * const clock = new VirtualClock();
 * const s = new Stream({ clock });
 * const out = s.timedWindow('100ms').sinkToList();
 * s.emit(1);
 * await clock.advance(100);   // out: [[1]]
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  // Kept sorted by (at, seq); timers are few in tests, so insertion by scan is fine.
  private timers: VirtualTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const t: VirtualTimer = {
      at: this.time + Math.max(0, ms),
      seq: this.seq++,
      fn,
      cancel: () => {
        t.fn = null;
      },
    };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > t.at) i--;
    this.timers.splice(i, 0, t);
    return t;
  }

  /** The number of timers still waiting. */
  get pending(): number {
    let n = 0;
    for (const t of this.timers) if (t.fn !== null) n++;
    return n;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  /**
   * Moves time forward to `time`, firing every timer due on the way, in order. With `inclusive: false`, timers due
   * exactly at `time` stay pending: what the caller does next happens before them, as in a real event loop where
   * code that runs at an instant precedes the timers due then.
   */
  async advanceTo(time: number, options: { inclusive?: boolean } = {}): Promise<void> {
    const inclusive = options.inclusive ?? true;
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > time || (!inclusive && next.at === time)) break;
      this.timers.shift();
      if (next.fn === null) continue;
      this.time = Math.max(this.time, next.at);
      const fn = next.fn;
      next.fn = null;
      fn();
      await settle();
    }
    this.time = Math.max(this.time, time);
  }

  /** Fires timers, moving time forward, until none is left (or `limit` timers have fired: a periodic source never idles). */
  async runUntilIdle(limit = 100_000): Promise<void> {
    await settle();
    for (let fired = 0; fired < limit; fired++) {
      const next = this.timers.shift();
      if (next === undefined) return;
      if (next.fn === null) continue;
      this.time = Math.max(this.time, next.at);
      const fn = next.fn;
      next.fn = null;
      fn();
      await settle();
    }
  }
}
