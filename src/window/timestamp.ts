import { type ElementFn, type FieldName, fieldReader, requiredFieldReader } from '../core/key.ts';
import { badArgument, describe, TwinstreamError } from '../errors.ts';

/**
 * The greatest timestamp accepted anywhere, in ms from the epoch either way: the range of a JavaScript `Date`
 * (±100,000,000 days, ±8.64e15 ms). No date names a time beyond it, and window arithmetic on such numbers loses
 * whole steps, so such a timestamp is refused with `TS_BAD_TIMESTAMP` where it enters.
 *
 * @example toTimestamp(MAX_TIMESTAMP + 1, 'w'); // throws TS_BAD_TIMESTAMP
 */
export const MAX_TIMESTAMP = 8.64e15;

/**
 * True for a number that is a usable timestamp: finite and within ±`MAX_TIMESTAMP`. Two comparisons, no call:
 * hot paths inline the same test (`t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP`, false for NaN).
 *
 * @example isTimestamp(1718359200000); // true
 * isTimestamp(1e300); // false
 */
export function isTimestamp(t: unknown): t is number {
  return typeof t === 'number' && t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP;
}

/** How a window reads a field of each element: a function of it, or one of its field names (checked against
 * the element type, so a misspelt name does not compile). */
export type Extractor<T, R = unknown> = ElementFn<T, R> | (FieldName<T> & string);

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
    if (t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP) return t;
    throw badTimestamp(where, t, Number.isFinite(t) ? OUT_OF_RANGE : 'it is not a finite number');
  }
  if (t === undefined || t === null) throw badTimestamp(where, t, 'the element has no timestamp');
  if (t instanceof Date) {
    const ms = t.getTime();
    if (Number.isFinite(ms)) return ms;
    throw badTimestamp(where, t, 'it is an invalid Date');
  }
  if (typeof t === 'bigint') {
    const ms = Number(t);
    if (ms >= -MAX_TIMESTAMP && ms <= MAX_TIMESTAMP) return ms;
    throw badTimestamp(where, t, OUT_OF_RANGE);
  }
  if (typeof t === 'string') {
    const n = t.trim() !== '' ? Number(t) : Number.NaN;
    if (Number.isFinite(n)) {
      if (n >= -MAX_TIMESTAMP && n <= MAX_TIMESTAMP) return n;
      throw badTimestamp(where, t, OUT_OF_RANGE);
    }
    // Date.parse gives NaN or a time within the Date range.
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
    throw badTimestamp(where, t, 'it is not a parseable date');
  }
  throw badTimestamp(where, t, `it is a ${typeof t}`);
}

function badTimestamp(where: string, t: unknown, reason: string): TwinstreamError {
  return new TwinstreamError(
    'TS_BAD_TIMESTAMP',
    `${where}: timestamp ${describeTs(t)} is not usable: ${reason}; expected milliseconds since the epoch (a number within ±${MAX_TIMESTAMP}), a Date or an ISO 8601 string`,
    { context: { timestamp: t, reason } },
  );
}

const OUT_OF_RANGE = `it is outside ±${MAX_TIMESTAMP} ms (the range of a Date)`;

// `describe` never throws: a value without a prototype (`Object.create(null)`) has no `toString` for `String()`.
function describeTs(t: unknown): string {
  if (t instanceof Date) return 'Invalid Date';
  return describe(t);
}
