import { badArgument } from '../../errors.ts';
import { type Clock, realClock } from '../../time/clock.ts';
import { murmur2Partitioner } from './fast-produce.ts';
import type { KafkaPort, PortAdmin, PortConsumer, PortMessage, PortProduceResult, PortProducer } from './kafka-port.ts';
import { MemoryConsumer, MemoryGroup, type MemoryMessages } from './memory-consumer.ts';
import { PartitionLog, refused, type TxState } from './memory-log.ts';
import { MemoryProducer, type TransactionalId } from './memory-producer.ts';

/** A record of an in-memory topic, as `read` returns it. */
export interface MemoryRecord {
  partition: number;
  offset: number;
  key: string | undefined;
  /** The value parsed as JSON when it is JSON, else as text; null for a tombstone. */
  value: unknown;
  timestamp: number;
  /** Headers as UTF-8 text (a null-prototype object). */
  headers: Record<string, string>;
}

/** A message to write with `produce`: a key, a value (JSON-encoded unless bytes or a string), where and when. */
export interface MemoryMessage {
  key?: string | Buffer;
  value: unknown;
  partition?: number;
  timestamp?: number;
}

/**
 * A Kafka cluster in memory, for testing applications and sources without a broker, in virtual time: partitioned
 * topics, consumer groups (members join and leave, partitions are assigned anew, each member reads from the
 * committed offsets), transactions (commit, abort, fencing by transactional id) and read_committed readers. Give it
 * as the `client` of a connection; `crash(clientId)` kills the clients of one application, as SIGKILL kills its
 * process.
 *
 * It does not model the network, replication, compaction, retention, quotas or the timing of rebalances: what only
 * a broker shows is for tests against one.
 *
 * @example
 * const kafka = new MemoryKafka();
 * kafka.createTopic('in', 2);
 * kafka.produce('in', [{ key: 'a', value: { x: 1 } }]);
 * const app = new Application({ brokers: kafka.brokers, client: kafka, groupId: 'g', autoOffsetReset: 'earliest' });
 */
export class MemoryKafka implements KafkaPort {
  readonly kind = 'memory';
  /** An address to pass as `brokers` (nothing listens there: the `client` is this object). */
  readonly brokers = 'memory:9092';
  private readonly topics = new Map<string, PartitionLog[]>();
  /** The configurations topics were created with through the admin client (`cleanup.policy`...). */
  private readonly configs = new Map<string, Map<string, string>>();
  private readonly groups = new Map<string, MemoryGroup>();
  private readonly transactionalIds = new Map<string, TransactionalId>();
  private readonly streams = new Set<MemoryMessages>();
  private readonly clients = new Map<MemoryConsumer | MemoryProducer, string>();
  private readonly killed = new Set<string>();
  private readonly clock: Clock;
  private readonly defaultPartitions: number;

  /**
   * `clock` stamps records written without a timestamp (default: the real clock); `defaultPartitions` is the
   * partition count of topics created on first use (default 1).
   */
  constructor(options: { clock?: Clock; defaultPartitions?: number } = {}) {
    this.clock = options.clock ?? realClock;
    this.defaultPartitions = options.defaultPartitions ?? 1;
  }

  /** Creates a topic (an existing one is left as it is). */
  createTopic(name: string, partitions = 1): void {
    if (typeof name !== 'string' || name === '') badArgument('MemoryKafka.createTopic', 'name', name, 'a topic name');
    if (!Number.isInteger(partitions) || partitions < 1) {
      badArgument('MemoryKafka.createTopic', 'partitions', partitions, 'an integer >= 1');
    }
    if (!this.topics.has(name))
      this.topics.set(
        name,
        Array.from({ length: partitions }, () => new PartitionLog()),
      );
  }

  /** Writes messages (outside any transaction), keyed as the producer would partition them. */
  produce(topic: string, messages: readonly MemoryMessage[]): void {
    this.write(
      messages.map((m) => ({
        topic,
        key: typeof m.key === 'string' ? Buffer.from(m.key) : m.key,
        value: Buffer.isBuffer(m.value)
          ? m.value
          : typeof m.value === 'string'
            ? Buffer.from(m.value)
            : Buffer.from(JSON.stringify(m.value)),
        partition: m.partition,
        timestamp: m.timestamp,
      })),
      null,
      undefined,
    );
  }

  /** The records of a topic a read_committed reader sees, partition by partition, in offset order. */
  read(topic: string): MemoryRecord[] {
    const out: MemoryRecord[] = [];
    (this.topics.get(topic) ?? []).forEach((log, partition) => {
      const end = log.end(true);
      for (let offset = 0; offset < end; offset++) {
        if (!log.visible(offset, true)) continue;
        const e = log.entries[offset]!;
        const headers: Record<string, string> = Object.create(null);
        for (const [k, v] of e.headers) headers[String(k)] = v.toString('utf8');
        out.push({
          partition,
          offset,
          key: e.key?.toString('utf8'),
          value: parse(e.value),
          timestamp: e.timestamp,
          headers,
        });
      }
    });
    return out;
  }

  /** The offsets a group committed on a topic, per partition (-1 for none). */
  committed(groupId: string, topic: string): number[] {
    const group = this.groups.get(groupId);
    return (this.topics.get(topic) ?? []).map((_, p) => Number(group?.committed.get(`${topic}:${p}`) ?? -1n));
  }

  /** The names of the topics. */
  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /**
   * Kills the consumers and producers of the connection with this `clientId` (default `'twinstream'`), as SIGKILL
   * kills a process: consumers leave their groups without committing and read nothing more, producers fail every
   * call, open transactions stay open until a producer with the same transactional id fences them, and clients it
   * makes from now on are dead too (a killed process makes none). Run the next instance with another `clientId`.
   */
  crash(clientId = 'twinstream'): void {
    this.killed.add(clientId);
    for (const [c, id] of this.clients) if (this.isKilled(id)) this.kill(c);
  }

