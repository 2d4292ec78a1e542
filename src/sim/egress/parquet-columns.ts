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
    if (type === 'string' && mostlyDistinct(data)) {
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
  const { ParquetWriter, schemaFromColumnData } = await importOptional(
    'hyparquet-writer',
    'Parquet egress',
    () => import('hyparquet-writer'),
  );
  const schema = schemaFromColumnData({
    columnData: fields.map(([name, type]) => ({ name, type: BASIC[type] as never, nullable: true, data: [] })),
  });
  return new ParquetWriter({ writer: writer as never, schema, codec }) as unknown as ParquetRowGroupWriter;
}
