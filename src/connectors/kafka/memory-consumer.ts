import { EventEmitter } from 'node:events';
import type { PortAssignment, PortConsumeOptions, PortConsumer, PortMessages, PortOffset } from './kafka-port.ts';
import type { MemoryKafka } from './memory-kafka.ts';
import { refused } from './memory-log.ts';

/** Records handed to `data` per turn of the event loop, at most: other work (timers, commits) runs in between. */
const PER_TURN = 1000;

/**
 * The messages of an in-memory consumer: reads its partitions from their positions, one turn of the event loop at
 * a time, stops while paused, and goes on when the cluster has news (a write, a transaction's end).
 * @internal
 */
export class MemoryMessages extends EventEmitter implements PortMessages {
  readonly offsetsToFetch = new Map<string, bigint>();
  readonly readableLength = 0;
  private paused = false;
  private closed = false;
  private scheduled = false;
  private readonly kafka: MemoryKafka;
  private readonly readCommitted: boolean;
  private turn = 0;

  constructor(kafka: MemoryKafka, readCommitted: boolean) {
    super();
    this.kafka = kafka;
    this.readCommitted = readCommitted;
    kafka.watch(this);
  }

  /** Reads these partitions from these offsets from now on (a group join, or a manual start). */
  position(offsets: readonly PortOffset[]): void {
    this.offsetsToFetch.clear();
    for (const o of offsets) this.offsetsToFetch.set(`${o.topic}:${o.partition}`, o.offset);
    this.wake();
  }

  /** Something may be there to read. */
  wake(): void {
    if (this.scheduled || this.paused || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.deliver());
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    this.wake();
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.kafka.unwatch(this);
    this.emit('close');
  }

  /** Stops without a word (the process holding it was killed). */
  vanish(): void {
    this.closed = true;
    this.kafka.unwatch(this);
  }

  private deliver(): void {
    this.scheduled = false;
    if (this.paused || this.closed) return;
    const keys = [...this.offsetsToFetch.keys()];
    let delivered = 0;
    let more = false;
    // Partitions in turn, starting one further each time: none starves the others.
    for (let k = 0; k < keys.length && !this.paused && !this.closed; k++) {
      const key = keys[(k + this.turn) % keys.length]!;
      const i = key.lastIndexOf(':');
      const topic = key.slice(0, i);
      const partition = Number(key.slice(i + 1));
      const log = this.kafka.log(topic, partition);
      if (log === undefined) continue;
      const end = log.end(this.readCommitted);
      let at = Number(this.offsetsToFetch.get(key));
      while (at < end && !this.paused && !this.closed) {
        if (delivered >= PER_TURN) {
          more = true;
          break;
        }
        const offset = at++;
        this.offsetsToFetch.set(key, BigInt(at));
        if (!log.visible(offset, this.readCommitted)) continue;
        delivered++;
        this.emit('data', log.message(topic, partition, offset));
      }
      if (at < end) more = true;
    }
    this.turn++;
    if (!this.closed) this.emit('fetch');
    if (more) this.wake();
  }
}

/**
 * A consumer of an in-memory cluster: a member of its group while it consumes (joins rebalance the group, each
 * member then reads its partitions again from the committed offsets, as the client does), commits checked against
 * its membership.
 * @internal
 */
export class MemoryConsumer extends EventEmitter implements PortConsumer {
  readonly groupId: string;
  generationId = 0;
  memberId: string | null = null;
  readonly coordinatorId = 0;
  /** The topics it consumes in its group. */
  topics: string[] = [];
  fallback: 'earliest' | 'latest' = 'latest';
  dead = false;
  private readonly kafka: MemoryKafka;
  private readonly readCommitted: boolean;
  private stream: MemoryMessages | null = null;

  constructor(kafka: MemoryKafka, groupId: string, readCommitted: boolean) {
    super();
    this.kafka = kafka;
    this.groupId = groupId;
    this.readCommitted = readCommitted;
  }

  private alive(what: string): void {
    if (this.dead) throw refused(`${what}: the consumer is closed (UNKNOWN_MEMBER_ID)`);
  }

