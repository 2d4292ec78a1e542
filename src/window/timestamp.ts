import { type ElementFn, fieldReader, requiredFieldReader } from '../core/key.ts';
import { badArgument, TwinstreamError } from '../errors.ts';

/** How a window reads a field of each element: a function of it, or a field name. */
export type Extractor<T, R = unknown> = ElementFn<T, R> | string;

/**
 * True for what a Kafka source emits: a record with `topic`, `partition`, `offset`, `key`, `value` and
 * `timestamp`. On such records windows default to Quix's choices: keyed by the record key, stamped by the record
 * timestamp, aggregating the record value.
 * @internal
 */
export function isKafkaRecord(x: unknown): boolean {
  return (
    x !== null &&
    typeof x === 'object' &&
    'topic' in x &&
    'offset' in x &&
    'value' in x &&
    'timestamp' in x &&
    'key' in x
  );
}

/** @internal Turns an extractor option into a function; `undefined` stays `undefined` (the caller's default applies). */
export function toExtractor<T>(
  where: string,
  name: string,
  spec: Extractor<T> | undefined,
  required = false,
): ((x: T) => unknown) | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') return required ? requiredFieldReader(spec, where, name) : fieldReader(spec);
  return badArgument(where, name, spec, 'a function of the element or a field name');
}

/**
 * Turns what a timestamp extractor returned into milliseconds since the epoch: a finite number, a `Date`, or a
 * string `Date.parse` understands (ISO 8601). Anything else throws `TS_BAD_TIMESTAMP` naming the value and the
 * reason, which the graph routes to the node's error branch with the element.
 *
 * @example
 * toTimestamp('2024-06-14T10:00:00Z', 'tumblingWindow'); // 1718359200000
 * @internal
 */
export function toTimestamp(t: unknown, where: string): number {
  if (typeof t === 'number') {
    if (Number.isFinite(t)) return t;
    throw badTimestamp(where, t, 'it is not a finite number');
  }
  if (t === undefined || t === null) throw badTimestamp(where, t, 'the element has no timestamp');
  if (t instanceof Date) {
    const ms = t.getTime();
    if (Number.isFinite(ms)) return ms;
    throw badTimestamp(where, t, 'it is an invalid Date');
  }
  if (typeof t === 'bigint') return Number(t);
  if (typeof t === 'string') {
    const ms = t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : Date.parse(t);
    if (Number.isFinite(ms)) return ms;
    throw badTimestamp(where, t, 'it is not a parseable date');
  }
  throw badTimestamp(where, t, `it is a ${typeof t}`);
}

function badTimestamp(where: string, t: unknown, reason: string): TwinstreamError {
  return new TwinstreamError(
    'TS_BAD_TIMESTAMP',
    `${where}: timestamp ${describeTs(t)} is not usable: ${reason}; expected milliseconds since the epoch (a finite number), a Date or an ISO 8601 string`,
    { context: { timestamp: t, reason } },
  );
}

function describeTs(t: unknown): string {
  if (typeof t === 'string') return JSON.stringify(t);
  if (t instanceof Date) return 'Invalid Date';
  return String(t);
}
