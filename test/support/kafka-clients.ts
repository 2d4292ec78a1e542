// An admin and a producer on the test broker, for the test files that make their topics and write their input.
import { KafkaAdmin, KafkaProducer } from '../../src/connectors/kafka/index.ts';
import { kafkaBrokers } from '../kafka-setup.ts';

/**
 * The test broker's addresses, an admin and a producer on it, for a test file's `before` hook;
 * `closeKafkaClients` in its `after` hook closes them.
 * @example
 * let brokers: string[];
 * let admin: KafkaAdmin;
 * let producer: KafkaProducer;
 * before(async () => ({ brokers, admin, producer } = await openKafkaClients()));
 * after(() => closeKafkaClients(admin, producer));
 */
export async function openKafkaClients(): Promise<{ brokers: string[]; admin: KafkaAdmin; producer: KafkaProducer }> {
  const brokers = await kafkaBrokers();
  return { brokers, admin: new KafkaAdmin({ brokers }), producer: new KafkaProducer({ brokers }) };
}

/** Closes the producer, then the admin (from `openKafkaClients`). */
export async function closeKafkaClients(admin: KafkaAdmin, producer: KafkaProducer): Promise<void> {
  await producer.close();
  await admin.close();
}
