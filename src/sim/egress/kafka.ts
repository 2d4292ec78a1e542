import { KafkaAdmin } from '../../connectors/kafka/admin.ts';
import { KafkaProducer, type KafkaProducerConfig, type OutgoingMessage } from '../../connectors/kafka/producer.ts';
import { type Serde, type SerdeSpec, toSerde } from '../../connectors/kafka/serializers.ts';
import { badArgument, describe, TwinstreamError } from '../../errors.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';

/**
 * Where a record goes: one topic for everything, a topic per stream type (a missing or null entry drops that type),
 * or a function of the record returning the topic, or null to drop it. A function receives a shallow copy it may
 * reshape (flatten, delete fields): the copy is what is written.
 */
export type TopicRouter =
  | string
  | { telemetry?: string | null; event?: string | null }
  | ((record: Record<string, unknown>) => string | null | undefined);

/** Options of `KafkaEgress`: the connection and producer settings, plus routing and serialization. */
export interface KafkaEgressOptions extends KafkaProducerConfig {
  /** Default: telemetry → `sim-telemetry`, events → `sim-events` (dynamic-des's topics). */
  topicRouter?: TopicRouter;
  /** The message key. Default: `path_id` for telemetry, `key` for events. Null or undefined: no key. */
  key?(record: SimRecord): string | Buffer | null | undefined;
  /** Value serializer. Default `'json'`. */
  valueSerializer?: SerdeSpec;
  /** Key serializer. Default `'string'`. */
  keySerializer?: SerdeSpec;
  /** The message timestamp: the record's logical `timestamp` (default) or the wall clock at sending. */
  messageTimestamp?: 'logical' | 'wall';
  /** Create topics that do not exist yet, as they are first routed to (default true), with these partitions (1). */
  createTopics?: boolean | { partitions?: number; replicationFactor?: number };
  /** Most bytes of values in one produce request (default 512 KiB; a broker rejects record batches over 1 MiB). */
  maxRequestBytes?: number;
  /** Share a producer (not closed by `close()`); otherwise the sink makes its own. */
  producer?: KafkaProducer;
}

/** dynamic-des's default topics. */
export const DEFAULT_SIM_TOPICS = { telemetry: 'sim-telemetry', event: 'sim-events' } as const;

/**
 * Writes simulation records to Kafka: each batch of the egress queue becomes produce requests (at most
 * `maxRequestBytes` each, sent in order), routed to topics by a topic router, keyed by `path_id` or the event key,
 * JSON by default. `write` resolves when the brokers acknowledged the batch, so a slow broker holds the simulation
 * back through the bounded egress queue; `close()` (called by `env.teardown()`) closes the producer.
 *
 * @example
 * env.setupEgress([new KafkaEgress({ brokers: 'localhost:9092' })], { batchSize: 500, flushInterval: 1 });
 * // telemetry → sim-telemetry (key path_id), events → sim-events (key: the event key)
 * await env.run({ until: 3600 });
 * await env.teardown();
 */
export class KafkaEgress implements EgressSink {
  readonly name = 'kafka';
  readonly producer: KafkaProducer;
  /** Messages acknowledged, and records the router dropped. */
  readonly counters = { sent: 0, dropped: 0 };
  private readonly ownsProducer: boolean;
  private readonly route: (record: SimRecord) => [string, object] | null;
  private readonly keyOf: (record: SimRecord) => string | Buffer | null | undefined;
  private readonly valueSerde: Serde<unknown>;
  private readonly keySerde: Serde<unknown>;
  private readonly wallTimestamps: boolean;
  private readonly maxRequestBytes: number;
  private readonly createTopics: { partitions: number; replicationFactor: number } | null;
  private readonly knownTopics = new Set<string>();

