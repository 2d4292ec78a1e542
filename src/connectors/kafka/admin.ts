import { badArgument } from '../../errors.ts';
import { portOf } from './broker-port.ts';
import { clientOptions, type KafkaConnection, kafkaError, timeoutOf, withTimeout } from './connection.ts';
import type { PortAdmin } from './kafka-port.ts';

/** A topic to create: its name, partitions, replication and broker settings (`cleanup.policy`, ...). */
export interface TopicSpec {
  name: string;
  /** Default 1. */
  partitions?: number;
  /** Default 1. */
  replicationFactor?: number;
  /** Topic configuration, e.g. `{ 'cleanup.policy': 'compact' }`. */
  config?: Record<string, string | number>;
}

/**
 * Topic administration with every wait bounded by the connection's timeout.
 *
 * @example
 * const admin = new KafkaAdmin({ brokers: 'localhost:9092' });
 * await admin.ensureTopics([{ name: 'raw-temperature', partitions: 3 }]);
 * await admin.close();
 */
export class KafkaAdmin {
  readonly connection: KafkaConnection;
  private client: PortAdmin | null = null;
  private readonly timeout: number;

  constructor(connection: KafkaConnection) {
    clientOptions(connection, 'KafkaAdmin', 'admin'); // validates now, not at the first call
    this.connection = connection;
    this.timeout = timeoutOf(connection, 'KafkaAdmin');
  }

  private async admin(): Promise<PortAdmin> {
    if (this.client) return this.client;
    const client = await portOf(this.connection).admin(clientOptions(this.connection, 'KafkaAdmin', 'admin'));
    this.client = client;
    return client;
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const t of topics) {
      if (typeof t?.name !== 'string' || t.name === '')
        badArgument('KafkaAdmin.ensureTopics', 'name', t?.name, 'a topic name');
    }
    const admin = await this.admin();
    const existing = await this.topicNames();
    for (const t of topics) {
      if (existing.has(t.name)) continue;
      const configs = Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value: String(value) }));
      try {
        await withTimeout(
          admin.createTopics({
            topics: [t.name],
            partitions: t.partitions ?? 1,
            replicas: t.replicationFactor ?? 1,
            configs,
          }),
          this.timeout,
          `creating topic "${t.name}"`,
          this.connection,
        );
      } catch (error) {
        if (
          /TOPIC_ALREADY_EXISTS|already exists/i.test(
            String((error as any)?.message) + JSON.stringify((error as any)?.errors ?? ''),
          )
        )
          continue;
        throw kafkaError('TS_KAFKA_ADMIN', `creating topic "${t.name}" failed`, error, this.connection, {
          topic: t.name,
        });
      }
    }
  }

  /** The names of the topics of the cluster (internal ones excluded). */
  async topicNames(): Promise<Set<string>> {
    const admin = await this.admin();
    try {
      const names = await withTimeout(admin.listTopics(), this.timeout, 'listing topics', this.connection);
      return new Set(names);
    } catch (error) {
      throw kafkaError('TS_KAFKA_ADMIN', 'listing topics failed', error, this.connection);
    }
  }

  /** The partition count of a topic. */
  async partitions(topic: string): Promise<number> {
    const admin = await this.admin();
    try {
      const md = await withTimeout(
        admin.metadata({ topics: [topic] }),
        this.timeout,
        `reading metadata of "${topic}"`,
        this.connection,
      );
      return md.topics.get(topic)?.partitionsCount ?? 0;
    } catch (error) {
      throw kafkaError('TS_KAFKA_ADMIN', `reading metadata of "${topic}" failed`, error, this.connection, { topic });
    }
  }

  /**
   * One configuration of each topic (`delete.retention.ms`...): its value, or undefined where the cluster reports
   * none.
   * @example const retention = await admin.topicConfig(['g-changelog-sums'], 'delete.retention.ms');
   */
  async topicConfig(topics: readonly string[], key: string): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>(topics.map((t) => [t, undefined]));
    if (topics.length === 0) return out;
    const admin = await this.admin();
    try {
      const described = await withTimeout(
        admin.describeConfigs({
          resources: topics.map((t) => ({ resourceType: 2, resourceName: t, configurationKeys: [key] })),
        }),
        this.timeout,
        `reading "${key}" of ${topics.join(', ')}`,
        this.connection,
      );
      for (const d of described) {
        const value = d.configs.find((c) => c.name === key)?.value;
        if (out.has(d.resourceName) && typeof value === 'string') out.set(d.resourceName, value);
      }
      return out;
    } catch (error) {
      throw kafkaError('TS_KAFKA_ADMIN', `reading "${key}" of ${topics.join(', ')} failed`, error, this.connection, {
        topics: [...topics],
      });
    }
  }

  /** Deletes topics (missing ones are ignored). */
  async deleteTopics(names: readonly string[]): Promise<void> {
    const admin = await this.admin();
    const existing = await this.topicNames();
    const present = names.filter((n) => existing.has(n));
    if (present.length === 0) return;
    try {
      await withTimeout(admin.deleteTopics({ topics: present }), this.timeout, 'deleting topics', this.connection);
    } catch (error) {
      throw kafkaError('TS_KAFKA_ADMIN', `deleting topics ${present.join(', ')} failed`, error, this.connection);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.close();
  }
}
