import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import type { SinkHooks } from '../source/owner-hooks.ts';
import { isKafkaRecord } from './decoded-record.ts';
import {
  KafkaProducer,
  type KafkaProducerConfig,
  type KafkaTransaction,
  type PreparedMessage,
  timestampOf,
} from './producer.ts';
import { jsonSerde, type Serde, type SerdeSpec, stringSerde, toSerde } from './serializers.ts';

/** How `toKafka` turns elements into messages and sends them. */
export interface ToKafkaConfig<T = any> extends KafkaProducerConfig {
  /** The message key: a function of the element or a field name. Default: the record's key for Kafka records,
   * else the key of the message the element came from (as Quix keeps it), else none. */
  key?: ((x: T) => unknown) | string;
  /** The message value. Default: the record's value for Kafka records, else the element. */
  value?: (x: T) => unknown;
  /** Headers (string values are UTF-8 encoded). */
  headers?: (x: T) => Record<string, string | Buffer> | undefined;
  /** A fixed partition per element (otherwise the partitioner decides). */
  partition?: (x: T) => number;
  /** The message timestamp in ms. Default: now. */
  timestamp?: (x: T) => number;
  /** Key serializer. Default `'string'` (non-strings are JSON-encoded first). */
  keySerializer?: SerdeSpec;
  /** Value serializer. Default `'json'`. */
  valueSerializer?: SerdeSpec;
  /**
   * Messages per produce request. Default 1000. Up to `batchSize × maxInFlight` messages are held until the broker
   * acknowledged them; past about 10,000 the garbage collector's copying of them costs more than larger requests
   * save.
   */
  batchSize?: number;
  /** How long a partly filled batch waits for more messages. Default `'5ms'`. */
  linger?: Duration;
  /** Batches in flight before the sink pushes back on its upstream. Default 4. */
  maxInFlight?: number;
  /** Share one producer between sinks (an application does); otherwise the sink makes its own. */
  producer?: KafkaProducer;
}

/** Serialized string keys kept for reuse (keys repeat: sensors, devices); cleared when it reaches this size. */
const KEY_CACHE = 10_000;

interface Batch {
  messages: PreparedMessage[];
  held: (Metadata | undefined)[];
}

/**
 * A sink that writes every element to a Kafka topic, batching for throughput. Each element is held (its reference
 * counter retained) until the broker acknowledged it, so a source's offset commits only after its output is
 * durable. A failed send fails the sink: later elements reject with the error and nothing past it is committed.
 */
export class KafkaSinkNode<T = unknown> extends Stream<unknown> {
  override kind = 'toKafka';
  readonly topic: string;
  readonly producer: KafkaProducer;
  /** Messages acknowledged by the broker. */
  sent = 0;
  /** Sends go into this transaction when given (an application running exactly-once). */
  private readonly transaction: (() => Promise<KafkaTransaction>) | undefined;
  /** Sees every element handed to the sink (an application's `run` returns them in tests and scripts). */
  private readonly tap: ((x: unknown) => void) | undefined;
  private readonly ownsProducer: boolean;
  // Typed loosely so that a sink of T stays usable as a sink of unknown (nodes are covariant in their element).
  private readonly config: ToKafkaConfig<any>;
  private readonly keyOf: ((x: any) => unknown) | null;
  private readonly keySerde: Serde<unknown>;
  private readonly valueSerde: Serde<unknown>;
  /** Schema-less JSON values go to the encoder as strings (written once, straight into the batch). */
  private readonly valueAsJsonText: boolean;
  private readonly keyBytes = new Map<string, Buffer>();
  private readonly batchSize: number;
  private readonly linger: number;
  private readonly maxInFlight: number;
  private current: Batch = { messages: [], held: [] };
  private lingerTimer: Timer | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;

  /** `hooks`: what an owner (an application) gives the sink: its transaction and a tap on every element. */
  constructor(upstream: Stream<T>, topic: string, config: ToKafkaConfig<T>, hooks: SinkHooks<KafkaTransaction> = {}) {
    if (typeof topic !== 'string' || topic === '') badArgument('toKafka', 'topic', topic, 'a topic name');
    const batchSize = config?.batchSize ?? 1000;
    requireInteger('toKafka', 'batchSize', batchSize, 1);
    const maxInFlight = config?.maxInFlight ?? 4;
    requireInteger('toKafka', 'maxInFlight', maxInFlight, 1);
    const key = config?.key;
    if (key !== undefined && typeof key !== 'function' && typeof key !== 'string') {
      badArgument('toKafka', 'key', key, 'a function of the element or a field name');
    }
    const producer = config.producer ?? new KafkaProducer(config);
    super({ clock: upstream.clock });
    this.topic = topic;
    this.config = config;
    this.producer = producer;
    this.ownsProducer = config.producer === undefined;
    this.keyOf = typeof key === 'string' ? (x: T) => (x as any)?.[key] : (key ?? null);
    this.keySerde = toSerde(config.keySerializer, 'toKafka', 'keySerializer', 'string');
    this.valueSerde = toSerde(config.valueSerializer, 'toKafka', 'valueSerializer', 'json');
    this.valueAsJsonText = this.valueSerde === jsonSerde;
    this.batchSize = batchSize;
    this.linger = toMillis(config.linger ?? '5ms', 'toKafka: linger');
    this.maxInFlight = maxInFlight;
    this.transaction = hooks.transaction;
    this.tap = hooks.tap;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    const message = this.toMessage(x as T, metadata);
    this.tap?.(x);
    retainRefs(metadata);
    const b = this.current;
    b.messages.push(message);
    b.held.push(metadata);
    if (b.messages.length >= this.batchSize) this.sendCurrent();
    else if (this.lingerTimer === null) this.lingerTimer = this.clock.setTimer(this.linger, () => this.sendCurrent());
    if (this.inFlight.size < this.maxInFlight) return;
    return Promise.race(this.inFlight);
  }

