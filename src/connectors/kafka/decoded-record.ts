import { type WindowDefaults, windowDefaults } from '../../window/window-defaults.ts';
import type { KafkaRecord } from './record.ts';

/** Quix's defaults on Kafka records: windows keyed by the record key, aggregating the record value. */
const KAFKA_WINDOW_DEFAULTS: WindowDefaults = {
  key: (r) => (r as KafkaRecord).key,
  value: (r) => (r as KafkaRecord).value,
  partition: (r) => (r as KafkaRecord).partition ?? 0,
};

/**
 * What a Kafka source emits for one message: a `KafkaRecord` whose prototype carries Quix's window defaults
 * (`windowDefaults`), so that windows read its key and value without being told and without knowing Kafka. One
 * object per message, its fields in one fixed order (one hidden class for every record).
 *
 * @example
 * const r = new DecodedRecord('readings', 0, 42, 'sensor-1', { celsius: 21.5 }, 1718359200000, {});
 * windowDefaultsOf(r)?.key?.(r); // 'sensor-1'
 */
export class DecodedRecord<K = unknown, V = unknown> implements KafkaRecord<K, V> {
  topic: string;
  partition: number;
  offset: number;
  key: K;
  value: V;
  timestamp: number;
  headers: Record<string, Buffer>;

  constructor(
    topic: string,
    partition: number,
    offset: number,
    key: K,
    value: V,
    timestamp: number,
    headers: Record<string, Buffer>,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.headers = headers;
  }
}

Object.defineProperty(DecodedRecord.prototype, windowDefaults, { value: KAFKA_WINDOW_DEFAULTS });

/**
 * True for a value shaped like a Kafka record (`topic`, `partition`, `offset`, `key`, `value`): what `toKafka`
 * takes the key, value and headers of. A copy made with `{ ...record, value }` counts too.
 */
export function isKafkaRecord(x: unknown): x is KafkaRecord {
  return (
    x !== null &&
    typeof x === 'object' &&
    'topic' in x &&
    'offset' in x &&
    'value' in x &&
    'key' in x &&
    'partition' in x
  );
}
