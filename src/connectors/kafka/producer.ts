import { badArgument } from '../../errors.ts';
import { portOf } from './broker-port.ts';
import { clientOptions, type KafkaConnection, kafkaError, timeoutOf, withTimeout } from './connection.ts';
import { fastProduceInstalled, murmur2Partitioner, toClientShape } from './fast-produce.ts';
import type { PortProducer, PortTransaction } from './kafka-port.ts';

/** A Kafka transaction (what `KafkaProducer.beginTransaction` resolves to). */
export type KafkaTransaction = PortTransaction;

/** A message as bytes, ready to produce. */
export interface OutgoingMessage {
  topic: string;
  key?: Buffer | undefined;
  /** `null` writes a tombstone (deletes the key in a compacted topic). */
  value: Buffer | null;
  headers?: Record<string, Buffer> | Map<string, Buffer> | undefined;
  /** A fixed partition; otherwise the partitioner picks one. */
  partition?: number | undefined;
  /** Milliseconds since the epoch; default: now. */
  timestamp?: number | undefined;
}

/** Picks a partition for a message: from its serialized key and the partition count. */
export type KafkaPartitioner = (message: OutgoingMessage, key: Buffer | undefined, partitions: number) => number;

/** How a producer writes. */
export interface KafkaProducerConfig extends KafkaConnection {
  /** Acknowledgements: `'all'` (default: durable), `'leader'`, or `'none'`. */
  acks?: 'all' | 'leader' | 'none';
  /**
   * Idempotent writes: the broker drops a batch the client retries after a partial failure (the client re-sends a
   * whole request when one partition of it fails). Implies acks all. Default true (as in Kafka's Java client)
   * unless `acks` is `'leader'` or `'none'`.
   */
  idempotent?: boolean;
  /** Batch compression. Default `'none'`. */
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** `'murmur2'` (Java-compatible key hashing), `'default'` (the client's), or a function. Default `'murmur2'`. */
  partitioner?: 'murmur2' | 'default' | KafkaPartitioner;
  /** Makes the producer transactional (exactly-once); stable across restarts of the same instance. */
  transactionalId?: string;
  /**
   * Who writes the record batches: `'twinstream'` (one buffer per batch, several times less CPU) or `'client'`
   * (@platformatic/kafka's own encoder). Default: `'twinstream'`.
   */
  recordEncoder?: 'twinstream' | 'client';
}

const ACKS = { all: -1, leader: 1, none: 0 } as const;
const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * A producer of byte messages with durable defaults (acks from all in-sync replicas, Java-compatible key
 * partitioning) and every wait bounded. Sinks and applications build on it.
 *
 * @example
 * const producer = new KafkaProducer({ brokers: 'localhost:9092', compression: 'lz4' });
 * await producer.send([{ topic: 'out', key: Buffer.from('a'), value: Buffer.from('1') }]);
 * await producer.close();
 */
export class KafkaProducer {
  readonly config: KafkaProducerConfig;
  private client: PortProducer | null = null;
  private connecting: Promise<PortProducer> | null = null;
  private readonly timeout: number;
  private readonly acks: number;
  private readonly idempotent: boolean;
  /** Messages acknowledged so far. */
  produced = 0;

  constructor(config: KafkaProducerConfig) {
    clientOptions(config, 'KafkaProducer', 'producer');
    if (config.acks !== undefined && !(config.acks in ACKS))
      badArgument('KafkaProducer', 'acks', config.acks, "'all', 'leader' or 'none'");
    if (config.compression !== undefined && !COMPRESSIONS.includes(config.compression)) {
      badArgument('KafkaProducer', 'compression', config.compression, COMPRESSIONS.map((c) => `'${c}'`).join(', '));
    }
    if (
      config.recordEncoder !== undefined &&
      config.recordEncoder !== 'twinstream' &&
      config.recordEncoder !== 'client'
    )
      badArgument('KafkaProducer', 'recordEncoder', config.recordEncoder, "'twinstream' or 'client'");
    const p = config.partitioner;
    if (p !== undefined && p !== 'murmur2' && p !== 'default' && typeof p !== 'function') {
      badArgument(
        'KafkaProducer',
        'partitioner',
        p,
        "'murmur2', 'default' or a function (message, key, partitions) => number",
      );
    }
    this.config = config;
    this.timeout = timeoutOf(config, 'KafkaProducer');
    // The client defaults sends to leader-only acks and ignores its constructor's `acks` on send: pass it each time.
    this.idempotent = config.idempotent ?? (config.acks === undefined || config.acks === 'all');
    this.acks = this.idempotent || config.transactionalId ? -1 : ACKS[config.acks ?? 'all'];
  }

