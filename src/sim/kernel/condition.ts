import { TwinstreamError } from '../../errors.ts';
import { DEFUSED, Event, type EventCallback, FAILED, PENDING, PROCESSED, type Scheduler } from './events.ts';

/**
 * The value of a condition: the member events that were processed when it was (nested conditions are flattened
 * into their members), each with its value, in the order of the members.
 *
 * @example
 * const r = yield env.allOf([a, b]);
 * r.get(a); r.has(b); [...r.values()];
 */
export class ConditionValue {
  /** The processed member events, in member order. */
  readonly events: Event<any>[] = [];

  /** The value of `event`; throws `TS_SIM_NOT_IN_CONDITION` if it is not part of this value. */
  get<T>(event: Event<T>): T {
    if (!this.events.includes(event)) {
      throw new TwinstreamError(
        'TS_SIM_NOT_IN_CONDITION',
        `${event.describe()} is not in this condition value (it was not processed when the condition was)`,
      );
    }
    return event._value;
  }

  /** True if `event` is part of this value. */
  has(event: Event<any>): boolean {
    return this.events.includes(event);
  }

  /** The number of events in the value. */
  get size(): number {
    return this.events.length;
  }

  /** The values, in member order. */
  values(): unknown[] {
    return this.events.map((e) => e._value);
  }

  /** A `Map` from event to value. */
  toMap(): Map<Event<any>, unknown> {
    return new Map(this.events.map((e) => [e, e._value]));
  }

  [Symbol.iterator](): Iterator<Event<any>> {
    return this.events[Symbol.iterator]();
  }
}

/** Decides whether a condition is met, given its members and how many of them were processed so far. */
export type ConditionEvaluate = (events: readonly Event<any>[], count: number) => boolean;

/** Met when every member event is processed. */
export const allEvents: ConditionEvaluate = (events, count) => events.length === count;
/** Met when any member event is processed (or there are none). */
export const anyEvents: ConditionEvaluate = (events, count) => events.length === 0 || count > 0;

/**
 * An event that triggers once `evaluate` says its member events are done; it fails as soon as a member fails.
 * Its value is a `ConditionValue`. Use `env.allOf`, `env.anyOf`, `a.and(b)`, `a.or(b)`.
 *
 * @example
 * const env = new Environment();
 * env.process(function* () {
 *   const fast = env.timeout(1, 'fast'), slow = env.timeout(5, 'slow');
 *   const r = yield new Condition(env, anyEvents, [fast, slow]);
 *   console.log(env.now, r.values()); // 1 ['fast']
 * }());
 * env.run();
 */
export class Condition extends Event<ConditionValue> {
  private readonly evaluate: ConditionEvaluate;
  private readonly members: Event<any>[];
  private count = 0;
  private readonly check: EventCallback<any> = (ev) => this.onMember(ev);

  constructor(env: Scheduler, evaluate: ConditionEvaluate, events: Iterable<Event<any>>) {
    super(env);
    this.evaluate = evaluate;
    this.members = [...events];
    if (this.members.length === 0) {
      this.succeed(new ConditionValue());
      return;
    }
    for (const ev of this.members) {
      if (!(ev instanceof Event)) {
        throw new TwinstreamError('TS_SIM_BAD_CONDITION', `a condition's members must be events; got ${String(ev)}`);
      }
      if (ev.env !== env) {
        throw new TwinstreamError(
          'TS_SIM_MIXED_ENVIRONMENTS',
          'a condition cannot mix events from different environments',
        );
      }
    }
    for (const ev of this.members) {
      if (ev._state === PROCESSED) this.onMember(ev);
      else ev.addCallback(this.check);
    }
    this.addCallback(() => this.build());
  }

  private onMember(ev: Event<any>): void {
    if (this._state !== PENDING) return;
    this.count++;
    if ((ev._fail & FAILED) !== 0) {
      ev._fail = FAILED | DEFUSED;
      this.fail(ev._value);
    } else if (this.evaluate(this.members, this.count)) {
      this.succeed();
    }
  }

  private build(): void {
    this.detach();
    if ((this._fail & FAILED) === 0) {
      const value = new ConditionValue();
      this.collect(value);
      this._value = value;
    }
  }

  private collect(value: ConditionValue): void {
    for (const ev of this.members) {
      if (ev instanceof Condition) ev.collect(value);
      else if (ev._state === PROCESSED) value.events.push(ev);
    }
  }

  private detach(): void {
    for (const ev of this.members) {
      if (ev._state !== PROCESSED) ev.removeCallback(this.check);
      if (ev instanceof Condition) ev.detach();
    }
  }
}

declare module './events.ts' {
  interface Event<T> {
    /** A condition met when both this event and `other` are processed (`a & b` in SimPy). */
    and(other: Event<any>): Condition;
    /** A condition met when this event or `other` is processed (`a | b` in SimPy). */
    or(other: Event<any>): Condition;
  }
}

// Attached here rather than in events.ts so events.ts does not import this file (no import cycle).
Event.prototype.and = function and(this: Event<any>, other: Event<any>): Condition {
  return new Condition(this.env, allEvents, [this, other]);
};
Event.prototype.or = function or(this: Event<any>, other: Event<any>): Condition {
  return new Condition(this.env, anyEvents, [this, other]);
};