  async consume(options: PortConsumeOptions): Promise<PortMessages> {
    this.alive('consume');
    const stream = new MemoryMessages(this.kafka, this.readCommitted);
    if (options.mode === 'manual') {
      stream.position(options.offsets);
      return stream;
    }
    for (const t of options.topics) this.kafka.topicOrCreate(t);
    this.topics = [...options.topics];
    this.fallback = options.fallbackMode;
    this.stream = stream;
    this.kafka.group(this.groupId).join(this);
    return stream;
  }

  /** The group gave this member `partitions` in generation `generation`: it reads them from the committed offsets. */
  assigned(generation: number, partitions: readonly { topic: string; partition: number }[]): void {
    this.generationId = generation;
    const group = this.kafka.group(this.groupId);
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    const assignments: PortAssignment[] = [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
    this.emit('consumer:group:join', { assignments });
    // As the client does: the join first, then the fetch positions refreshed from the committed offsets.
    this.stream?.position(
      partitions.map(({ topic, partition }) => ({
        topic,
        partition,
        offset: group.committed.get(`${topic}:${partition}`) ?? this.kafka.startOffset(topic, partition, this.fallback),
      })),
    );
  }

  async commit(options: { offsets: (PortOffset & { leaderEpoch: number })[] }): Promise<void> {
    this.alive('commit');
    const group = this.kafka.group(this.groupId);
    if (!group.has(this)) throw refused('commit: not a member of the group (UNKNOWN_MEMBER_ID)');
    for (const o of options.offsets) group.committed.set(`${o.topic}:${o.partition}`, o.offset);
  }

  async listOffsets(options: {
    topics: string[];
    isolationLevel?: 0 | 1;
    timestamp?: bigint;
  }): Promise<Map<string, bigint[]>> {
    this.alive('listOffsets');
    const out = new Map<string, bigint[]>();
    for (const t of options.topics) {
      const logs = this.kafka.topicOrCreate(t);
      out.set(
        t,
        logs.map((log) => (options.timestamp === -2n ? 0n : BigInt(log.end(options.isolationLevel === 1)))),
      );
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    await this.stream?.close();
    this.kafka.group(this.groupId).leave(this);
  }

  /** The process holding it was killed: it leaves the group, reads nothing more, and fails what it is asked. */
  crash(): void {
    if (this.dead) return;
    this.dead = true;
    this.stream?.vanish();
    this.kafka.group(this.groupId).leave(this);
  }
}

/**
 * A consumer group of an in-memory cluster: its members, the generation, the committed offsets, and the
 * assignment of every partition of the members' topics, made anew (round robin) whenever a member joins or leaves.
 * @internal
 */
export class MemoryGroup {
  readonly committed = new Map<string, bigint>();
  generation = 0;
  private readonly members: MemoryConsumer[] = [];
  private readonly kafka: MemoryKafka;
  private nextMember = 0;

  constructor(kafka: MemoryKafka) {
    this.kafka = kafka;
  }

  has(member: MemoryConsumer): boolean {
    return this.members.includes(member);
  }

  join(member: MemoryConsumer): void {
    member.memberId = `member-${++this.nextMember}`;
    this.members.push(member);
    this.rebalance();
  }

  leave(member: MemoryConsumer): void {
    const i = this.members.indexOf(member);
    if (i < 0) return;
    this.members.splice(i, 1);
    this.rebalance();
  }

  /**
   * Partitions the topics' partitions among the members and tells each member: partition p of every topic goes to
   * the same reader (the p-th, modulo, in join order), co-partitioned as with a broker (see copartitionedAssigner).
   */
  rebalance(): void {
    this.generation++;
    const given = new Map<MemoryConsumer, { topic: string; partition: number }[]>(this.members.map((m) => [m, []]));
    const topics = [...new Set(this.members.flatMap((m) => m.topics))].sort();
    for (const topic of topics) {
      const readers = this.members.filter((m) => m.topics.includes(topic));
      const count = this.kafka.topicOrCreate(topic).length;
      for (let p = 0; p < count; p++) given.get(readers[p % readers.length]!)!.push({ topic, partition: p });
    }
    for (const [member, partitions] of given) member.assigned(this.generation, partitions);
  }
}
