import { TwinstreamError } from '../../errors.ts';

/** @internal The column types a storage sink knows: JSON holds objects and arrays. */
export type FieldType = 'number' | 'string' | 'boolean' | 'json';

/** @internal The type of a value, or null for null/undefined (which fits any type). */
export function fieldType(value: unknown): FieldType | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'json';
    default:
      return 'string';
  }
}

/**
 * A schema fixed by the first batch written to a destination: its fields (in first-seen order) and their types.
 * Later records may leave fields out (null), but a new field or a value of another type is an error naming the
 * field, the destination and what was expected.
 *
 * @example
 * const schema = new SchemaGuard('data/events.parquet');
 * schema.check([{ key: 'a', n: 1 }]);   // fixes { key: string, n: number }
 * schema.check([{ key: 'b', n: 'x' }]); // throws TS_SIM_SCHEMA_DRIFT naming "n"
 * @internal
 */
export class SchemaGuard {
  readonly destination: string;
  /** The fields and types, once fixed. */
  fields: Map<string, FieldType> | null = null;

  constructor(destination: string) {
    this.destination = destination;
  }

  /** Fixes the schema from the first batch, then checks every record of every later batch against it. */
  check(batch: readonly Record<string, unknown>[]): Map<string, FieldType> {
    let fields = this.fields;
    const fixing = fields === null;
    if (fields === null) {
      fields = new Map();
      for (const rec of batch) for (const key of Object.keys(rec)) if (!fields.has(key)) fields.set(key, 'string');
      // A field's type is that of its first non-null value (all-null fields are strings).
      for (const key of fields.keys()) {
        for (const rec of batch) {
          const t = fieldType(rec[key]);
          if (t !== null) {
            fields.set(key, t);
            break;
          }
        }
      }
    }
    // for-in, not Object.keys: no array per record (records are plain objects, so no inherited keys).
    for (const rec of batch) {
      for (const key in rec) {
        const expected = fields.get(key);
        if (expected === undefined) {
          throw new TwinstreamError(
            'TS_SIM_SCHEMA_DRIFT',
            `${this.destination}: field "${key}" is not in the schema fixed by the first batch (fields: ${[...fields.keys()].join(', ')}); route or flatten records so every batch has the same fields`,
            { context: { destination: this.destination, field: key } },
          );
        }
        const t = fieldType(rec[key]);
        if (t !== null && t !== expected) {
          throw new TwinstreamError(
            'TS_SIM_SCHEMA_DRIFT',
            `${this.destination}: field "${key}" is ${t} (${JSON.stringify(rec[key])}) but the schema fixed by the first batch says ${expected}`,
            { context: { destination: this.destination, field: key, expected, got: t } },
          );
        }
      }
    }
    if (fixing) this.fields = fields;
    return fields;
  }
}

/**
 * Decides where a record goes: a destination path, or null/undefined to drop it. It receives a shallow copy it may
 * reshape (flatten a nested `value`, rename fields) before returning.
 */
export type PathRouter = (record: Record<string, unknown>) => string | null | undefined;

/**
 * Groups a batch by destination through `router` (records copied first, so sinks sharing records never see one
 * another's changes).
 *
 * @example
 * routeBatch(batch, (r) => (r.stream_type === 'event' ? 'out/events.jsonl' : null));
 * @internal
 */
export function routeBatch(batch: readonly object[], router: PathRouter): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  const copies = !READ_ONLY_ROUTERS.has(router);
  for (const rec of batch) {
    const copy = copies ? { ...(rec as Record<string, unknown>) } : (rec as Record<string, unknown>);
    const path = router(copy);
    if (path === null || path === undefined) continue;
    if (typeof path !== 'string' || path === '') {
      throw new TwinstreamError(
        'TS_SIM_BAD_ROUTE',
        `pathRouter returned ${JSON.stringify(path)}; expected a destination path, or null to drop the record`,
      );
    }
    let group = out.get(path);
    if (group === undefined) out.set(path, (group = []));
    group.push(copy);
  }
  return out;
}

/**
 * The router used when none is given: `<directory>/<stream_type><extension>`.
 *
 * @example
 * byStreamType('data', '.jsonl')({ stream_type: 'event' }); // 'data/event.jsonl'
 */
export function byStreamType(directory: string, extension: string): PathRouter {
  const router: PathRouter = (record) => `${directory}/${String(record.stream_type ?? 'records')}${extension}`;
  READ_ONLY_ROUTERS.add(router);
  return router;
}

// Routers known not to change the records they are given: `routeBatch` hands them the records themselves.
const READ_ONLY_ROUTERS = new WeakSet<PathRouter>();