  /** The underlying client producer (@platformatic/kafka's, or the connection's `client`), created on first use. */
  async producer(): Promise<PortProducer> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const c = this.config;
      let partitioner: unknown = murmur2Partitioner;
      if (c.partitioner === 'default') partitioner = undefined;
      else if (typeof c.partitioner === 'function') {
        const fn = c.partitioner;
        partitioner = (message: any, key: Buffer | undefined, context: any) => {
          const count = context?.currentMetadata?.topics?.get(message.topic)?.partitionsCount ?? 1;
          return fn(message, key, count);
        };
      }
      const options: Record<string, unknown> = {
        ...clientOptions(c, 'KafkaProducer', 'producer'),
        compression: c.compression ?? 'none',
        ...(partitioner === undefined ? {} : { partitioner }),
      };
      if (this.idempotent || c.transactionalId) options.idempotent = true;
      if (c.transactionalId) {
        options.transactionalId = c.transactionalId;
        // InitProducerId must say "no producer yet" (-1/-1): the client sends 0/0 by default, which the broker
        // treats as a claim to be producer 0 and answers "fenced" once the transactional id belongs to another.
        options.producerId = -1n;
        options.producerEpoch = -1;
      }
      options.recordEncoder = c.recordEncoder ?? 'twinstream';
      // Wrong credentials fail the send at once (TS_KAFKA_AUTH): the idempotent producer would retry them forever.
      const client = await portOf(c).producer(options);
      this.client = client;
      return client;
    })().catch((error) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  /** Sends messages (one request per broker) and resolves when the brokers acknowledged them. */
  async send(messages: readonly OutgoingMessage[], transaction?: KafkaTransaction): Promise<void> {
    if (messages.length === 0) return;
    await this.sendPrepared(messages.map(toPrepared), transaction);
  }

  /**
   * Sends messages already in the client's shape (the hot path of sinks): keys and values as bytes, or values as
   * strings (written as UTF-8), timestamps as numbers. Resolves when the brokers acknowledged them.
   */
  async sendPrepared(messages: PreparedMessage[], transaction?: KafkaTransaction): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.producer();
    // The client's own encoder wants bytes and bigint timestamps; twinstream's takes strings and numbers as they are.
    if (!fastProduceInstalled(producer)) for (const m of messages) toClientShape(m);
    const what = describe(messages);
    try {
      const sending = transaction
        ? transaction.send({ messages: messages as any })
        : producer.send({ messages: messages as any, acks: this.acks });
      await withTimeout(sending, this.timeout, what, this.config);
      this.produced += messages.length;
    } catch (error) {
      throw kafkaError('TS_KAFKA_PRODUCE', `${what} failed`, error, this.config, {
        topics: topicsOf(messages),
      });
    }
  }

  /**
   * Registers the transactional id with the broker (InitProducerId): fences any earlier producer with the same id
   * and waits until its open transaction is finished (committed or aborted), so that offsets read afterwards are
   * stable. Needs `transactionalId`.
   */
  async initTransactions(): Promise<void> {
    const producer = await this.producer();
    try {
      // The client registers the transactional id only when a transaction begins (its own `initIdempotentProducer`
      // asks for a plain idempotent producer id, fencing nothing): begin one, then drop it. Nothing reaches the
      // broker for a transaction until a partition is added, and the next transaction begins on this producer id.
      const tx = await withTimeout(
        producer.beginTransaction(),
        this.timeout,
        'initializing the transactional producer',
        this.config,
      );
      await tx.cancel();
    } catch (error) {
      throw kafkaError('TS_KAFKA_TRANSACTION', 'initializing the transactional producer failed', error, this.config);
    }
  }

  /** Starts a Kafka transaction (needs `transactionalId`). */
  async beginTransaction(): Promise<KafkaTransaction> {
    if (!this.config.transactionalId) {
      badArgument(
        'KafkaProducer.beginTransaction',
        'transactionalId',
        undefined,
        'a transactional id in the producer config',
      );
    }
    const producer = await this.producer();
    try {
      return await withTimeout(producer.beginTransaction(), this.timeout, 'beginning a transaction', this.config);
    } catch (error) {
      throw kafkaError('TS_KAFKA_TRANSACTION', 'beginning a transaction failed', error, this.config);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.connecting = null;
    await c?.close(true);
  }
}

/** A message as the client takes it (see {@link KafkaProducer.sendPrepared}). */
export interface PreparedMessage {
  topic: string;
  key: Buffer | undefined;
  /** Bytes, a string (sent as UTF-8), or null/undefined for a tombstone. */
  value: Buffer | string | null | undefined;
  /** Header keys as bytes. */
  headers: Map<Buffer, Buffer> | undefined;
  partition: number | undefined;
  /** Milliseconds since the epoch (a bigint is accepted too); default: now. */
  timestamp: number | bigint | undefined;
}

function toPrepared(m: OutgoingMessage): PreparedMessage {
  let headers: Map<Buffer, Buffer> | undefined;
  if (m.headers !== undefined) {
    // Without serializers the client wants header keys as bytes too.
    headers = new Map<Buffer, Buffer>();
    const entries = m.headers instanceof Map ? m.headers.entries() : Object.entries(m.headers);
    for (const [k, v] of entries) headers.set(Buffer.from(k), v);
  }
  return {
    topic: m.topic,
    key: m.key,
    value: m.value,
    headers,
    partition: m.partition,
    timestamp: m.timestamp === undefined ? undefined : timestampOf(m.timestamp, 'KafkaProducer.send'),
  };
}

/** @internal A message timestamp checked: whole milliseconds since the epoch. */
export function timestampOf(t: unknown, where: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || Math.abs(t) > Number.MAX_SAFE_INTEGER) {
    badArgument(where, 'timestamp', t, 'milliseconds since the epoch (a finite number)');
  }
  return Math.trunc(t);
}

function topicsOf(messages: readonly PreparedMessage[]): string[] {
  const topics = new Set<string>();
  for (const m of messages) topics.add(m.topic);
  return [...topics];
}

function describe(messages: readonly PreparedMessage[]): string {
  return `producing ${messages.length} message(s) to ${topicsOf(messages)
    .map((t) => `"${t}"`)
    .join(', ')}`;
}
