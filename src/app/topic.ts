import type { KafkaRecord } from '../connectors/kafka/record.ts';
import { type Serde, type SerdeSpec, toSerde } from '../connectors/kafka/serializers.ts';
import { badArgument } from '../errors.ts';

/** How an application reads and writes one topic (Quix's `app.topic(...)` options). */
export interface TopicConfig<K = string, V = unknown> {
  /** Key (de)serializer. Default `'string'`. */
  key?: SerdeSpec<K>;
  /** Value (de)serializer. Default `'json'`. */
  value?: SerdeSpec<V>;
  /** The event time of a record from its value; default: the Kafka timestamp. */
  timestampExtractor?: (value: V, record: KafkaRecord<K, V>) => number | Date | string;
  /** Partitions when the application creates the topic. Default 1. */
  partitions?: number;
  /** Replication factor when the application creates the topic. Default 1. */
  replicationFactor?: number;
  /** Topic configuration when the application creates it, e.g. `{ 'retention.ms': 3600000 }`. */
  config?: Record<string, string | number>;
}

/**
 * A topic of an application: its name, serializers and event-time extractor. Made by `app.topic(name, config)`.
 *
 * @example
 * const input = app.topic('raw-temperature', { value: 'json', timestampExtractor: (v) => v.ts });
 */
export class Topic<K = string, V = unknown> {
  readonly name: string;
  readonly config: TopicConfig<K, V>;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;

  constructor(name: string, config: TopicConfig<K, V> = {}) {
    if (typeof name !== 'string' || name === '') badArgument('app.topic', 'name', name, 'a topic name');
    if (config.timestampExtractor !== undefined && typeof config.timestampExtractor !== 'function') {
      badArgument('app.topic', 'timestampExtractor', config.timestampExtractor, 'a function of the value');
    }
    this.name = name;
    this.config = config;
    this.keySerde = toSerde(config.key, 'app.topic', 'key', 'string');
    this.valueSerde = toSerde(config.value, 'app.topic', 'value', 'json');
  }
}
