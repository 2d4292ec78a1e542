import { type Duration, toMillis } from '../../time/duration.ts';
import { afterPushed, sleep } from '../held.ts';
import { IdleSignal } from '../idle.ts';
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
  // Elements waiting for their turn (or going on after it); the ones let through at once are not counted.
  private waitingElements = 0;
  private readonly idleSignal = new IdleSignal();

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
    this.waitingElements++;
    return sleep(this.clock, due - now).then(() => {
      let r: Pushed;
      try {
        r = this.pass(x as T, metadata);
      } catch (e) {
        this.letGo(metadata);
        throw e;
      }
      return afterPushed(r, () => this.letGo(metadata));
    });
  }

  private letGo(metadata: Metadata | undefined): void {
    releaseRefs(metadata);
    if (--this.waitingElements === 0) this.idleSignal.idle();
  }

  /** Busy while an early element waits for its turn: up to the number waiting times `interval`. */
  override whenIdle(): Promise<void> | null {
    return this.waitingElements === 0 ? null : this.idleSignal.wait();
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
