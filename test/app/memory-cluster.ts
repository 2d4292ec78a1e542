// An in-memory Kafka cluster in virtual time, and applications on it: what the tests of application logic without
// a broker start from.
import { Application, type ApplicationOptions } from '../../src/app/index.ts';
import { MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { VirtualClock } from '../../src/time/clock.ts';

/** The time a cluster's clock starts at. */
export const T0 = 1_700_000_000_000;

/** A virtual clock at T0 and an in-memory cluster on it, with `topics` (name: partitions) created. */
export function memoryCluster(topics: Record<string, number> = {}): { clock: VirtualClock; kafka: MemoryKafka } {
  const clock = new VirtualClock(T0);
  const kafka = new MemoryKafka({ clock });
  for (const [topic, partitions] of Object.entries(topics)) kafka.createTopic(topic, partitions);
  return { clock, kafka };
}

/**
 * An application on the cluster in its virtual time: consumer group `g` and reading from the earliest offset unless
 * `options` say otherwise.
 */
export function memoryApp(
  kafka: MemoryKafka,
  clock: VirtualClock,
  options: Omit<ApplicationOptions, 'brokers'> & { groupId?: string } = {},
): Application {
  return new Application({
    brokers: kafka.brokers,
    client: kafka,
    clock,
    autoOffsetReset: 'earliest',
    ...options,
    groupId: options.groupId ?? 'g',
  });
}
