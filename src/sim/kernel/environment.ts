import { badArgument, describe, TwinstreamError } from '../../errors.ts';
import type { Clock, Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { allEvents, anyEvents, Condition } from './condition.ts';
import {
  badDelay,
  DEFUSED,
  Event,
  FAILED,
  NORMAL,
  PROCESSED,
  type Scheduler,
  type Timeout,
  TRIGGERED,
  URGENT,
} from './events.ts';
import { Process, type ProcessGenerator } from './process.ts';
import { EventQueue } from './queue.ts';

/**
 * How many positive timeouts that do not advance time (`now + delay === now`) the kernel allows at one simulated
 * time before it refuses the next with `TS_SIM_TIME_STALLED`, naming the process.
 *
 * @example
 * const env = new Environment({ initialTime: 1 });
 * env.process((function* () { for (;;) yield env.timeout(1e-300); })(), 'arrivals');
 * env.run({ until: 2 }); // throws TS_SIM_TIME_STALLED: process "arrivals" asked for timeout(1e-300) at time 1, ...
 */
export const MAX_STALLED_TIMEOUTS = 100_000;

/** Options of an environment. */
export interface EnvironmentOptions {
  /** The simulated time to start at (default 0). */
  initialTime?: number;
  /** The wall-clock timestamp (ms since the epoch, a `Date` or an ISO string) that simulated time 0 maps to (default 0). */
  logicalStartTime?: number | Date | string;
  /** How long one simulated time unit is, for timestamps and `clock` (default `'1s'`). */
  timeUnit?: Duration;
}

// What toMillis accepts as a string (a bare number in a string is refused: its unit would be ambiguous).
const DURATION = /^\s*\d+(\.\d+)?\s*[a-z]+\s*$/i;

/** Options of `run()`. */
export interface RunOptions<T = unknown> {
  /**
   * Stop before events at this time (a number of time units > now, or a duration string such as `'1h'` counted
   * from time 0), or once this event is processed (its value is returned).
   */
  until?: number | string | Event<T>;
}

/**
 * Everything an environment does except `run()`: the clock, the event queue, creating events and processes, `step`
 * and `peek`. `Environment` adds a synchronous `run()`, `RealtimeEnvironment` a paced asynchronous one; resources
 * and processes accept either.
 */
export class BaseEnvironment implements Scheduler {
  /** @internal */
  _now: number;
  /** @internal */
  _active: Process<any> | null = null;
  /** @internal */
  readonly _queue = new EventQueue();
  /** The timestamp (ms since the epoch) that simulated time 0 maps to. */
  readonly logicalStartTime: number;
  /** Milliseconds per simulated time unit. */
  readonly timeUnitMs: number;
  private simClock: Clock | null = null;

  constructor(options: EnvironmentOptions = {}) {
    if (options === null || typeof options !== 'object') {
      badArgument('Environment', 'options', options, 'an object such as { initialTime: 0 }');
    }
    const initial = options.initialTime ?? 0;
    if (typeof initial !== 'number' || !Number.isFinite(initial)) {
      badArgument('Environment', 'initialTime', initial, 'a finite number');
    }
    this._now = initial;
    this.logicalStartTime = toTimestampMs(options.logicalStartTime ?? 0, 'Environment', 'logicalStartTime');
    this.timeUnitMs = toMillis(options.timeUnit ?? '1s', 'Environment: timeUnit');
    if (this.timeUnitMs <= 0) {
      badArgument('Environment', 'timeUnit', options.timeUnit, 'a duration > 0');
    }
  }

  /** The current simulated time. */
  get now(): number {
    return this._now;
  }

  /** The process being resumed right now, or null outside processes. */
  get activeProcess(): Process<any> | null {
    return this._active;
  }

  /** The number of events in the queue. */
  get queueSize(): number {
    return this._queue.size;
  }

  /** How many events were scheduled since the environment was created (processed ones plus `queueSize`). */
  get scheduledCount(): number {
    return this._queue.pushed;
  }

  /** @internal */
  _schedule(event: Event<any>, priority: number, delay: number): void {
    this._queue.push(this._now + delay, priority, event);
  }

  /** Starts a process running `generator` (call a `function*`); `name` appears in errors. */
  process<R>(generator: ProcessGenerator<R>, name?: string): Process<R> {
    return new Process<R>(this, generator, name);
  }

  /**
   * An event processed `delay` from now, with `value`: a finite number >= 0 of time units, or a duration string
   * (`'90s'`, `'5m'`, `'1h'`) converted with the environment's `timeUnit` (one second by default).
   */
  timeout<T = undefined>(delay: number | string, value?: T): Timeout<T> {
    if (typeof delay !== 'number') delay = this.toUnits(delay, 'timeout');
    // `!(delay >= 0)` also rejects NaN.
    if (!(delay >= 0) || delay === Number.POSITIVE_INFINITY) badDelay(this, delay);
    const at = this._now + delay;
    // A positive delay too small to change `now` (a rate of 1e300, an interval of 1e-300) would freeze time.
    if (at === this._now && delay > 0) this.noAdvance(delay);
    const ev = new Event<T>(this, TRIGGERED, value);
    this._queue.push(at, NORMAL, ev);
    return ev;
  }

  private stallTime = Number.NaN;
  private stallCount = 0;

  /**
   * Counts positive delays that leave `now` where it is; past MAX_STALLED_TIMEOUTS of them at one time, the run is
   * stuck (it would never reach its end while memory grows), and the process asking for one more is refused.
   */
  private noAdvance(delay: number): void {
    if (this.stallTime !== this._now) {
      this.stallTime = this._now;
      this.stallCount = 0;
    }
    if (++this.stallCount <= MAX_STALLED_TIMEOUTS) return;
    const who = this._active === null ? 'a timer outside any process' : `process "${this._active.name}"`;
    throw new TwinstreamError(
      'TS_SIM_TIME_STALLED',
      `${who} asked for timeout(${delay}) at time ${this._now}, where a delay that small does not advance time, after ${MAX_STALLED_TIMEOUTS} such timeouts at this time; simulated time is stuck. Use delays that advance time at this time scale (a smaller rate, a longer interval)`,
      { context: { process: this._active?.name, now: this._now, delay } },
    );
  }

  /**
   * A duration in time units: a number is already one; a string (`'250ms'`, `'10s'`, `'5m'`, `'2h'`, `'1d'`) is
   * divided by `timeUnit`. Streams count durations in milliseconds and the simulation in its time unit, so the
   * same `'1h'` means one hour in both.
   *
   * @example
   * new Environment().toUnits('1h'); // 3600 (time unit: one second)
   */
  toUnits(duration: number | string, where = 'toUnits'): number {
    if (typeof duration === 'number') return duration;
    if (typeof duration === 'string' && DURATION.test(duration)) return toMillis(duration, where) / this.timeUnitMs;
    throw new TwinstreamError(
      'TS_SIM_BAD_DELAY',
      `${where}: ${describe(duration)} is not valid; expected a number of time units >= 0 or a duration such as ` +
        `'90s', '5m', '1h'`,
      { context: { duration } },
    );
  }

  /** A new pending event; trigger it with `succeed(value)` or `fail(error)`. */
  event<T = unknown>(): Event<T> {
    return new Event<T>(this);
  }

  /** A condition met when all `events` are processed; its value maps each to its value. */
  allOf(events: Iterable<Event<any>>): Condition {
    return new Condition(this, allEvents, events);
  }

  /** A condition met when any of `events` is processed. */
  anyOf(events: Iterable<Event<any>>): Condition {
    return new Condition(this, anyEvents, events);
  }

  /** The time of the next event, or `Infinity` if none is scheduled. */
  peek(): number {
    return this._queue.peekTime();
  }

  /**
   * Processes the next event: moves `now` to its time, runs its callbacks and resumes the processes waiting for it.
   * Throws `TS_SIM_EMPTY_SCHEDULE` when no event is left, and rethrows the error of a failed event nobody handled.
   */
  step(): void {
    const q = this._queue;
    if (q.size === 0) throw new TwinstreamError('TS_SIM_EMPTY_SCHEDULE', 'step(): no event is scheduled');
    const ev = q.pop();
    this._now = q.time;
    ev._state = PROCESSED;
    // A processed event keeps its waiter and callbacks fields: nothing reads them once it is PROCESSED (addCallback
    // throws, a process never waits on it), and not clearing them saves two writes per event.
    const waiter = ev._waiter;
    const cbs = ev._callbacks;
    if (waiter !== null) waiter._resume(ev);
    if (cbs !== null) for (let i = 0; i < cbs.length; i++) cbs[i]!(ev);
    if (ev._fail === FAILED) throw ev._value;
  }

  /**
   * A `Clock` in simulated time, for stream pipelines: `now()` is `logicalStartTime + now × timeUnitMs`
   * milliseconds, `setTimer(ms, fn)` calls `fn` after `ms / timeUnitMs` simulated time units.
   */
  get clock(): Clock {
    if (this.simClock === null) {
      const env = this;
      this.simClock = {
        now: () => env.toTimestamp(),
        setTimer(ms: number, fn: () => void): Timer {
          let live = true;
          const t = env.timeout(Math.max(0, ms) / env.timeUnitMs);
          t.addCallback(() => {
            if (live) {
              live = false;
              fn();
            }
          });
          return {
            cancel: () => {
              live = false;
            },
          };
        },
      };
    }
    return this.simClock;
  }

  /** The timestamp (ms since the epoch) of simulated time `time` (default: now). */
  toTimestamp(time: number = this._now): number {
    return this.logicalStartTime + time * this.timeUnitMs;
  }

  /** @internal Prepares a run: returns the event that ends it (null: run until the queue is empty). */
  protected _stopEvent(until: number | string | Event<any> | undefined): Event<any> | null {
    if (until === undefined) return null;
    if (until instanceof Event) return until;
    if (typeof until === 'string') until = this.toUnits(until, 'run({ until })');
    if (typeof until !== 'number' || Number.isNaN(until) || until <= this._now) {
      throw new TwinstreamError(
        'TS_SIM_BAD_UNTIL',
        `run({ until: ${describe(until)} }): until must be an event or a time > now (${this._now})`,
      );
    }
    // Urgent, as in SimPy: events scheduled at exactly `until` stay for the next run.
    const stop = new Event<undefined>(this);
    stop._state = TRIGGERED;
    this._queue.push(until, URGENT, stop);
    return stop;
  }
}

/**
 * A discrete-event simulation environment with SimPy's semantics: processes are generator functions that yield
 * events; events at equal times run by (priority, insertion) order, so every run is the same.
 *
 * @example
 * const env = new Environment();
 * function* clock(name: string, tick: number) {
 *   for (;;) { console.log(name, env.now); yield env.timeout(tick); }
 * }
 * env.process(clock('fast', 0.5));
 * env.process(clock('slow', 1));
 * env.run({ until: 2 });
 */
export class Environment extends BaseEnvironment {
  /**
   * Processes events until the queue is empty, until simulated time `until` (events at exactly that time are left
   * for the next run, and `now` becomes `until`), or until the event `until` is processed (returns its value, throws
   * its error).
   */
  run<T = unknown>(options: RunOptions<T> = {}): T | undefined {
    const until = options.until;
    if (until instanceof Event && until._state === PROCESSED) return outcome(until);
    const stop = this._stopEvent(until);
    if (stop === null) {
      while (this._queue.size > 0) this.step();
      return undefined;
    }
    const q = this._queue;
    let stopped = false;
    const onStop = (): void => {
      stopped = true;
    };
    stop.addCallback(onStop);
    try {
      while (!stopped) {
        if (q.size === 0) {
          throw new TwinstreamError(
            'TS_SIM_UNTIL_NOT_TRIGGERED',
            `run({ until }): no event is left, but ${stop.describe()} given as until was never triggered`,
          );
        }
        this.step();
      }
    } finally {
      if (!stopped) stop.removeCallback(onStop);
    }
    return until instanceof Event ? outcome(stop) : undefined;
  }
}

function outcome<T>(ev: Event<T>): T {
  if ((ev._fail & FAILED) === 0) return ev._value;
  ev._fail = FAILED | DEFUSED;
  throw ev._value;
}

function toTimestampMs(value: number | Date | string, where: string, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    badArgument(where, name, value, 'ms since the epoch, a Date or an ISO 8601 string');
  }
  return ms;
}
