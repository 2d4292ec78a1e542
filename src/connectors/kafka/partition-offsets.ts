import type { OffsetToCommit } from './kafka-source-config.ts';
import { OffsetTracker, type PendingOffset } from './offset-tracker.ts';

/** One message in work: its reference counter marks it done (or failed). */
export interface TrackedMessage {
  done: boolean;
  failed: boolean;
}

/**
 * The offsets of a source, per partition (`topic:partition`): the messages in work, the greatest offset handled
 * since the partition was assigned, the last message (its group metadata goes with a transactional commit) and
 * the offset last committed. A message at or below the handled offset is not handled again: after a rejoin the
 * client reads a partition again from its committed offset, and what this process already handled (outputs
 * committed or in the open transaction, state in its windows) must not count twice.
 *
 * @example
 * const offsets = new PartitionOffsets();
 * const entry = offsets.track('raw:0', 42, message); // null when offset 42 was handled already
 * entry.done = true;
 * offsets.finished(); // [{ topic: 'raw', partition: 0, offset: 43, message }]
 */
export class PartitionOffsets {
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly highest = new Map<string, number>();
  private readonly lastMessage = new Map<string, unknown>();
  private readonly committed = new Map<string, number>();

  /** The greatest offset handled per partition, since it was assigned here. */
  handled(): ReadonlyMap<string, number> {
    return this.highest;
  }

  /** Restored state already covers the partition up to `offset`: messages up to it are not handled again. */
  cover(key: string, offset: number): void {
    if (offset > (this.highest.get(key) ?? -1)) this.highest.set(key, offset);
  }

  /** Registers a message about to be handled; null when it was handled already. The entry is its reference counter. */
  track(key: string, offset: number, message: unknown): PendingOffset | null {
    if (offset <= (this.highest.get(key) ?? -1)) return null;
    this.highest.set(key, offset);
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new OffsetTracker()));
    this.lastMessage.set(key, message);
    return tracker.add(offset);
  }

  /** The partition was revoked: what was handled and in work there is forgotten. */
  revoke(key: string): void {
    this.highest.delete(key);
    this.trackers.get(key)?.reset();
  }

  /** The offsets finished since the last commit, per partition. */
  finished(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const [key, tracker] of this.trackers) {
      const next = tracker.committable();
      if (next < 0 || next <= (this.committed.get(key) ?? -1)) continue;
      const i = key.lastIndexOf(':');
      out.push({
        topic: key.slice(0, i),
        partition: Number(key.slice(i + 1)),
        offset: next,
        message: this.lastMessage.get(key),
      });
    }
    return out;
  }

  /** Records that `offsets` were committed. */
  markCommitted(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) this.committed.set(`${o.topic}:${o.partition}`, o.offset);
  }
}

/** What a source's owner may hook into the life of a partition (see `KafkaSource.beforePartition`). */
export interface PartitionHooks {
  beforePartition: ((topic: string, partition: number) => Promise<number>) | null;
  onRevoke: ((topic: string, partition: number) => void) | null;
}

/**
 * Runs the owner's `beforePartition` once per assigned partition before its first message (messages wait for it),
 * and `onRevoke` for a prepared partition a group join took away.
 */
export class PartitionPreparer {
  private readonly prepared = new Map<string, Promise<void> | true>();
  private readonly offsets: PartitionOffsets;
  private readonly hooks: PartitionHooks;

  constructor(offsets: PartitionOffsets, hooks: PartitionHooks) {
    this.offsets = offsets;
    this.hooks = hooks;
  }

  /** Null when the partition's messages may be handled now; else what they wait for. */
  ready(key: string, topic: string, partition: number): Promise<void> | null {
    const before = this.hooks.beforePartition;
    if (before === null) return null;
    const ready = this.prepared.get(key);
    if (ready === true) return null;
    if (ready !== undefined) return ready;
    const p = before(topic, partition).then((covered) => {
      this.offsets.cover(key, covered);
      this.prepared.set(key, true);
    });
    p.catch(() => this.prepared.delete(key));
    this.prepared.set(key, p);
    return p;
  }

  /** A group join: prepared partitions not assigned any more are forgotten (state owners drop their state). */
  assigned(assignments: { topic: string; partitions: number[] }[] | undefined): void {
    if (this.hooks.beforePartition === null || !Array.isArray(assignments)) return;
    const now = new Set<string>();
    for (const a of assignments) for (const p of a.partitions ?? []) now.add(`${a.topic}:${p}`);
    for (const key of [...this.prepared.keys()]) {
      if (now.has(key)) continue;
      this.prepared.delete(key);
      this.offsets.revoke(key);
      const i = key.lastIndexOf(':');
      this.hooks.onRevoke?.(key.slice(0, i), Number(key.slice(i + 1)));
    }
  }
}
