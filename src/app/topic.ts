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
  timestamp?: (value: V, record: KafkaRecord<K, V>) => number | Date | string;
  /** @deprecated Quix's name of `timestamp`. */
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
 * const input = app.topic('raw-temperature', { value: 'json', timestamp: (v) => v.ts });
 */
export class Topic<K = string, V = unknown> {
  readonly name: string;
  readonly config: TopicConfig<K, V>;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;

  constructor(name: string, config: TopicConfig<K, V> = {}) {
    if (typeof name !== 'string' || name === '') badArgument('app.topic', 'name', name, 'a topic name');
    const timestamp = config.timestamp ?? config.timestampExtractor;
    if (timestamp !== undefined && typeof timestamp !== 'function') {
      const option = config.timestamp === undefined ? 'timestampExtractor' : 'timestamp';
      badArgument('app.topic', option, timestamp, 'a function of the value');
    }
    this.name = name;
    this.config = timestamp === undefined ? config : { ...config, timestamp };
    this.keySerde = toSerde(config.key, 'app.topic', 'key', 'string');
    this.valueSerde = toSerde(config.value, 'app.topic', 'value', 'json');
  }
}
