import { type Duration, toMillis } from '../../time/duration.ts';
import { afterPushed, sleep } from '../held.ts';
import { type Metadata, releaseRefs, retainRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

/**
 * Lets at most one element through per `interval`: an early element waits, and its emitter with it (the
 * returned promise settles once the element has gone on).
 */
export class RateLimitNode<T> extends Stream<T> {
  override kind = 'rateLimit';
  readonly interval: number;
  private next = Number.NEGATIVE_INFINITY;

  constructor(upstream: Stream<T>, interval: number) {
    super({ clock: upstream.clock });
    this.interval = interval;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const now = this.clock.now();
    const due = this.next;
    this.next = Math.max(now, due) + this.interval;
    if (now >= due) return this.pass(x as T, metadata);
    retainRefs(metadata);
    return sleep(this.clock, due - now).then(() =>
      afterPushed(this.pass(x as T, metadata), () => releaseRefs(metadata)),
    );
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * At most one element per `interval`; emitters wait (back pressure), nothing is dropped.
     * @example source.rateLimit('50ms')
     */
    rateLimit(interval: Duration): Stream<T>;
  }
}

Stream.register('rateLimit', function rateLimit(this: Stream<any>, interval: Duration) {
  return new RateLimitNode(this, toMillis(interval, 'rateLimit: interval'));
});
