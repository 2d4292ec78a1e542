/**
 * Thrown inside a process by `process.interrupt(cause)`. The process may catch it and go on; `cause` says why.
 *
 * @example
 * env.process(function* () {
 *   try { yield env.timeout(10); } catch (e) { if (e instanceof Interrupt) console.log('stopped by', e.cause); else throw e; }
 * }());
 */
export class Interrupt extends Error {
  override readonly cause: unknown;

  constructor(cause?: unknown) {
    super(`process interrupted${cause === undefined ? '' : `: ${String(cause)}`}`);
    this.name = 'Interrupt';
    this.cause = cause;
  }
}

/**
 * The cause of the `Interrupt` a `PreemptiveResource` throws into a user it evicts.
 *
 * @example
 * try { yield req; yield env.timeout(5); }
 * catch (e) { if (e instanceof Interrupt && e.cause instanceof Preempted) console.log('preempted at', e.cause.usageSince); }
 */
export class Preempted {
  /** The process whose request took the resource (null if the request came from outside a process). */
  readonly by: unknown;
  /** When the evicted user got the resource. */
  readonly usageSince: number;
  /** The resource it lost. */
  readonly resource: unknown;

  constructor(by: unknown, usageSince: number, resource: unknown) {
    this.by = by;
    this.usageSince = usageSince;
    this.resource = resource;
  }
}
