import { TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import type { FieldType } from './schema.ts';

/** The Parquet type each field type is written as (every column nullable). */
const BASIC: Record<FieldType, string> = { number: 'DOUBLE', string: 'STRING', boolean: 'BOOLEAN', json: 'JSON' };

/** @internal One column as hyparquet-writer takes it. */
export interface ParquetColumn {
  name: string;
  data: unknown[];
  type: string;
  nullable: true;
  encoding?: 'PLAIN';
  statistics?: boolean;
}

/** @internal What the storage sinks need from a hyparquet-writer `ParquetWriter`. */
export interface ParquetRowGroupWriter {
  write(o: { columnData: ParquetColumn[]; rowGroupSize: number }): void | Promise<void>;
  finish(): void | Promise<void>;
}

/** @internal Where a Parquet writer puts its bytes: hyparquet-writer's `Writer` (a `ByteWriter`, a file writer). */
export interface ParquetByteSink {
  readonly offset: number;
}

// A string column whose sample has more distinct values than this share is written PLAIN: a dictionary would not
// pay, and hyparquet-writer would first build one, then drop it.
const DISTINCT_SHARE_FOR_PLAIN = 0.5;
const SAMPLE = 256;

type Bytes = (s: string) => Uint8Array;

// Buffer.from slices small strings out of a shared pool: about twice as fast as one TextEncoder.encode (a new
// ArrayBuffer) per value, and far less garbage. Outside Node, TextEncoder.
const toBytes: Bytes = (() => {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B !== undefined) return (s: string) => B.from(s, 'utf8');
  const enc = new TextEncoder();
  return (s: string) => enc.encode(s);
})();

/**
 * Turns a batch of records into Parquet columns for the given fields, in one pass per column. Missing values become
 * nulls. String columns of many distinct values (timestamps, keys) are encoded to UTF-8 here, written PLAIN and
 * without min/max statistics (statistics of unique strings cost more than they save); strings that repeat stay
 * strings, so hyparquet-writer dictionary-encodes them (only the dictionary is encoded).
 *
 * @example
 * parquetColumns([{ key: 'a', n: 1 }], [['key', 'string'], ['n', 'number']]);
 * // [{ name: 'key', type: 'STRING', ... data: ['a'] }, { name: 'n', type: 'DOUBLE', ... data: [1] }]
 * @internal
 */
export function parquetColumns(
  records: readonly Record<string, unknown>[],
  fields: readonly (readonly [string, FieldType])[],
): ParquetColumn[] {
  const n = records.length;
  const out: ParquetColumn[] = [];
  for (const [name, type] of fields) {
    const data = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v = records[i]![name];
      data[i] = v === undefined ? null : v;
    }
    const col: ParquetColumn = { name, data, type: BASIC[type], nullable: true };
    if (isTimestamp(name, type)) {
      // The ISO 8601 wall-clock time of a record becomes TIMESTAMP(MILLIS, UTC): readers get a time, not text.
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (typeof v === 'string') {
          const ms = Date.parse(v);
          if (Number.isNaN(ms)) {
            throw new TwinstreamError(
              'TS_SIM_SCHEMA_DRIFT',
              `field "timestamp" is ${JSON.stringify(v)}, not an ISO 8601 time; Parquet stores it as TIMESTAMP(MILLIS, UTC)`,
              { context: { field: 'timestamp' } },
            );
          }
          data[i] = BigInt(ms);
        }
      }
      col.type = 'TIMESTAMP';
    } else if (type === 'string' && mostlyDistinct(data)) {
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (typeof v === 'string') data[i] = toBytes(v);
      }
      col.encoding = 'PLAIN';
      col.statistics = false;
    }
    out.push(col);
  }
  return out;
}

/** @internal The simulation's `timestamp` field (ISO 8601 text in records) is written as a Parquet TIMESTAMP. */
export function isTimestamp(name: string, type: FieldType): boolean {
  return name === 'timestamp' && type === 'string';
}

/**
 * The schema elements of a Parquet file for the given fields: a root, then one optional column per field, the
 * `timestamp` field as TIMESTAMP(MILLIS, UTC) (logical type and the legacy converted type both set).
 *
 * @example
 * parquetSchemaElements([['timestamp', 'string'], ['value', 'number']]);
 * @internal
 */
export function parquetSchemaElements(fields: readonly (readonly [string, FieldType])[]): Record<string, unknown>[] {
  const leaves = fields.map(([name, type]) => {
    const repetition_type = 'OPTIONAL';
    if (isTimestamp(name, type)) {
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    }
    switch (type) {
      case 'number':
        return { name, repetition_type, type: 'DOUBLE' };
      case 'boolean':
        return { name, repetition_type, type: 'BOOLEAN' };
      case 'json':
        return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'JSON' };
      default:
        return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    }
  });
  return [{ name: 'root', num_children: leaves.length }, ...leaves];
}

function mostlyDistinct(data: readonly unknown[]): boolean {
  const n = data.length;
  const take = Math.min(n, SAMPLE);
  if (take < 16) return false;
  const seen = new Set<unknown>();
  const step = n / take;
  for (let i = 0; i < take; i++) seen.add(data[Math.floor(i * step)]);
  return seen.size > take * DISTINCT_SHARE_FOR_PLAIN;
}

/**
 * Opens a hyparquet-writer `ParquetWriter` on `writer` for the given fields (loaded on first use).
 *
 * @example
 * const { ByteWriter } = await import('hyparquet-writer');
 * const bytes = new ByteWriter();
 * const pw = await openParquetWriter(bytes, [['n', 'number']], 'SNAPPY');
 * await pw.write({ columnData: parquetColumns([{ n: 1 }], [['n', 'number']]), rowGroupSize: 1 });
 * await pw.finish();
 * @internal
 */
export async function openParquetWriter(
  writer: unknown,
  fields: readonly (readonly [string, FieldType])[],
  codec: 'SNAPPY' | 'UNCOMPRESSED',
): Promise<ParquetRowGroupWriter> {
  const { ParquetWriter } = await importOptional(
    'hyparquet-writer',
    'Parquet egress',
    () => import('hyparquet-writer'),
  );
  const schema = parquetSchemaElements(fields);
  return new ParquetWriter({
    writer: writer as never,
    schema: schema as never,
    codec,
  }) as unknown as ParquetRowGroupWriter;
}
