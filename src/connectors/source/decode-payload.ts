import { isUtf8 } from 'node:buffer';

/** How a connector turns the bytes of a message into an element. */
export type PayloadFormat = 'json' | 'string' | 'bytes';

/** A decoded payload, or why it could not be decoded (`reason` is stable, `error` says where). */
export type Decoded = { value: unknown; error?: undefined; reason?: undefined } | { error: string; reason: string };

/**
 * Decodes one message: `'bytes'` as it is, `'string'` as UTF-8 (invalid sequences refused, never replaced by
 * U+FFFD: a sensor's garbled reading must not pass as text), `'json'` as UTF-8 JSON. `JSON.parse` makes a
 * `"__proto__"` key an own property, never the object's prototype.
 *
 * @example
 * decodePayload(Buffer.from('{"t":1}'), 'json'); // { value: { t: 1 } }
 * decodePayload(Buffer.from([0xff]), 'string'); // { error: 'invalid UTF-8', reason: 'invalid-utf8' }
 * @internal
 */
export function decodePayload(bytes: Buffer, format: PayloadFormat): Decoded {
  if (format === 'bytes') return { value: bytes };
  if (!isUtf8(bytes)) return { error: 'invalid UTF-8', reason: 'invalid-utf8' };
  const text = bytes.toString('utf8');
  if (format === 'string') return { value: text };
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `invalid JSON (${(e as Error).message})`, reason: 'invalid-json' };
  }
}
