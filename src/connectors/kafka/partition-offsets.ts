import type { MetadataEntry, RefCounter } from '../../core/refcount.ts';
import type { SourceHooks } from '../source/owner-hooks.ts';
import type { OffsetToCommit } from './kafka-source-config.ts';
import { OffsetTracker, PendingOffset } from './offset-tracker.ts';
import type { KafkaMetadata } from './record.ts';

/** @internal One message in work: its reference counter marks it done (or failed). */
export interface TrackedMessage {
  done: boolean;
  failed: boolean;
}

/**
 * The metadata entry a source attaches to a message's element, which is also its offset entry and reference
 * counter: one object per message where there were two (an entry and a metadata object pointing at it).
 *
 * @example
 * const entry = new MessageEntry(42, 'raw', 0, keyBytes);
 * source.emit(record, [entry]); // entry.ref === entry
 * @internal
 */
export class MessageEntry extends PendingOffset implements KafkaMetadata, MetadataEntry {
  // Metadata entries are open records (joins and users add fields): this one is too, so it passes as one.
  [field: string]: unknown;
  /** The reference counter the graph retains and releases: the entry itself. */
  readonly ref: RefCounter = this;
  readonly topic: string;
  readonly partition: number;
  readonly kafkaKey: Buffer | undefined;

  constructor(offset: number, topic: string, partition: number, kafkaKey: Buffer | undefined) {
    super(offset);
    this.topic = topic;
    this.partition = partition;
    this.kafkaKey = kafkaKey;
  }
}

/** What a source knows of one partition (`topic:partition`). */
class PartitionState {
  /** The greatest offset handled since the partition was assigned (-1: none). */
  highest = -1;
  readonly tracker = new OffsetTracker();
  /** The last message handled (its group metadata goes with a transactional commit). */
  lastMessage: unknown = undefined;
  /** The offset last committed (-1: none). */
  committed = -1;
  /** The greatest offset delivered since the partition was assigned or rewound, handled or skipped (-1: none). */
  seen = -1;
  /**
   * After a rewind, the greatest offset delivered before it (-1: no rewind pending): messages past it were fetched
   * before the client went back to the committed offset, and are dropped until the first one read again arrives.
   */
  rewoundFrom = -1;
  readonly key: string;

  constructor(key: string) {
    this.key = key;
  }
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
 * const entry = offsets.track('raw:0', new PendingOffset(42), message); // false when offset 42 was handled already
 * entry.done = true;
 * offsets.finished(); // [{ topic: 'raw', partition: 0, offset: 43, message }]
 * @internal
 */
export class PartitionOffsets {
  private readonly partitions = new Map<string, PartitionState>();
  // Consecutive messages mostly come from one partition: one lookup per change of partition, not four per message.
  private last: PartitionState | null = null;

  private state(key: string): PartitionState {
    const last = this.last;
    if (last !== null && last.key === key) return last;
    let p = this.partitions.get(key);
    if (p === undefined) this.partitions.set(key, (p = new PartitionState(key)));
    this.last = p;
    return p;
  }

  /** The greatest offset handled per partition, since it was assigned here (a copy). */
  handled(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [key, p] of this.partitions) if (p.highest >= 0) out.set(key, p.highest);
    return out;
  }

  /** Restored state already covers the partition up to `offset`: messages up to it are not handled again. */
  cover(key: string, offset: number): void {
    const p = this.state(key);
    if (offset > p.highest) p.highest = offset;
  }

  /**
   * Registers a message about to be handled, with its entry (its reference counter; `entry.offset` is the
   * message's); false when the offset was handled already (the entry is then not tracked).
   */
  track(key: string, entry: PendingOffset, message: unknown): boolean {
    const p = this.state(key);
    if (p.rewoundFrom >= 0) {
      // Fetched before the rewind (the client's buffer), ahead of the messages read again from the committed offset.
      if (entry.offset > p.rewoundFrom) return false;
      p.rewoundFrom = -1;
    }
    if (entry.offset > p.seen) p.seen = entry.offset;
    if (entry.offset <= p.highest) return false;
    p.highest = entry.offset;
    p.lastMessage = message;
    p.tracker.push(entry);
    return true;
  }

  /** The partition was revoked: what was handled and in work there is forgotten. */
  revoke(key: string): void {
    const p = this.partitions.get(key);
    if (p === undefined) return;
    p.highest = -1;
    p.seen = -1;
    p.rewoundFrom = -1;
    p.tracker.reset();
  }

