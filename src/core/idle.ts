import { graphNodes } from './graph.ts';
import type { Stream } from './stream.ts';

/**
 * What a node that holds elements asynchronously gives out from `whenIdle`: one promise, made only when someone
 * asks, shared by all who ask until the node lets go of its last element. The node calls `idle()` where it does.
 *
 * @example
 * private readonly idleSignal = new IdleSignal();
 * override whenIdle() { return this.queue.length === 0 ? null : this.idleSignal.wait(); }
 * // where the last element has gone on: this.idleSignal.idle();
 */
export class IdleSignal {
  private promise: Promise<void> | null = null;
  private resolve: (() => void) | null = null;

  /** A promise that settles at the next `idle()`. */
  wait(): Promise<void> {
    this.promise ??= new Promise<void>((r) => {
      this.resolve = r;
    });
    return this.promise;
  }

  /** The node holds nothing now: wakes whoever waits (nothing to do, and no allocation, when nobody does). */
  idle(): void {
    const resolve = this.resolve;
    if (resolve === null) return;
    this.promise = null;
    this.resolve = null;
    resolve();
  }
}

/**
 * Settles once no node of the graph around `roots` holds an element it will hand on by itself: with the sources
 * held, everything they emitted has then reached a sink, a window or a node that waits for more input. A node
 * whose end is in progress (its flush at the end settling) counts as busy, and a failed flush rejects. Asks again
 * after each wait, as a node that lets go feeds the next one. Resolves at once (without a promise per node) when
 * every node is idle. What `done` of a source waits for.
 *
 * @example
 * source.holdUntil(done); // no new elements meanwhile
 * await whenGraphIdle([source]);
 */
export async function whenGraphIdle(roots: readonly Stream<any>[]): Promise<void> {
  for (;;) {
    const busy: Promise<void>[] = [];
    for (const node of graphNodes(roots)) {
      const p = node.whenSettled();
      if (p !== null) busy.push(p);
    }
    if (busy.length === 0) return;
    await Promise.all(busy);
  }
}