  private isKilled(clientId: string): boolean {
    for (const k of this.killed) if (clientId.startsWith(`${k}-`)) return true;
    return false;
  }

  private kill(c: MemoryConsumer | MemoryProducer): void {
    if (c instanceof MemoryConsumer) c.crash();
    else c.dead = true;
    this.clients.delete(c);
  }

  private made<C extends MemoryConsumer | MemoryProducer>(c: C, options: Record<string, unknown>): C {
    const id = String(options.clientId ?? 'twinstream-');
    if (this.isKilled(id)) this.kill(c);
    else this.clients.set(c, id);
    return c;
  }

  async consumer(options: Record<string, unknown>, readCommitted: boolean): Promise<PortConsumer> {
    return this.made(new MemoryConsumer(this, String(options.groupId ?? ''), readCommitted), options);
  }

  async producer(options: Record<string, unknown>): Promise<PortProducer> {
    return this.made(new MemoryProducer(this, options), options);
  }

  async admin(): Promise<PortAdmin> {
    return {
      createTopics: async ({ topics, partitions, configs }) => {
        for (const t of topics) {
          if (this.topics.has(t)) throw refused(`topic "${t}" already exists (TOPIC_ALREADY_EXISTS)`);
          this.createTopic(t, partitions);
          this.configs.set(t, new Map(configs.map((c) => [c.name, c.value])));
        }
      },
      // The configurations given at creation only (a broker reports its defaults for the others too).
      describeConfigs: async ({ resources }) =>
        resources.map((r) => {
          const set = this.configs.get(r.resourceName) ?? new Map<string, string>();
          const keys = r.configurationKeys ?? [...set.keys()];
          return {
            resourceName: r.resourceName,
            configs: keys.filter((k) => set.has(k)).map((name) => ({ name, value: set.get(name)! })),
          };
        }),
      listTopics: async () => this.topicNames(),
      metadata: async ({ topics }) => ({
        topics: new Map(topics.map((t) => [t, { partitionsCount: this.topics.get(t)?.length ?? 0 }])),
      }),
      deleteTopics: async ({ topics }) => {
        for (const t of topics) {
          this.topics.delete(t);
          this.configs.delete(t);
        }
      },
      close: async () => {},
    };
  }

  /** @internal A partition's log (undefined when the topic or partition does not exist). */
  log(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[partition];
  }

  /** @internal A topic's partitions, created with the default partition count on first use (as brokers do). */
  topicOrCreate(topic: string): PartitionLog[] {
    this.createTopic(topic, this.defaultPartitions);
    return this.topics.get(topic)!;
  }

  /** @internal Where a member without a committed offset starts. */
  startOffset(topic: string, partition: number, fallback: 'earliest' | 'latest'): bigint {
    return fallback === 'earliest' ? 0n : BigInt(this.log(topic, partition)?.entries.length ?? 0);
  }

  /** @internal A consumer group, made on first use. */
  group(groupId: string): MemoryGroup {
    let g = this.groups.get(groupId);
    if (g === undefined) this.groups.set(groupId, (g = new MemoryGroup(this)));
    return g;
  }

  /** @internal The epoch and open transaction of a transactional id. */
  transactionalId(id: string): TransactionalId {
    let t = this.transactionalIds.get(id);
    if (t === undefined) this.transactionalIds.set(id, (t = { epoch: 0, open: null }));
    return t;
  }

  /** @internal Appends messages (inside `tx` when given); reports the base offset of each partition's batch. */
  write(messages: readonly PortMessage[], tx: TxState | null, partitioner: unknown): PortProduceResult {
    const bases = new Map<string, { topic: string; partition: number; offset: bigint }>();
    // Messages of a request mostly share a topic: one lookup per change of topic.
    let topic = '';
    let logs: PartitionLog[] = [];
    for (const m of messages) {
      if (m.topic !== topic) {
        topic = m.topic;
        logs = this.topics.get(topic) ?? this.topicOrCreate(topic);
      }
      const key = m.key ?? undefined;
      let partition = m.partition;
      if (partition === undefined) {
        const pick = typeof partitioner === 'function' ? partitioner : murmur2Partitioner;
        const context = { currentMetadata: { topics: new Map([[m.topic, { partitionsCount: logs.length }]]) } };
        partition = Number(pick(m, key, context)) % logs.length;
      }
      const log = logs[partition];
      if (log === undefined) throw refused(`"${m.topic}" has no partition ${partition} (UNKNOWN_TOPIC_OR_PARTITION)`);
      const value = m.value === undefined || m.value === null ? null : toBytes(m.value);
      const offset = log.append({
        key: key ?? null,
        value,
        headers: new Map(m.headers ?? []),
        timestamp: m.timestamp === undefined ? Math.trunc(this.clock.now()) : Number(m.timestamp),
        tx,
      });
      const id = `${m.topic}:${partition}`;
      if (!bases.has(id)) bases.set(id, { topic: m.topic, partition, offset: BigInt(offset) });
    }
    this.wakeAll();
    return { offsets: [...bases.values()] };
  }

  /** @internal A transaction ended: read_committed readers may read past it. */
  ended(tx: TxState): void {
    for (const logs of this.topics.values()) for (const log of logs) log.ended(tx);
    this.wakeAll();
  }

  /** @internal Message streams to wake when there is news. */
  watch(stream: MemoryMessages): void {
    this.streams.add(stream);
  }

  /** @internal */
  unwatch(stream: MemoryMessages): void {
    this.streams.delete(stream);
  }

  private wakeAll(): void {
    for (const s of this.streams) s.wake();
  }
}

function toBytes(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

function parse(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