  /**
   * What was handled since the last commit is to be handled again (its outputs were aborted with their transaction):
   * back to the committed offset, the messages in work forgotten. The client reads the partition again from the
   * committed offset (it does after every group join); what it fetched before, still arriving, is dropped. Returns
   * false when nothing past the committed offset was handled (nothing to read again).
   */
  rewind(key: string): boolean {
    const p = this.partitions.get(key);
    // Read again from the committed offset, the client delivers `seen` or an earlier message first: it was
    // delivered, so it is there, at or past the committed offset (where the client began, or where this source
    // committed since).
    if (p === undefined || p.seen < 0 || p.seen < p.committed) return false;
    p.rewoundFrom = p.seen;
    p.seen = -1;
    p.highest = p.committed - 1;
    p.tracker.reset();
    return true;
  }

  /** The partitions with messages handled here since they were assigned (`topic:partition`). */
  keys(): string[] {
    const out: string[] = [];
    for (const [key, p] of this.partitions) if (p.seen >= 0 || p.highest >= 0 || p.rewoundFrom >= 0) out.push(key);
    return out;
  }

  /** The offsets finished since the last commit, per partition. */
  finished(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const [key, p] of this.partitions) {
      const next = p.tracker.committable();
      if (next < 0 || next <= p.committed) continue;
      const i = key.lastIndexOf(':');
      out.push({
        topic: key.slice(0, i),
        partition: Number(key.slice(i + 1)),
        offset: next,
        message: p.lastMessage,
      });
    }
    return out;
  }

  /** Records that `offsets` were committed. */
  markCommitted(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) this.state(`${o.topic}:${o.partition}`).committed = o.offset;
  }
}

/**
 * Runs the owner's `beforePartition` once per assigned partition before its first message (messages wait for it),
 * and `onRevoke` for a prepared partition a group join took away.
 * @internal
 */
export class PartitionPreparer {
  private readonly prepared = new Map<string, Promise<void> | true>();
  private readonly offsets: PartitionOffsets;
  private readonly hooks: SourceHooks;

  constructor(offsets: PartitionOffsets, hooks: SourceHooks) {
    this.offsets = offsets;
    this.hooks = hooks;
  }

  // The last partition found prepared: consecutive messages mostly share it (no map lookup per message).
  private lastReady: string | null = null;

  /** Null when the partition's messages may be handled now; else what they wait for. */
  ready(key: string, topic: string, partition: number): Promise<void> | null {
    if (key === this.lastReady) return null;
    const before = this.hooks.beforePartition;
    if (before === undefined) return null;
    const ready = this.prepared.get(key);
    if (ready === true) {
      this.lastReady = key;
      return null;
    }
    if (ready !== undefined) return ready;
    // A restore that ends after its partition was revoked (and maybe assigned again, with a newer restore under
    // way) changes nothing: only the partition's current restore marks it prepared.
    const p: Promise<void> = before(topic, partition).then((covered) => {
      if (this.prepared.get(key) !== p) return;
      this.offsets.cover(key, covered);
      this.prepared.set(key, true);
    });
    p.catch(() => {
      if (this.prepared.get(key) === p) this.prepared.delete(key);
    });
    this.prepared.set(key, p);
    return p;
  }

  /** A group join: prepared partitions not assigned any more are forgotten (state owners drop their state). */
  assigned(assignments: { topic: string; partitions: number[] }[] | undefined): void {
    if (this.hooks.beforePartition === undefined || !Array.isArray(assignments)) return;
    const now = new Set<string>();
    for (const a of assignments) for (const p of a.partitions ?? []) now.add(`${a.topic}:${p}`);
    for (const key of [...this.prepared.keys()]) {
      if (now.has(key)) continue;
      this.offsets.revoke(key);
      this.forget(key);
    }
  }

  /**
   * The partition's state is dropped (`onRevoke`) and it is prepared again: at once when `again` (its state is
   * restored, as of the last commit, before its messages are read again), else before its next message.
   */
  forget(key: string, again = false): void {
    if (key === this.lastReady) this.lastReady = null;
    const known = this.prepared.delete(key);
    const i = key.lastIndexOf(':');
    const topic = key.slice(0, i);
    const partition = Number(key.slice(i + 1));
    if (known || this.hooks.beforePartition === undefined) this.hooks.onRevoke?.(topic, partition);
    // Failures show on the first message, which waits for the same promise.
    if (again) this.ready(key, topic, partition)?.catch(() => {});
  }

  /** The partitions prepared or being prepared (`topic:partition`). */
  keys(): string[] {
    return [...this.prepared.keys()];
  }
}
