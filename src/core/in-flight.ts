import { IdleSignal } from './idle.ts';
import type { Pushed } from './stream.ts';

/**
 * What a node emits from a timer of its own (a tick, a timeout, an interval) has nobody upstream to wait for it:
 * the node keeps count of those deliveries still settling, so that its `whenIdle` (and so `done` of the source)
 * waits for them too. A rejection is passed on as before (to the process, as nobody awaits a timer).
 *
 * @example
 * private readonly inFlight = new InFlight();
 * // in the timer: this.inFlight.track(this.pass(batch));
 * override whenIdle() { return this.inFlight.wait(); }
 */
export class InFlight {
  private count = 0;
  private readonly signal = new IdleSignal();

  /** Counts `r` until it settles (nothing to do, and no allocation, when it is not a promise). Returns `r`. */
  track(r: Pushed): Pushed {
    if (r === undefined) return;
    this.count++;
    return r.then(
      () => this.settled(),
      (error: unknown) => {
        this.settled();
        throw error;
      },
    );
  }

  private settled(): void {
    if (--this.count === 0) this.signal.idle();
  }

  /** Null when nothing is in flight; else a promise that settles when all of it has. */
  wait(): Promise<void> | null {
    return this.count === 0 ? null : this.signal.wait();
  }
}
