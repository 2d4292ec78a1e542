import { isUtf8 } from 'node:buffer';

/** One refused part of a body. */
export interface BodyError {
  reason: string;
  message: string;
  sample?: string;
}

/**
 * The elements of a POSTed body: NDJSON (content type `application/x-ndjson`, `application/jsonl` or
 * `application/ndjson`) one value a non-empty line, a bad line refused with its number and the rest kept;
 * anything else one JSON value, an array giving its items. A body that is not UTF-8 is refused whole.
 *
 * @example
 * parseRequestBody(Buffer.from('{"a":1}\nnot json\n'), 'application/x-ndjson');
 * // { values: [{ a: 1 }], errors: [{ reason: 'invalid-json', message: 'line 2: invalid JSON ...' }] }
 * @internal
 */
export function parseRequestBody(
  body: Buffer,
  contentType: string | undefined,
): { values: unknown[]; errors: BodyError[] } {
  if (!isUtf8(body)) return { values: [], errors: [{ reason: 'invalid-utf8', message: 'the body is not UTF-8' }] };
  const text = body.toString('utf8');
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/ndjson') {
    const values: unknown[] = [];
    const errors: BodyError[] = [];
    let line = 0;
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      line++;
      const s = text.slice(start, end);
      start = end + 1;
      if (s.trim() === '') continue;
      try {
        values.push(JSON.parse(s));
      } catch (e) {
        errors.push({
          reason: 'invalid-json',
          message: `line ${line}: invalid JSON (${(e as Error).message})`,
          sample: s.slice(0, 256),
        });
      }
    }
    return { values, errors };
  }
  try {
    const v = JSON.parse(text);
    return { values: Array.isArray(v) ? v : [v], errors: [] };
  } catch (e) {
    return {
      values: [],
      errors: [
        { reason: 'invalid-json', message: `invalid JSON (${(e as Error).message})`, sample: text.slice(0, 256) },
      ],
    };
  }
}