  private toMessage(x: T, metadata: Metadata | undefined): PreparedMessage {
    const c = this.config;
    const record = isKafkaRecord(x) ? (x as any) : null;
    let key: Buffer | undefined;
    if (this.keyOf) key = this.encodeKey(this.keyOf(x));
    else if (record) key = this.encodeKey(record.key);
    else key = keyFromMetadata(metadata);
    const value = c.value ? c.value(x) : record ? record.value : x;
    const headers = c.headers?.(x) ?? (record ? record.headers : undefined);
    return {
      topic: this.topic,
      key,
      value: value === null ? null : this.encodeValue(value),
      headers: headers && !isEmpty(headers) ? encodeHeaders(headers) : undefined,
      partition: c.partition?.(x),
      timestamp: c.timestamp ? timestampOf(c.timestamp(x), 'toKafka') : undefined,
    };
  }

  private encodeValue(v: unknown): Buffer | string {
    if (!this.valueAsJsonText) return this.valueSerde.serialize(v);
    const text = JSON.stringify(v);
    return text === undefined ? this.valueSerde.serialize(v) : text; // the serde names what is wrong
  }

  private encodeKey(k: unknown): Buffer | undefined {
    if (k === undefined || k === null) return undefined;
    if (Buffer.isBuffer(k)) return k;
    if (this.keySerde !== stringSerde) {
      if (this.keySerde.name === 'string' && typeof k !== 'string') return Buffer.from(JSON.stringify(k));
      return this.keySerde.serialize(k);
    }
    const text = typeof k === 'string' ? k : JSON.stringify(k);
    let bytes = this.keyBytes.get(text);
    if (bytes === undefined) {
      if (this.keyBytes.size >= KEY_CACHE) this.keyBytes.clear();
      bytes = Buffer.from(text);
      this.keyBytes.set(text, bytes);
    }
    return bytes;
  }

  private sendCurrent(): void {
    if (this.lingerTimer !== null) {
      this.lingerTimer.cancel();
      this.lingerTimer = null;
    }
    const b = this.current;
    if (b.messages.length === 0) return;
    this.current = { messages: [], held: [] };
    const tx = this.transaction;
    const sending = tx
      ? tx().then((t) => this.producer.sendPrepared(b.messages, t))
      : this.producer.sendPrepared(b.messages);
    const p: Promise<void> = sending.then(
      () => {
        this.inFlight.delete(p);
        this.sent += b.messages.length;
        for (const md of b.held) releaseRefs(md);
      },
      (error) => {
        this.inFlight.delete(p);
        // The elements stay held: their offsets are never committed, so they are read again after a restart.
        this.failure ??=
          error instanceof TwinstreamError
            ? error
            : new TwinstreamError('TS_KAFKA_PRODUCE', String(error), { cause: error });
        throw this.failure;
      },
    );
    this.inFlight.add(p);
    p.catch(() => {}); // observed through flush() and the next update
  }

  /** Sends what is batched and resolves when everything sent so far is acknowledged. */
  async flush(): Promise<void> {
    this.sendCurrent();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Sends what is batched and resolves when what was sent until now is acknowledged; later sends are not waited
   * for (the input may go on meanwhile).
   */
  async flushSent(): Promise<void> {
    this.sendCurrent();
    if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failure !== null) throw this.failure;
  }

  /** Flushes, then closes the producer if this sink made it. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.ownsProducer) await this.producer.close();
    }
  }

  // The input ended: what is batched goes now, and `done` of the source waits until the broker acknowledged it
  // (or rejects with the failure, which `flush()` and `close()` report too).
  protected override flushOnEnd(): Pushed {
    return this.flush();
  }
}

function keyFromMetadata(metadata: Metadata | undefined): Buffer | undefined {
  if (metadata === undefined) return undefined;
  for (let i = 0; i < metadata.length; i++) {
    const k = metadata[i]!.kafkaKey;
    if (k !== undefined) return k as Buffer;
  }
  return undefined;
}

/** No header at all (a record read without headers carries `{}`): nothing to encode, no Map per message. */
function isEmpty(h: Record<string, string | Buffer> | Map<string, string | Buffer>): boolean {
  if (h instanceof Map) return h.size === 0;
  for (const _ in h) return false;
  return true;
}

function encodeHeaders(h: Record<string, string | Buffer> | Map<string, string | Buffer>): Map<Buffer, Buffer> {
  const out = new Map<Buffer, Buffer>();
  for (const [k, v] of h instanceof Map ? h : Object.entries(h)) {
    out.set(Buffer.from(k), Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
  }
  return out;
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Writes every element to a Kafka topic (batched; each element held until acknowledged). Returns the sink node:
     * `await sink.flush()` waits for everything sent so far.
     * @example readings.map(toCelsius).toKafka('celsius', { brokers: 'localhost:9092', key: 'sensor' })
     */
    toKafka(topic: string, config: ToKafkaConfig<T>): KafkaSinkNode<T>;
  }
}

Stream.register('toKafka', function toKafka(this: Stream<any>, topic: string, config: ToKafkaConfig) {
  return new KafkaSinkNode(this, topic, config);
});
