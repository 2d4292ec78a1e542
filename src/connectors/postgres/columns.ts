// The column types the PostgreSQL sink writes, how it infers them from a batch of rows, and how it encodes one
// value of each as a CSV field of COPY, refusing (with a reason) a value that does not fit its column.

/** The column types `toPostgres` creates and checks. */
export type PostgresColumnType = 'timestamptz' | 'double precision' | 'bigint' | 'text' | 'jsonb' | 'boolean';

const KNOWN = new Set<string>(['timestamptz', 'double precision', 'bigint', 'text', 'jsonb', 'boolean']);

/** Whether `t` is a type the sink knows. @internal */
export function knownType(t: unknown): t is PostgresColumnType {
  return typeof t === 'string' && KNOWN.has(t);
}

/** The type a server column maps to (`integer` checks as `bigint`, `real` as `double precision`...). @internal */
export function fromServerType(dataType: string): PostgresColumnType {
  if (dataType.startsWith('timestamp') || dataType === 'date') return 'timestamptz';
  if (dataType === 'bigint' || dataType === 'integer' || dataType === 'smallint') return 'bigint';
  if (dataType === 'double precision' || dataType === 'real' || dataType === 'numeric') return 'double precision';
  if (dataType === 'json' || dataType === 'jsonb') return 'jsonb';
  if (dataType === 'boolean') return 'boolean';
  return 'text';
}

/**
 * The columns of a table made from `rows`: every field seen, typed by its values — a `Date` (or a number in a
 * field named `time`, `timestamp` or `ts`) as `timestamptz`, numbers as `bigint` when every one is an integer
 * else `double precision`, strings as `text`, booleans as `boolean`, objects and arrays as `jsonb`.
 * @internal
 */
export function inferColumns(rows: readonly Record<string, unknown>[]): Map<string, PostgresColumnType> {
  const seen = new Map<string, { kinds: Set<string>; integral: boolean }>();
  for (const row of rows) {
    for (const name in row) {
      const v = row[name];
      let s = seen.get(name);
      if (s === undefined) {
        s = { kinds: new Set(), integral: true };
        seen.set(name, s);
      }
      if (v === null || v === undefined) continue;
      const kind = v instanceof Date ? 'date' : typeof v;
      s.kinds.add(kind);
      if (kind === 'number' && !Number.isSafeInteger(v)) s.integral = false;
    }
  }
  const out = new Map<string, PostgresColumnType>();
  for (const [name, s] of seen) {
    let type: PostgresColumnType = 'text';
    if (s.kinds.size === 1) {
      const k = [...s.kinds][0];
      if (k === 'date') type = 'timestamptz';
      else if (k === 'number') {
        if (name === 'time' || name === 'timestamp' || name === 'ts') type = 'timestamptz';
        else type = s.integral ? 'bigint' : 'double precision';
      } else if (k === 'boolean') type = 'boolean';
      else if (k === 'object') type = 'jsonb';
      else if (k === 'bigint') type = 'bigint';
    } else if (s.kinds.has('object')) type = 'jsonb';
    out.set(name, type);
  }
  return out;
}

function quoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The CSV field of `v` in a column of type `type` (empty for null), or a `{ reason }` when it does not fit.
 * @internal
 */
export function csvField(v: unknown, type: PostgresColumnType): string | { reason: string } {
  if (v === null || v === undefined) return '';
  switch (type) {
    case 'double precision':
      if (typeof v === 'number')
        return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
      if (typeof v === 'bigint') return String(v);
      return { reason: `expected a number, got ${describe(v)}` };
    case 'bigint':
      if (typeof v === 'bigint') return String(v);
      if (typeof v === 'number' && Number.isInteger(v)) return String(v);
      return { reason: `expected an integer, got ${describe(v)}` };
    case 'timestamptz': {
      const ms =
        v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
        return { reason: `expected a timestamp (ms, Date or ISO text), got ${describe(v)}` };
      return new Date(ms).toISOString();
    }
    case 'boolean':
      if (typeof v === 'boolean') return v ? 't' : 'f';
      return { reason: `expected a boolean, got ${describe(v)}` };
    case 'jsonb': {
      const text = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
      if (text === undefined) return { reason: `expected a JSON value, got ${describe(v)}` };
      return quoted(text.split('\u0000').join(''));
    }
    default:
      if (typeof v === 'string') {
        if (v.includes('\u0000')) return { reason: 'text cannot hold the character U+0000' };
        return quoted(v);
      }
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return quoted(String(v));
      return { reason: `expected text, got ${describe(v)}` };
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (v instanceof Date) return 'an invalid Date';
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