  constructor(options: KafkaEgressOptions) {
    const where = 'KafkaEgress';
    if (options === null || typeof options !== 'object') badArgument(where, 'options', options, 'an object');
    this.route = router(options.topicRouter ?? DEFAULT_SIM_TOPICS);
    if (options.key !== undefined && typeof options.key !== 'function')
      badArgument(where, 'key', options.key, 'a function of the record');
    this.keyOf = options.key ?? ((r) => (r.stream_type === 'telemetry' ? r.path_id : r.key));
    this.valueSerde = toSerde(options.valueSerializer, where, 'valueSerializer', 'json');
    this.keySerde = toSerde(options.keySerializer, where, 'keySerializer', 'string');
    const ts = options.messageTimestamp ?? 'logical';
    if (ts !== 'logical' && ts !== 'wall') badArgument(where, 'messageTimestamp', ts, "'logical' or 'wall'");
    this.wallTimestamps = ts === 'wall';
    this.maxRequestBytes = options.maxRequestBytes ?? 512 * 1024;
    if (!(this.maxRequestBytes > 0)) badArgument(where, 'maxRequestBytes', options.maxRequestBytes, 'a number > 0');
    const create = options.createTopics ?? true;
    this.createTopics =
      create === false
        ? null
        : {
            partitions: (create === true ? undefined : create.partitions) ?? 1,
            replicationFactor: (create === true ? undefined : create.replicationFactor) ?? 1,
          };
    this.ownsProducer = options.producer === undefined;
    this.producer = options.producer ?? new KafkaProducer(options);
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    let request: OutgoingMessage[] = [];
    let bytes = 0;
    const fresh = new Set<string>();
    for (const record of batch) {
      const routed = this.route(record);
      if (routed === null) {
        this.counters.dropped++;
        continue;
      }
      const [topic, payload] = routed;
      if (this.createTopics !== null && !this.knownTopics.has(topic)) fresh.add(topic);
      const key = this.keyOf(record);
      const value = this.valueSerde.serialize(payload);
      request.push({
        topic,
        key: key === null || key === undefined ? undefined : Buffer.isBuffer(key) ? key : this.keySerde.serialize(key),
        value,
        timestamp: this.wallTimestamps ? undefined : Date.parse(record.timestamp),
      });
      bytes += value.length;
      if (bytes >= this.maxRequestBytes) {
        await this.send(request, fresh);
        request = [];
        bytes = 0;
      }
    }
    await this.send(request, fresh);
  }

  private async send(messages: OutgoingMessage[], fresh: Set<string>): Promise<void> {
    if (messages.length === 0) return;
    if (fresh.size > 0) await this.ensure(fresh);
    await this.producer.send(messages);
    this.counters.sent += messages.length;
  }

  private async ensure(topics: Set<string>): Promise<void> {
    const spec = this.createTopics!;
    const admin = new KafkaAdmin(this.producer.config);
    try {
      await admin.ensureTopics([...topics].map((name) => ({ name, ...spec })));
    } finally {
      await admin.close();
    }
    for (const t of topics) this.knownTopics.add(t);
    topics.clear();
  }

  /** Closes the producer when the sink made it (every write was acknowledged already). */
  async close(): Promise<void> {
    if (this.ownsProducer) await this.producer.close();
  }
}

function router(spec: TopicRouter): (record: SimRecord) => [string, object] | null {
  if (typeof spec === 'string') {
    if (spec === '') badArgument('KafkaEgress', 'topicRouter', spec, 'a topic name');
    return (r) => [spec, r];
  }
  if (typeof spec === 'function') {
    return (r) => {
      const copy: Record<string, unknown> = { ...r };
      const topic = spec(copy);
      if (topic === null || topic === undefined) return null;
      if (typeof topic !== 'string' || topic === '') {
        throw new TwinstreamError(
          'TS_SIM_BAD_EGRESS',
          `KafkaEgress: the topic router returned ${describe(topic)} for a ${r.stream_type} record; expected a topic name, or null to drop it`,
        );
      }
      return [topic, copy];
    };
  }
  if (spec !== null && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec)) {
      if (k !== 'telemetry' && k !== 'event')
        badArgument('KafkaEgress', `topicRouter.${k}`, v, 'no such key (telemetry, event)');
      if (v !== null && v !== undefined && (typeof v !== 'string' || v === ''))
        badArgument('KafkaEgress', `topicRouter.${k}`, v, 'a topic name or null');
    }
    const telemetry = spec.telemetry ?? null;
    const event = spec.event ?? null;
    return (r) => {
      const topic = r.stream_type === 'telemetry' ? telemetry : event;
      return topic === null ? null : [topic, r];
    };
  }
  return badArgument(
    'KafkaEgress',
    'topicRouter',
    spec,
    'a topic name, { telemetry, event } topics, or a function of the record returning a topic or null',
  );
}
