/**
 * How an element tells windows what to read from it when the window was given no extractor: an element (or its
 * prototype) with a `[windowDefaults]` property holding `WindowDefaults`. A Kafka source's records carry Quix's
 * defaults this way (keyed by the record key, aggregating the record value, partitioned as the record); so may
 * any element type of a connector, without the window layer knowing it. The timestamp default needs no protocol:
 * it is the `timestamp` field of every element.
 *
 * @example
 * class Reading {
 *   constructor(readonly sensor: string, readonly celsius: number, readonly timestamp: number) {}
 *   static readonly defaults: WindowDefaults = { key: (r) => (r as Reading).sensor, value: (r) => (r as Reading).celsius };
 * }
 * Object.defineProperty(Reading.prototype, windowDefaults, { value: Reading.defaults });
 * readings.tumblingWindow('10s').mean(); // per sensor, of celsius
 */
export const windowDefaults: unique symbol = Symbol.for('twinstream.windowDefaults');

/**
 * What an element says windows read from it by default; each part applies where the window has no extractor.
 * `K` and `V` type the key and value read: an element type that declares `[windowDefaults]?: WindowDefaults<K, V>`
 * (as `KafkaRecord` does) has windows whose aggregators are checked against `V`.
 */
export interface WindowDefaults<K = unknown, V = unknown> {
  /** The key windows are kept per. */
  readonly key?: (x: unknown) => K;
  /** The value aggregated. */
  readonly value?: (x: unknown) => V;
  /** The partition whose watermark closes the windows (`closingStrategy: 'partition'`). */
  readonly partition?: (x: unknown) => number;
}

/**
 * What a window aggregates of an element of type `T` when it is given no `value` extractor: the value its
 * `[windowDefaults]` declares (a Kafka record's `value`), else the element itself.
 *
 * @example
 * type V = DefaultWindowValue<KafkaRecord<string, { celsius: number }>>; // { celsius: number }
 */
export type DefaultWindowValue<T> = unknown extends T
  ? T
  : typeof windowDefaults extends keyof NonNullable<T>
    ? NonNullable<NonNullable<T>[typeof windowDefaults]> extends WindowDefaults<any, infer V>
      ? V
      : T
    : T;

/** The defaults `x` carries, or undefined. */
export function windowDefaultsOf(x: unknown): WindowDefaults | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  return (x as { [windowDefaults]?: WindowDefaults })[windowDefaults];
}
