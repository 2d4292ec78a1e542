import { describe, TwinstreamError } from '../../errors.ts';
import {
  DEFUSED,
  Event,
  type EventCallback,
  FAILED,
  NORMAL,
  PENDING,
  PROCESSED,
  type Resumable,
  type Scheduler,
  TRIGGERED,
  URGENT,
} from './events.ts';
import { Interrupt } from './interrupt.ts';

/** The generator a process runs: it yields events and receives their values; its return value is the process's value. */
export type ProcessGenerator<R = unknown> = Generator<Event<any>, R, any>;

let processIds = 0;

/**
 * A running generator. It starts at the current time (before normal events of that time), resumes each time the
 * event it yielded is processed, with that event's value (or with the event's error thrown at the `yield`), and is
 * itself an event: it succeeds with the generator's return value, or fails with the error that escaped it.
 *
 * @example
 * const env = new Environment();
 * const child = env.process(function* () { yield env.timeout(2); return 'ok'; }(), 'child');
 * env.process(function* () { const r = yield child; console.log(env.now, r); }(), 'parent');
 * env.run(); // logs: 2 ok
 */
export class Process<R = unknown> extends Event<R> implements Resumable {
  /** The name used in error messages and traces. */
  readonly name: string;
  /** @internal */
  _gen: ProcessGenerator<R>;
  /** @internal the event the process waits for. */
  _target: Event<any> | null;
  // The bound resume, needed only when the process waits on an event that already has callbacks.
  private resumeFn: EventCallback<any> | null = null;

  constructor(env: Scheduler, generator: ProcessGenerator<R>, name?: string) {
    super(env);
    if (generator === null || typeof generator !== 'object' || typeof (generator as any).next !== 'function') {
      throw new TwinstreamError(
        'TS_SIM_NOT_A_GENERATOR',
        `process(${describe(generator)}): expected a generator object, e.g. env.process(car(env)) where car is a function*`,
      );
    }
    this._gen = generator;
    this.name = name ?? `process-${++processIds}`;
    // The start event: urgent, so a process created at time t starts before normal events at t.
    const init = new Event<undefined>(env, TRIGGERED);
    init._waiter = this;
    this._target = init;
    env._schedule(init, URGENT, 0);
  }

  /** The event this process waits for, or null when it is running or finished. */
  get target(): Event<any> | null {
    return this._target;
  }

  /** True until the generator returns or throws. */
  get isAlive(): boolean {
    return this._state === PENDING;
  }

  /**
   * Throws an `Interrupt` carrying `cause` inside the process at the current time (before normal events of that
   * time). The process stops waiting for its event. Interrupting a finished process, or a process interrupting
   * itself, throws.
   */
  interrupt(cause?: unknown): void {
    if (this._state !== PENDING) {
      throw new TwinstreamError(
        'TS_SIM_PROCESS_TERMINATED',
        `process "${this.name}" has terminated and cannot be interrupted`,
      );
    }
    if (this.env.activeProcess === this) {
      throw new TwinstreamError(
        'TS_SIM_SELF_INTERRUPT',
        `process "${this.name}" tried to interrupt itself; only another process or code outside it can`,
      );
    }
    const ev = new Event<Interrupt>(this.env, TRIGGERED, new Interrupt(cause));
    ev._fail = FAILED | DEFUSED;
    ev._callbacks = [() => this.deliverInterrupt(ev)];
    this.env._schedule(ev, URGENT, 0);
  }

  private deliverInterrupt(ev: Event<Interrupt>): void {
    // The process may have ended between the interrupt() call and now.
    if (this._state !== PENDING) return;
    const target = this._target;
    if (target !== null) target._unsubscribe(this, this.bound());
    this._resume(ev);
  }

  private bound(): EventCallback<any> {
    if (this.resumeFn === null) this.resumeFn = (ev) => this._resume(ev);
    return this.resumeFn;
  }

  /** @internal Resumes the generator with the outcome of `event` until it yields an event that is not processed yet. */
  _resume(event: Event<any>): void {
    const env = this.env;
    env._active = this;
    const gen = this._gen;
    let ev = event;
    for (;;) {
      let r: IteratorResult<Event<any>, R>;
      try {
        if ((ev._fail & FAILED) === 0) {
          r = gen.next(ev._value);
        } else {
          ev._fail = FAILED | DEFUSED;
          r = gen.throw(ev._value);
        }
      } catch (error) {
        this.finish(false, error);
        break;
      }
      if (r.done === true) {
        this.finish(true, r.value);
        break;
      }
      const next = r.value;
      if (!(next instanceof Event)) {
        this.finish(
          false,
          new TwinstreamError(
            'TS_SIM_BAD_YIELD',
            `process "${this.name}" yielded ${describe(next)}, which is not an event; yield env.timeout(delay), a resource request, another process or an event`,
            { context: { process: this.name, value: next } },
          ),
        );
        break;
      }
      if (next._state !== PROCESSED) {
        this._target = next;
        if (next._waiter === null && (next._callbacks === null || next._callbacks.length === 0)) next._waiter = this;
        else next.addCallback(this.bound());
        break;
      }
      // Already processed: resume at once with its value.
      ev = next;
    }
    env._active = null;
  }

  private finish(ok: boolean, value: unknown): void {
    this._target = null;
    this._fail = ok ? 0 : FAILED;
    this._value = value;
    this._state = TRIGGERED;
    this.env._schedule(this, NORMAL, 0);
  }
}
