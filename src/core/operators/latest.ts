import { type Held, hold } from '../held.ts';
import { HeldDrain } from '../held-drain.ts';
import { type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/**
 * Passes on the newest element whenever the consumer is ready: while it is busy, newer elements replace the one
 * waiting (which is released). `emit` into it never waits.
 */
export class LatestNode<T> extends Stream<T> {
  override kind = 'latest';
  private waiting: Held<T> | null = null;
  private readonly consumer = new HeldDrain<T>(this, () => {
    const item = this.waiting;
    this.waiting = null;
    return item;
  });

  constructor(upstream: Stream<T>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const old = this.waiting;
    this.waiting = hold(x as T, metadata);
    if (old !== null) releaseRefs(old.md);
    this.consumer.kick();
  }

  /** Busy while an element waits or goes on. */
  override whenIdle(): Promise<void> | null {
    return this.consumer.whenIdle();
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
