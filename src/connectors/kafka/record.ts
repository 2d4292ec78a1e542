import type { WindowDefaults, windowDefaults } from '../../window/window-defaults.ts';

/**
 * What a Kafka source emits for one message: Quix's record fields plus the topic. `timestamp` is in ms since the
 * epoch (the record's own, or what the topic's timestamp extractor returned); `offset` is a number (exact up to
 * 2^53). A source's records carry Quix's window defaults (`windowDefaults`): keyed by `key`, stamped by `timestamp`,
 * aggregating `value`.
 *
 * @example
 * source.sink((r: KafkaRecord<string, { value: number }>) => console.log(r.key, r.value.value, r.offset));
 */
export interface KafkaRecord<K = unknown, V = unknown> {
  topic: string;
  partition: number;
  offset: number;
  key: K;
  value: V;
  timestamp: number;
  headers: Record<string, Buffer>;
  /** Types what windows read from a source's records by default (the key and the value): so a column names a
   * field of the value, as in `tumblingWindow('10s').mean('temperature')`. */
  readonly [windowDefaults]?: WindowDefaults<K, V>;
}

/** The metadata entry a Kafka source attaches to each element (next to its reference counter). */
export interface KafkaMetadata {
  topic: string;
  partition: number;
  offset: number;
  /** The message key as it arrived (bytes): sinks reuse it when no key is configured, as Quix does. */
  kafkaKey: Buffer | undefined;
}
