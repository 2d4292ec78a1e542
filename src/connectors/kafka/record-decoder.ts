import { describe, TwinstreamError } from '../../errors.ts';
import { MAX_TIMESTAMP, toTimestamp } from '../../window/timestamp.ts';
import { DecodedRecord } from './decoded-record.ts';
import type { KafkaRecord } from './record.ts';
import { type Serde, type SerdeSpec, stringSerde, toSerde } from './serializers.ts';

/** A message as the client delivers it: bytes, and where it came from. */
export interface RawMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | undefined | null;
  value: Buffer | undefined | null;
  timestamp: bigint;
  headers: Map<Buffer | string, Buffer>;
}

/** How a topic's messages become records. */
export interface DecodeOptions<K, V> {
  /** Key serde. Default `'string'`. */
  key?: SerdeSpec<K>;
  /** Value serde. Default `'json'`. */
  value?: SerdeSpec<V>;
  /**
   * The event time of a record, in ms, from its value (Quix's timestamp extractor). Default: the Kafka timestamp.
   * What it returns must be a finite number, a Date or an ISO 8601 string; otherwise the message is dead-lettered.
   */
  timestamp?: (value: V, record: KafkaRecord<K, V>) => number | Date | string;
  /** Messages larger than this many bytes (key + value) are dead-lettered unread. Default 8 MiB. */
  maxMessageBytes?: number;
}

/**
 * Turns raw messages into records: deserializes the key and value, reads the event time. Throws a
 * `TwinstreamError` naming the problem (`TS_KAFKA_DESERIALIZE`, `TS_KAFKA_BAD_TIMESTAMP`, `TS_KAFKA_TOO_LARGE`) for a
 * message that cannot become a record; the source dead-letters it.
 *
 * @example
 * const decoder = new RecordDecoder({ value: 'json', timestamp: (v) => v.ts }, 'fromKafka');
 */
export class RecordDecoder<K = unknown, V = unknown> {
  readonly key: Serde<K>;
  readonly value: Serde<V>;
  private readonly extract: ((value: V, record: KafkaRecord<K, V>) => number | Date | string) | undefined;
  private readonly maxBytes: number;
  /** String keys decoded once each (the default key serde); null for other serdes. */
  private readonly keys: StringKeys | null;

  constructor(options: DecodeOptions<K, V>, where: string) {
    this.key = toSerde(options.key, where, 'key', 'string');
    this.keys = this.key === (stringSerde as Serde<unknown>) ? new StringKeys() : null;
    this.value = toSerde(options.value, where, 'value', 'json');
    this.extract = options.timestamp;
    this.maxBytes = options.maxMessageBytes ?? 8 * 1024 * 1024;
  }

  /**
   * What must be fetched before `decode` can read `m` (a schema the Avro serde does not know yet): a promise, or
   * `null` (always, for serdes without `prepare`).
   */
  prepare(m: RawMessage): Promise<void> | null {
    if (this.key.prepare === undefined && this.value.prepare === undefined) return null;
    const k = m.key == null || m.key.length === 0 ? null : (this.key.prepare?.(m.key) ?? null);
    const v = m.value == null ? null : (this.value.prepare?.(m.value) ?? null);
    if (k === null) return v;
    return v === null ? k : Promise.all([k, v]).then(() => {});
  }

