import { Stream, type StreamOptions } from '../../core/stream.ts';
import type { Duration } from '../../time/duration.ts';
import { KafkaSource, type KafkaSourceConfig } from './kafka-source.ts';
import type { KafkaRecord } from './record.ts';

/** How `fromKafkaBatched` groups messages. */
export interface KafkaBatchOptions {
  /** Most records in one batch (per partition). Default 10 000. */
  maxBatchSize?: number;
  /** How often partly filled batches are emitted. Default `'1s'`. */
  pollInterval?: Duration;
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of Kafka records, one element per message; offsets are committed when every node downstream is done
     * with a message (at-least-once). Call `start()`; `stop()` commits what is finished and leaves the group.
     * @example
     * const source = Stream.fromKafka<string, { ts: string; value: number }>('raw-temperature', {
     *   brokers: 'localhost:9092', groupId: 'temps', autoOffsetReset: 'earliest', value: 'json',
     * });
     * source.map((r) => r.value.value).sink(console.log);
     * source.start();
     */
    function fromKafka<K = string, V = unknown>(
      topics: string | readonly string[],
      config: KafkaSourceConfig<K, V>,
      options?: StreamOptions,
    ): KafkaSource<K, V>;
    /**
     * A source of batches (arrays) of Kafka records, per partition, every `pollInterval` or `maxBatchSize`
     * records; a batch's offsets commit when every node downstream is done with it.
     * @example
     * Stream.fromKafkaBatched('raw', { brokers, groupId: 'g' }, { maxBatchSize: 5000, pollInterval: '500ms' })
     *   .sink((batch) => db.insertMany(batch.map((r) => r.value)));
     */
    function fromKafkaBatched<K = string, V = unknown>(
      topic: string,
      config: KafkaSourceConfig<K, V>,
      batch?: KafkaBatchOptions,
      options?: StreamOptions,
    ): KafkaSource<K, V, KafkaRecord<K, V>[]>;
  }
}

Object.assign(Stream, {
  fromKafka<K, V>(topics: string | readonly string[], config: KafkaSourceConfig<K, V>, options: StreamOptions = {}) {
    return new KafkaSource<K, V>(topics, config, null, options);
  },
  fromKafkaBatched<K, V>(
    topic: string,
    config: KafkaSourceConfig<K, V>,
    batch: KafkaBatchOptions = {},
    options: StreamOptions = {},
  ) {
    return new KafkaSource<K, V, KafkaRecord<K, V>[]>(topic, config, batch, options);
  },
});
