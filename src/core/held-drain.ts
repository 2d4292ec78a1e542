import { emitHeld, type Held } from './held.ts';
import { IdleSignal } from './idle.ts';
import type { Stream } from './stream.ts';

/**
 * @internal The consumer side of a node that lets elements wait (buffer, latest): started by `kick`, it begins on
 * the next turn of the node's clock, as a task would (emits in a burst are all taken first), then emits the
 * elements `next` hands it one at a time, each after the graph has taken the one before, until `next` has none.
 * The node is busy (`whenIdle`) from the kick until then.
 *
 * @example
 * private readonly consumer = new HeldDrain(this, () => this.queue.shift() ?? null);
 * // in update: this.queue.push(hold(x, metadata)); this.consumer.kick();
 */
export class HeldDrain<T> {
  private readonly node: Stream<T>;
  private readonly next: () => Held<T> | null;
  private draining = false;
  private readonly idleSignal = new IdleSignal();

  constructor(node: Stream<T>, next: () => Held<T> | null) {
    this.node = node;
    this.next = next;
  }

  /** Starts the consumer unless it runs already. */
  kick(): void {
    if (this.draining) return;
    this.draining = true;
    this.node.clock.setTimer(0, () => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let item = this.next(); item !== null; item = this.next()) await emitHeld(this.node, item);
    } finally {
      this.draining = false;
      this.idleSignal.idle();
    }
  }

  /** Settles when the consumer has run out of elements (elements left after a failure wait for the next kick). */
  whenIdle(): Promise<void> | null {
    return this.draining ? this.idleSignal.wait() : null;
  }
}