  decode(m: RawMessage): KafkaRecord<K, V> {
    const size = (m.key?.length ?? 0) + (m.value?.length ?? 0);
    if (size > this.maxBytes) {
      throw new TwinstreamError(
        'TS_KAFKA_TOO_LARGE',
        `message of ${size} bytes exceeds maxMessageBytes (${this.maxBytes})`,
        {
          context: { bytes: size },
        },
      );
    }
    const headers = new RecordHeaders();
    // Most messages carry none: skip the iterator (and its entry arrays) then.
    if (m.headers.size > 0) for (const [k, v] of m.headers) headers[typeof k === 'string' ? k : k.toString()] = v;
    const key = m.key;
    const value = m.value;
    const record = new DecodedRecord<K, V>(
      m.topic,
      m.partition,
      Number(m.offset),
      // A null key is no key; an empty one is the key '' for strings (other serdes cannot read empty bytes).
      (key == null
        ? null
        : this.keys !== null
          ? this.keys.decode(key)
          : key.length === 0
            ? null
            : this.key.deserialize(key)) as K,
      (value == null ? null : this.value.deserialize(value)) as V,
      Number(m.timestamp),
      headers,
    );
    if (this.extract !== undefined) record.timestamp = this.eventTime(record);
    return record;
  }

  private eventTime(record: KafkaRecord<K, V>): number {
    let t: unknown;
    try {
      t = this.extract!(record.value, record);
    } catch (error) {
      throw new TwinstreamError(
        'TS_KAFKA_BAD_TIMESTAMP',
        `timestamp extractor failed: ${error instanceof Error ? error.message : describe(error)}`,
        {
          cause: error,
        },
      );
    }
    if (typeof t === 'number' && t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP) return t;
    try {
      // The one reading of timestamps (windows use it too): the Date range, ISO strings, never a throw describing t.
      return toTimestamp(t, 'timestamp extractor');
    } catch (error) {
      throw new TwinstreamError(
        'TS_KAFKA_BAD_TIMESTAMP',
        `timestamp extractor returned ${t === undefined ? 'undefined (missing timestamp?)' : describe(t)}; expected ms since the epoch within ±${MAX_TIMESTAMP}, a Date or an ISO 8601 string`,
        { cause: error },
      );
    }
  }
}

/**
 * The headers object of a record. Its prototype chain holds no `Object.prototype`, so a header named `__proto__`
 * (or `constructor`, `toString`) is an ordinary own key and none can reach a prototype. Made by a constructor, not
 * `Object.create(null)`: that makes a dictionary-mode object, measured here at tens to hundreds of ns each against
 * a few for this.
 */
const RecordHeaders = function RecordHeaders() {} as unknown as new () => Record<string, Buffer>;
RecordHeaders.prototype = Object.create(null);

/** Slots of `StringKeys` (a power of two), and the longest key it keeps. */
const KEY_SLOTS = 1024;
const KEY_BYTES = 48;

/**
 * UTF-8 keys decoded once per distinct key: a topic's keys repeat (sensor, device, user ids). A key found here
 * costs a hash of its bytes instead of a string made by the runtime, and comes back as the same string each
 * time, whose hash a window's key lookup then has cached. Direct-mapped: a slot keeps the last key that hashed
 * there (its bytes copied into one preallocated array, no allocation per key); a different key decodes as usual
 * and takes the slot. Bounded: KEY_SLOTS keys of at most KEY_BYTES bytes; longer ones are not kept.
 *
 * @example
 * const keys = new StringKeys();
 * keys.decode(Buffer.from('sensor-1')) === keys.decode(Buffer.from('sensor-1')); // true, decoded once
 */
class StringKeys {
  private readonly bytes = new Uint8Array(KEY_SLOTS * KEY_BYTES);
  private readonly lengths = new Int32Array(KEY_SLOTS).fill(-1);
  private readonly strings: string[] = new Array<string>(KEY_SLOTS).fill('');

  decode(b: Buffer): string {
    const n = b.length;
    if (n > KEY_BYTES) return b.toString('utf8');
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & (KEY_SLOTS - 1);
    const at = slot * KEY_BYTES;
    const kept = this.bytes;
    if (this.lengths[slot] === n) {
      let i = 0;
      while (i < n && kept[at + i] === b[i]) i++;
      if (i === n) return this.strings[slot]!;
    }
    const s = b.toString('utf8');
    kept.set(b, at);
    this.lengths[slot] = n;
    this.strings[slot] = s;
    return s;
  }
}
