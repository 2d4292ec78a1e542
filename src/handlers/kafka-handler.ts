import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { KafkaConnection } from '../connectors/kafka/connection.ts';
import { brokerList } from '../connectors/kafka/connection.ts';
import type { DeadLetter } from '../connectors/kafka/dead-letter.ts';
import { KafkaSource } from '../connectors/kafka/kafka-source.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import { TwinstreamError } from '../errors.ts';
import '../core/operators/sink.ts';
import { toMillis } from '../time/duration.ts';
import { DataStreamHandler } from './data-stream-handler.ts';
import { parseHandlerConfig } from './handler-config.ts';
import { LiveHandler, liveFields } from './live-handler.ts';

const brokers = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const schema = z
  .object({
    topic: z.string().min(1, 'a topic name'),
    /** `'host:port'`, a comma-separated list, or an array (IPv6 as `[::1]:9092`). */
    brokers: brokers.optional(),
    /** A JSON file with the network settings (`brokers`, `tls`, `sasl`, `clientId`), kept out of the model config. */
    networkConfig: z.string().min(1).optional(),
    groupId: z.string().min(1).optional(),
    offsetReset: z.enum(['earliest', 'latest']).default('earliest'),
    maxRetries: z.number().int().min(0).default(10),
    retryDelay: z.union([z.number().min(0), z.string()]).default('500ms'),
    deadLetterTopic: z.string().min(1).optional(),
    /** How long the consumer keeps trying to reach the brokers before the handler fails. */
    reconnectTimeout: z.union([z.number().min(0), z.string()]).default('60s'),
    clientId: z.string().optional(),
    tls: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
    sasl: z
      .object({ mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']) })
      .loose()
      .optional(),
    ...liveFields,
  })
  .strict()
  .refine((c) => c.brokers !== undefined || c.networkConfig !== undefined, {
    error: 'brokers (or a networkConfig file that names them) is required',
    path: ['brokers'],
  })
  .refine((c) => c.brokers === undefined || checkBrokers(c.brokers), {
    error: "brokers: expected 'host:port', a comma-separated list of them, or an array",
    path: ['brokers'],
  });

function checkBrokers(b: string | string[]): boolean {
  try {
    brokerList(b, 'kafka handler');
    return true;
  } catch {
    return false;
  }
}

/** The config of a `kafka` handler. */
export type KafkaHandlerConfig = z.input<typeof schema>;

/**
 * Values from a Kafka topic, consumed in the background (twinstream's Kafka source) into a bounded, sorted time
 * index. Messages are JSON objects with the time under `t` (seconds, or an ISO date-time) and values under the
 * variables' aliases; a message that cannot be read is dead-lettered (to `deadLetterTopic` when set) and listed in
 * `errors` with its partition:offset and reason. It consumes until `stop()`.
 *
 * @example
 * await using h = new KafkaHandler({ topic: 'weather', brokers: ['127.0.0.1:9092'], interpolation: 'linear' });
 * h.addVariable(['room', 'outside'], 'temperature');
 * await h.start();
 * await h.waitFor(60);
 * h.getData(60);
 */
export class KafkaHandler extends LiveHandler {
  static readonly typeName = 'kafka';
  declare readonly config: z.output<typeof schema>;
  private source: KafkaSource<unknown, unknown> | null = null;

  constructor(config: KafkaHandlerConfig) {
    super(parseHandlerConfig(schema, config, 'kafka'));
  }

  /** The same topic on the same brokers. */
  static streamIdentity(config: z.output<typeof schema>): string {
    const b = config.brokers === undefined ? [] : brokerList(config.brokers, 'kafka handler').sort();
    return JSON.stringify([config.topic, b, config.networkConfig ?? null]);
  }

  describeStream(): string {
    return `kafka handler (topic ${this.config.topic})`;
  }

  protected async open(): Promise<void> {
    const c = this.config;
    let network: Partial<KafkaConnection> = {};
    if (c.networkConfig !== undefined) {
      try {
        network = JSON.parse(await readFile(c.networkConfig, 'utf8'));
      } catch (error) {
        throw new TwinstreamError(
          'TS_HANDLER_BAD_CONFIG',
          `kafka handler: networkConfig ${c.networkConfig} is not a readable JSON file: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    const source = new KafkaSource<unknown, unknown>(c.topic, {
      brokers: (c.brokers ?? network.brokers)!,
      ...(network.tls !== undefined || c.tls !== undefined ? { tls: (c.tls ?? network.tls) as never } : {}),
      ...(network.sasl !== undefined || c.sasl !== undefined ? { sasl: (c.sasl ?? network.sasl) as never } : {}),
      clientId: c.clientId ?? network.clientId ?? 'twinstream-handler',
      groupId: c.groupId ?? `twinstream-handler-${crypto.randomUUID()}`,
      autoOffsetReset: c.offsetReset,
      retries: c.maxRetries,
      retryDelay: toMillis(c.retryDelay, 'kafka handler: retryDelay'),
      reconnectTimeout: c.reconnectTimeout,
      connectTimeout: Math.min(10_000, toMillis(c.reconnectTimeout, 'kafka handler: reconnectTimeout')),
      value: c.parse ? 'bytes' : 'json',
      ...(c.deadLetterTopic === undefined ? {} : { deadLetterTopic: c.deadLetterTopic }),
      onDeadLetter: (letter: DeadLetter) => this.reportError(`${letter.partition}:${letter.offset}`, letter.reason),
      // A message the handler cannot read is dead-lettered with the reason; the handler goes on.
      onProcessingError: () => true,
    });
    source.sink((record: KafkaRecord<unknown, unknown>) => {
      const reason = this.read(record.value);
      if (reason !== null) throw new TwinstreamError('TS_HANDLER_BAD_MESSAGE', `kafka handler: ${reason}`);
    });
    this.source = source;
    source.start();
    source.done.catch((error: unknown) => this.fail(error));
  }

  protected async close(): Promise<void> {
    const source = this.source;
    this.source = null;
    if (source === null) return;
    source.stop();
    await source.done.catch(() => {});
  }
}

DataStreamHandler.register(KafkaHandler);
