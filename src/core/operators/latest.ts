import { emitHeld, type Held, hold } from '../held.ts';
import { IdleSignal } from '../idle.ts';
import { type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/**
 * Passes on the newest element whenever the consumer is ready: while it is busy, newer elements replace the one
 * waiting (which is released). `emit` into it never waits.
 */
export class LatestNode<T> extends Stream<T> {
  override kind = 'latest';
  private waiting: Held<T> | null = null;
  private draining = false;
  private readonly idleSignal = new IdleSignal();

  constructor(upstream: Stream<T>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const old = this.waiting;
    this.waiting = hold(x as T, metadata);
    if (old !== null) releaseRefs(old.md);
    if (!this.draining) {
      this.draining = true;
      this.clock.setTimer(0, () => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      for (let item = this.waiting; item !== null; item = this.waiting) {
        this.waiting = null;
        await emitHeld(this, item);
      }
    } finally {
      this.draining = false;
      this.idleSignal.idle();
    }
  }

  /** Busy while an element waits or goes on. */
  override whenIdle(): Promise<void> | null {
    return this.draining ? this.idleSignal.wait() : null;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Drops intermediate elements while the consumer is busy: it always gets the newest one.
     * @example sensor.latest().sink(async (x) => await redraw(x))
     */
    latest(): Stream<T>;
  }
}

Stream.register('latest', function latest(this: Stream<any>) {
  return new LatestNode(this);
});
