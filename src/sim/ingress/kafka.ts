import type { KafkaConnection } from '../../connectors/kafka/connection.ts';
import { DEAD_LETTER_HEADERS } from '../../connectors/kafka/dead-letter.ts';
import { Stream } from '../../core/stream.ts';
import '../../connectors/kafka/from-kafka.ts';
import type { KafkaSource } from '../../connectors/kafka/kafka-source.ts';
import { KafkaProducer } from '../../connectors/kafka/producer.ts';
import type { KafkaRecord } from '../../connectors/kafka/record.ts';
import { badArgument } from '../../errors.ts';
import type { ParameterRegistry } from '../parameters.ts';
import { type IngressCallbacks, ParameterIngress, type Rejection } from './ingress.ts';

/** Options of `KafkaParameterIngress`. */
export interface KafkaIngressOptions extends KafkaConnection, IngressCallbacks {
  /** The topic of parameter updates. */
  topic: string;
  /** Default: a group of its own, so every simulation sees every update. */
  groupId?: string;
  /** Where a new group starts: `'latest'` (default: updates from now on) or `'earliest'` (replay the topic). */
  autoOffsetReset?: 'earliest' | 'latest';
  /** The message key names the path when the value is a bare JSON value (default true). */
  keyIsPath?: boolean;
  /** Where rejected messages go, with `x-error-code` and `x-error-reason` headers. Default: none (counted, kept). */
  deadLetterTopic?: string;
  /** Messages larger than this many bytes are rejected unread (`TS_KAFKA_TOO_LARGE`). Default 8 MiB. */
  maxMessageBytes?: number;
}

/**
 * Live parameter updates from a Kafka topic: each message is JSON `{ path, value }` (or dynamic-des's
 * `{ path_id, value }`, an array of them, or a bare value keyed by its path) applied through
 * `registry.update(path, value)`; a running simulation reacts at once (a paced run wakes up). A malformed message,
 * an unknown path or an invalid value is rejected with its reason (counted, kept, dead-lettered when
 * `deadLetterTopic` is set) and consumption goes on.
 *
 * @example
 * const ingress = new KafkaParameterIngress(env.registry, { brokers: 'localhost:9092', topic: 'sim-params' });
 * ingress.start();
 * await env.run({ until: 3600 });
 * await ingress.stop();
 */
export class KafkaParameterIngress extends ParameterIngress {
  readonly topic: string;
  readonly source: KafkaSource<string | null, Buffer>;
  private readonly deadLetters: { topic: string; producer: KafkaProducer } | null;
  private pending: Promise<void> = Promise.resolve();

  constructor(registry: ParameterRegistry, options: KafkaIngressOptions) {
    super(registry, options);
    if (typeof options.topic !== 'string' || options.topic === '')
      badArgument('KafkaParameterIngress', 'topic', options.topic, 'a topic name');
    this.topic = options.topic;
    const keyIsPath = options.keyIsPath ?? true;
    const { topic: _t, deadLetterTopic, keyIsPath: _k, onReject: _r, onApply: _a, ...connection } = options;
    this.source = Stream.fromKafka<string | null, Buffer>(options.topic, {
      ...connection,
      groupId: options.groupId ?? `twinstream-params-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
      autoOffsetReset: options.autoOffsetReset ?? 'latest',
      key: 'string',
      value: 'bytes',
      // Messages the source cannot hand over (larger than maxMessageBytes, ...) are updates not applied either:
      // counted and reported like any rejection (and dead-lettered by the source, when there is a topic).
      ...(deadLetterTopic === undefined ? {} : { deadLetterTopic }),
      onDeadLetter: (letter) => {
        this.counters.received++;
        this.reject(`kafka:${letter.topic}/${letter.partition}@${letter.offset}`, letter.code, letter.reason, '');
      },
    });
    this.deadLetters =
      deadLetterTopic === undefined ? null : { topic: deadLetterTopic, producer: new KafkaProducer(connection) };
    this.source.sink((r: KafkaRecord<string | null, Buffer>) => {
      const where = `kafka:${r.topic}/${r.partition}@${r.offset}`;
      const before = this.counters.rejected;
      this.handle(r.value ?? Buffer.alloc(0), where, keyIsPath && r.key !== null ? r.key : undefined);
      const rejected = this.counters.rejected - before;
      if (rejected === 0 || this.deadLetters === null) return;
      for (const rejection of this.rejections.slice(-rejected)) this.deadLetter(rejection, r.key);
      // Hold the source (and its commit) until the dead letters of this message are written.
      return this.pending;
    });
  }

  /** Starts consuming. */
  start(): void {
    this.source.start();
  }

  /** Stops consuming (committing what was applied) and closes the dead-letter producer. */
  async stop(): Promise<void> {
    this.source.stop();
    await this.source.done;
    await this.pending;
    await this.deadLetters?.producer.close();
  }

  private deadLetter(r: Rejection, key: string | null): void {
    const dl = this.deadLetters!;
    this.pending = this.pending.then(() =>
      dl.producer.send([
        {
          topic: dl.topic,
          key: key === null ? undefined : Buffer.from(key),
          value: Buffer.from(r.payload),
          headers: {
            [DEAD_LETTER_HEADERS.code]: Buffer.from(r.code),
            [DEAD_LETTER_HEADERS.reason]: Buffer.from(r.reason.slice(0, 2000)),
            [DEAD_LETTER_HEADERS.topic]: Buffer.from(r.source),
          },
        },
      ]),
    );
  }
}
