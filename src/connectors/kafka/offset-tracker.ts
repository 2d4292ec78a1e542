import { RefCounter } from '../../core/refcount.ts';

/**
 * One consumed message of a partition whose work is not finished yet. It is the message's reference counter too
 * (one object per message, no callback): when the last node holding the element releases it, it is done.
 */
export class PendingOffset extends RefCounter {
  readonly offset: number;
  done = false;
  failed = false;

  constructor(offset: number) {
    super();
    this.offset = offset;
  }

  override release(n = 1): void {
    super.release(n);
    if (this.count === 0) this.done = true;
  }
}

/**
 * Which offsets of one partition may be committed: messages finish out of order (a buffer, a window holds some
 * longer), but the committed offset must never pass one still in work. The tracker keeps consumed offsets in
 * arrival order and advances over the finished prefix only; a failed one stops it for good (its work is lost: the
 * message must be read again after a restart).
 *
 * @example
 * const t = new OffsetTracker();
 * const a = t.add(10), b = t.add(11);
 * b.done = true; t.committable(); // -1: offset 10 is still in work
 * a.retain(); a.release(); t.committable(); // 12: the next offset to read (a's last holder let go)
 */
export class OffsetTracker {
  // A queue as an array plus a head index (compacted now and then): no allocation per message beyond the entry.
  private queue: PendingOffset[] = [];
  private head = 0;
  private next = -1;
  private lastAdded = -1;

  /** Registers a consumed offset; returns its entry, which is also the element's reference counter. */
  add(offset: number): PendingOffset {
    // After a rebalance or a seek the partition may be read again from an earlier offset: start over.
    if (offset <= this.lastAdded) this.reset();
    this.lastAdded = offset;
    const p = new PendingOffset(offset);
    this.queue.push(p);
    return p;
  }

  /** The offset to commit (the next one to read), or -1 when nothing new is finished. */
  committable(): number {
    const q = this.queue;
    let h = this.head;
    while (h < q.length && q[h]!.done && !q[h]!.failed) {
      this.next = q[h]!.offset + 1;
      h++;
    }
    if (h === this.head) return -1;
    this.head = h;
    if (h > 1024 && h * 2 > q.length) {
      this.queue = q.slice(h);
      this.head = 0;
    }
    return this.next;
  }

  /** Messages consumed and not yet finished. */
  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Forgets everything (the partition was revoked, or is read again). */
  reset(): void {
    this.queue = [];
    this.head = 0;
    this.next = -1;
    this.lastAdded = -1;
  }
}
