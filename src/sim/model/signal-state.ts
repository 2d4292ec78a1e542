import type { Event, Scheduler } from '../kernel/events.ts';
import { Event as SimEvent, TRIGGERED, URGENT } from '../kernel/events.ts';

/**
 * What a wait on a signal receives: whether the firing succeeded and its value.
 *
 * @example
 * const outcome: SignalOutcome = { ok: false, value: 'too heavy' }; // a task that failed fired its signal
 */
export interface SignalOutcome {
  ok: boolean;
  value: unknown;
}

/**
 * A model's signal: fired by tasks (`signal:` on success and failure) and `fire` actions, waited on by tasks
 * (`wait: { signal }`). Each firing wakes the tasks waiting at that moment; a `once` signal fires only the first
 * time, and a wait after it returns at once (SimPy's event). Expressions read `signal.<name>.count`, `.ok`,
 * `.value`.
 *
 * @example
 * const summary = await runModel('shop.yaml');
 * const closing = summary.model.signals.get('closing')!;
 * console.log(closing.count, closing.ok, closing.value);
 */
export class SignalState {
  readonly name: string;
  readonly once: boolean;
  count = 0;
  ok = true;
  value: unknown = null;
  private readonly env: Scheduler;
  private waiters: Event<SignalOutcome>[] = [];
  private readonly listeners: ((o: SignalOutcome) => void)[] = [];

  constructor(env: Scheduler, name: string, once: boolean) {
    this.env = env;
    this.name = name;
    this.once = once;
  }

  /** An event that succeeds with the next firing's outcome (at once for a `once` signal already fired). */
  wait(): Event<SignalOutcome> {
    const ev = new SimEvent<SignalOutcome>(this.env);
    if (this.once && this.count > 0) ev.succeed({ ok: this.ok, value: this.value });
    else this.waiters.push(ev);
    return ev;
  }

  /** Stops waiting (a wait that ended another way). */
  forget(ev: Event<SignalOutcome>): void {
    const i = this.waiters.indexOf(ev);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Calls `fn` at every firing (the signal's `on` actions, a run's `stop`). */
  onFire(fn: (o: SignalOutcome) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Fires: every waiter resumes with `{ ok, value }`, after the events already due now, or, `urgent`, ahead of them
   * (SimPy's urgent priority). A `once` signal ignores firings after its first.
   */
  fire(ok: boolean, value: unknown, urgent = false): void {
    if (this.once && this.count > 0) return;
    this.count++;
    this.ok = ok;
    this.value = value;
    const waiting = this.waiters;
    this.waiters = [];
    const outcome = { ok, value };
    for (const ev of waiting) {
      if (!urgent) ev.succeed(outcome);
      else {
        ev._value = outcome;
        ev._state = TRIGGERED;
        this.env._schedule(ev, URGENT, 0);
      }
    }
    for (const fn of this.listeners) fn(outcome);
  }
}
