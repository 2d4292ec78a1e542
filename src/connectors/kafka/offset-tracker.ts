import { RefCounter } from '../../core/refcount.ts';

/**
 * One consumed message of a partition whose work is not finished yet. It is the message's reference counter too
 * (one object per message, no callback): when the last node holding the element releases it, it is done.
 * @internal
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
 * @internal
 */
export class OffsetTracker {
  // A ring of entries in arrival order (its capacity a power of two, doubled when full): no allocation per
  // message beyond the entry. The head moves over finished entries as messages arrive, not only when a commit
  // asks, and their slots are cleared: an entry then dies young. Kept until the commit (a second at the default
  // interval), each one survived the young generation's collections and was copied into the old one (a fifth of
  // the consume CPU went to the garbage collector, bench/kafka.ts).
  private ring: (PendingOffset | undefined)[] = new Array(64).fill(undefined);
  private mask = 63;
  private head = 0;
  private size = 0;
  private next = -1;
  private reported = -1;
  private lastAdded = -1;

  /** Registers a consumed offset; returns its entry, which is also the element's reference counter. */
  add(offset: number): PendingOffset {
    return this.push(new PendingOffset(offset));
  }

  /**
   * Registers the entry of a consumed offset made by the caller (a subclass that also carries the message's
   * metadata, as a Kafka source's does); returns it.
   */
  push<P extends PendingOffset>(entry: P): P {
    // After a rebalance or a seek the partition may be read again from an earlier offset: start over.
    if (entry.offset <= this.lastAdded) this.reset();
    this.lastAdded = entry.offset;
    if (this.size > 0) this.advance();
    if (this.size > this.mask) this.grow();
    this.ring[(this.head + this.size) & this.mask] = entry;
    this.size++;
    return entry;
  }

  /** The offset to commit (the next one to read), or -1 when nothing new is finished. */
  committable(): number {
    this.advance();
    // A burst of messages in work (a long window) grew the ring: give the memory back once it has drained.
    if (this.mask > 1023 && this.size * 8 < this.mask) this.resize(Math.max(64, this.size * 2));
    if (this.next === this.reported) return -1;
    this.reported = this.next;
    return this.next;
  }

  /** Messages consumed and not yet finished. */
  get inFlight(): number {
    this.advance();
    return this.size;
  }

  /** Forgets everything (the partition was revoked, or is read again). */
  reset(): void {
    this.ring = new Array(64).fill(undefined);
    this.mask = 63;
    this.head = 0;
    this.size = 0;
    this.next = -1;
    this.reported = -1;
    this.lastAdded = -1;
  }

  /** Moves the head over the finished prefix, forgetting those entries. */
  private advance(): void {
    const ring = this.ring;
    const mask = this.mask;
    let h = this.head;
    let n = this.size;
    while (n > 0) {
      const e = ring[h]!;
      if (!e.done || e.failed) break;
      this.next = e.offset + 1;
      ring[h] = undefined;
      h = (h + 1) & mask;
      n--;
    }
    this.head = h;
    this.size = n;
  }

  private grow(): void {
    this.resize(this.ring.length * 2);
  }

  /** Moves the entries into a new ring of at least `capacity` slots (rounded up to a power of two). */
  private resize(capacity: number): void {
    const old = this.ring;
    const ring: (PendingOffset | undefined)[] = new Array(2 ** Math.ceil(Math.log2(capacity))).fill(undefined);
    for (let i = 0; i < this.size; i++) ring[i] = old[(this.head + i) & this.mask];
    this.ring = ring;
    this.mask = ring.length - 1;
    this.head = 0;
  }
}
