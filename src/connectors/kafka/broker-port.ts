import { importOptional } from '../../import-optional.ts';
import { probeBrokers } from './broker-probe.ts';
import type { KafkaConnection } from './connection.ts';
import { installFastProduce } from './fast-produce.ts';
import { failOnRefusedAuthentication } from './final-auth-failure.ts';
import type { KafkaPort, PortAdmin, PortConsumer, PortProducer } from './kafka-port.ts';
import { newConsumer } from './read-committed.ts';

type Kafka = typeof import('@platformatic/kafka');

function kafka(who: string): Promise<Kafka> {
  return importOptional('@platformatic/kafka', who, () => import('@platformatic/kafka'));
}

/** The connection a client's options were built from (`bootstrapBrokers` and the timeouts), for the probe. */
function connectionOf(options: Record<string, unknown>): KafkaConnection {
  return {
    brokers: options.bootstrapBrokers as string[],
    connectTimeout: options.connectTimeout as number,
    timeout: options.requestTimeout as number,
  };
}

/**
 * The port to real brokers, through @platformatic/kafka (loaded on first use): consumers read committed records
 * with twinstream's own filter when asked (read-committed.ts), producers write record batches with twinstream's
 * encoder (fast-produce.ts), a refused authentication fails at once (final-auth-failure.ts), and a bootstrap list
 * where every broker refuses or does not resolve fails within the timeout with `TS_KAFKA_CONNECT` (broker-probe.ts).
 *
 * @example
 * const consumer = await brokerPort.consumer(consumerOptions(config, 'fromKafka'), false);
 * @internal
 */
export const brokerPort: KafkaPort = {
  kind: 'broker',

  async consumer(options, readCommitted): Promise<PortConsumer> {
    const k = await kafka('KafkaSource');
    await probeBrokers(connectionOf(options), `Kafka consumer "${options.clientId}"`);
    return newConsumer(k, options, readCommitted) as unknown as PortConsumer;
  },

  async producer(options): Promise<PortProducer> {
    const k = await kafka('KafkaProducer');
    await probeBrokers(connectionOf(options), `Kafka producer "${options.clientId}"`);
    const { recordEncoder, ...rest } = options;
    const client = new k.Producer(rest as any);
    failOnRefusedAuthentication(k, client);
    if ((recordEncoder ?? 'twinstream') === 'twinstream') installFastProduce(k, client);
    return client as unknown as PortProducer;
  },

  async admin(options): Promise<PortAdmin> {
    const k = await kafka('KafkaAdmin');
    await probeBrokers(connectionOf(options), `Kafka admin client "${options.clientId}"`);
    const client = new k.Admin(options as any);
    failOnRefusedAuthentication(k, client);
    return client as unknown as PortAdmin;
  },
};

/**
 * The port a connection works through: its `client` when given (an in-memory cluster), else real brokers.
 *
 * @example
 * const admin = await portOf({ brokers: kafka.brokers, client: kafka }).admin({}); // the in-memory cluster's
 * @internal
 */
export function portOf(connection: KafkaConnection): KafkaPort {
  return connection.client ?? brokerPort;
}
