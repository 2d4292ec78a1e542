import { describe, TwinstreamError } from '../../errors.ts';

/** @internal Priority of events that must run before normal events of the same time: process starts, interrupts, stops. */
export const URGENT = 0;
/** @internal Priority of every other event. */
export const NORMAL = 1;

// Event states. An event is triggered once it has a value and sits in the queue; processed once its callbacks ran.
/** @internal */
export const PENDING = 0;
/** @internal */
export const TRIGGERED = 1;
/** @internal */
export const PROCESSED = 2;

// The outcome bits of `_fail`: FAILED once the event failed, DEFUSED once its error was handled. One field instead of
// two booleans: one write fewer per event created, and the run loop tests a failed, unhandled event with one compare.
/** @internal */
export const FAILED = 1;
/** @internal */
export const DEFUSED = 2;

/** A callback attached to an event; it runs when the event is processed. */
export type EventCallback<T = any> = (event: Event<T>) => void;

/** Something that resumes when an event it waits for is processed: a process. */
export interface Resumable {
  /** @internal */
  _resume(event: Event<any>): void;
}

/**
 * What an event needs from its environment. Kept as an interface so events do not import the environment (no
 * import cycle); `Environment` implements it.
 */
export interface Scheduler {
  readonly now: number;
  readonly activeProcess: (Event<any> & { readonly name: string }) | null;
  /** @internal the process being resumed, set by the process itself. */
  _active: (Event<any> & { readonly name: string }) | null;
  /** @internal */
  _schedule(event: Event<any>, priority: number, delay: number): void;
}

/**
 * Something that may happen at a point in simulated time. An event is *pending* until `succeed()` or `fail()`
 * triggers it, which puts it in the environment's queue at the current time; when the environment reaches it, it is
 * *processed*: its callbacks run in the order they were added and waiting processes resume with its value. An event
 * is triggered at most once.
 *
 * @example
 * const env = new Environment();
 * const door = env.event<string>();
 * env.process(function* () { const who = yield door; console.log(env.now, who); }());
 * env.process(function* () { yield env.timeout(3); door.succeed('open'); }());
 * env.run(); // logs: 3 open
 */
export class Event<T = unknown> {
  readonly env: Scheduler;
  /** @internal PENDING, TRIGGERED or PROCESSED. */
  _state: number;
  /** @internal FAILED and DEFUSED bits (0: succeeded or pending). */
  _fail: number;
  /** @internal the value, or the error of a failed event. */
  _value: any;
  // Fast path: the first subscriber, when it is a process, waits here instead of in a callbacks array, so the
  // common `yield env.timeout(d)` allocates no array. It is used only while no callback is attached, so callback
  // order (first added, first called) is kept.
  /** @internal */
  _waiter: Resumable | null;
  /** @internal */
  _callbacks: EventCallback<any>[] | null;

  /** `state` and `value` are for the kernel (a timeout is born triggered, with its value): one write per field. */
  constructor(env: Scheduler, state: number = PENDING, value?: any) {
    this.env = env;
    this._state = state;
    this._fail = 0;
    this._value = value;
    this._waiter = null;
    this._callbacks = null;
  }

  /** True once the event has a value and is scheduled (a `Timeout` is triggered as soon as it exists). */
  get triggered(): boolean {
    return this._state !== PENDING;
  }

  /** True once the event's callbacks have run. */
  get processed(): boolean {
    return this._state === PROCESSED;
  }

  /** True if the event succeeded (or is still pending); false if it failed. */
  get ok(): boolean {
    return (this._fail & FAILED) === 0;
  }

  /** A failed event whose error was handled (by a waiting process or a condition) does not crash the run. */
  get defused(): boolean {
    return (this._fail & DEFUSED) !== 0;
  }

  set defused(value: boolean) {
    this._fail = value ? this._fail | DEFUSED : this._fail & FAILED;
  }

  /** The value (or the error of a failed event). Throws `TS_SIM_EVENT_PENDING` while the event is pending. */
  get value(): T {
    if (this._state === PENDING) {
      throw new TwinstreamError(
        'TS_SIM_EVENT_PENDING',
        `the value of ${this.describe()} is not available yet: the event is still pending`,
      );
    }
    return this._value;
  }

  /** Triggers the event with `value`; waiting processes resume at the current time. Throws if already triggered. */
  succeed(value?: T): this {
    if (this._state !== PENDING) this.alreadyTriggered('succeed');
    this._value = value;
    this._state = TRIGGERED;
    this.env._schedule(this, NORMAL, 0);
    return this;
  }

  /** Triggers the event as failed: `error` is thrown inside every process waiting for it. Throws if already triggered. */
  fail(error: unknown): this {
    if (this._state !== PENDING) this.alreadyTriggered('fail');
    this._fail |= FAILED;
    this._value = error;
    this._state = TRIGGERED;
    this.env._schedule(this, NORMAL, 0);
    return this;
  }

  /** Triggers this event with the outcome of `other` (which must be triggered); usable as a callback. */
  trigger(other: Event<T>): this {
    if (other._state === PENDING) {
      throw new TwinstreamError(
        'TS_SIM_EVENT_PENDING',
        `cannot copy the outcome of ${other.describe()}: it is still pending`,
      );
    }
    return (other._fail & FAILED) === 0 ? this.succeed(other._value) : this.fail(other._value);
  }

  /** Adds a callback, called with the event when it is processed. Throws if it was processed already. */
  addCallback(fn: EventCallback<T>): void {
    if (this._state === PROCESSED) {
      throw new TwinstreamError(
        'TS_SIM_EVENT_PROCESSED',
        `cannot add a callback to ${this.describe()}: it was processed already`,
      );
    }
    if (this._callbacks === null) this._callbacks = [fn];
    else this._callbacks.push(fn);
  }

  /** Removes a callback added with `addCallback`; returns whether it was there. */
  removeCallback(fn: EventCallback<T>): boolean {
    const cbs = this._callbacks;
    if (cbs === null) return false;
    const i = cbs.indexOf(fn);
    if (i < 0) return false;
    cbs.splice(i, 1);
    return true;
  }

  /** @internal */
  _unsubscribe(p: Resumable, fn: EventCallback<any>): void {
    if (this._waiter === p) this._waiter = null;
    else this.removeCallback(fn);
  }

  /** A short description for messages. */
  describe(): string {
    return this.constructor.name === 'Event' ? 'an event' : `a ${this.constructor.name}`;
  }

  private alreadyTriggered(op: string): never {
    throw new TwinstreamError(
      'TS_SIM_ALREADY_TRIGGERED',
      `${op}() on ${this.describe()} that has already been triggered (value ${describe(this._value)}); an event triggers once`,
    );
  }
}

/**
 * What `env.timeout(delay, value)` returns: an event that is triggered when created and is processed `delay` time
 * units later with `value`. It is a plain `Event` (one object shape for the hot path); this name is for readability.
 *
 * @example
 * const t: Timeout<string> = env.timeout(5, 'done');
 */
export type Timeout<T = undefined> = Event<T>;

/** @internal Checks a timeout delay; the error names the process that asked for it. */
export function badDelay(env: Scheduler, delay: unknown): never {
  throw new TwinstreamError(
    'TS_SIM_BAD_DELAY',
    `timeout delay = ${describe(delay)}${env.activeProcess ? ` in process "${env.activeProcess.name}"` : ''} is not valid; expected a finite number >= 0 (time units) or a duration such as '5m'`,
    { context: { delay } },
  );
}
