import { TwinstreamError } from '../../errors.ts';
import type { ParquetSchemaElement } from './parquet-file.ts';

/** @internal The column kinds the Parquet sink writes. */
export type ParquetKind = 'double' | 'string' | 'boolean' | 'timestamp' | 'int64' | 'json';

const ELEMENT: Record<ParquetKind, Omit<ParquetSchemaElement, 'name'>> = {
  double: { type: 'DOUBLE' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  boolean: { type: 'BOOLEAN' },
  timestamp: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  int64: { type: 'INT64' },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
};

function kindOf(value: unknown, timestamp: boolean): ParquetKind | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return timestamp ? 'timestamp' : 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'int64';
    default:
      return value instanceof Date ? 'timestamp' : 'json';
  }
}

/**
 * The schema of a Parquet file, fixed by the first batch: each field's kind is that of its first non-null value
 * (numbers DOUBLE, or TIMESTAMP(MILLIS, UTC) for the fields named as timestamps and for `Date`s; strings STRING;
 * booleans; bigints INT64; objects JSON), every column nullable. A later record with a new field or a value of
 * another kind fails with `TS_PARQUET_SCHEMA_DRIFT` naming the field.
 *
 * @example
 * const schema = ParquetSchema.fromBatch('a.parquet', [{ time: 0, v: 1 }], new Set(['time']));
 * schema.check([{ time: 1, v: 'x' }]); // throws TS_PARQUET_SCHEMA_DRIFT naming "v"
 * @internal
 */
export class ParquetSchema {
  readonly destination: string;
  readonly names: string[];
  readonly kinds: ParquetKind[];
  private readonly index: Map<string, number>;

  private constructor(destination: string, names: string[], kinds: ParquetKind[]) {
    this.destination = destination;
    this.names = names;
    this.kinds = kinds;
    this.index = new Map(names.map((n, i) => [n, i]));
  }

  static fromBatch(
    destination: string,
    rows: readonly Record<string, unknown>[],
    timestamps: ReadonlySet<string>,
  ): ParquetSchema {
    const names: string[] = [];
    const kinds: (ParquetKind | null)[] = [];
    const seen = new Map<string, number>();
    for (const row of rows) {
      for (const key in row) {
        let i = seen.get(key);
        if (i === undefined) {
          seen.set(key, (i = names.length));
          names.push(key);
          kinds.push(null);
        }
        kinds[i] ??= kindOf(row[key], timestamps.has(key));
      }
    }
    // A field that is null throughout the first batch is a string column.
    return new ParquetSchema(
      destination,
      names,
      kinds.map((k) => k ?? 'string'),
    );
  }

  /** The schema elements for hyparquet-writer (a root, then one optional leaf per field). */
  elements(): ParquetSchemaElement[] {
    return [
      { name: 'root', num_children: this.names.length },
      ...this.names.map((name, i) => ({ name, repetition_type: 'OPTIONAL', ...ELEMENT[this.kinds[i]!] })),
    ];
  }

  /** Checks every record against the schema. */
  check(rows: readonly Record<string, unknown>[], firstRow = 0): void {
    const { index, kinds } = this;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (const key in row) {
        const i = index.get(key);
        if (i === undefined) {
          throw new TwinstreamError(
            'TS_PARQUET_SCHEMA_DRIFT',
            `${this.destination}: row ${firstRow + r}: field "${key}" is not in the schema fixed by the first batch (fields: ${this.names.join(', ')})`,
            { context: { destination: this.destination, field: key, row: firstRow + r } },
          );
        }
        // The common case in one typeof: a number in a DOUBLE or TIMESTAMP column, a string in a STRING one.
        const v = row[key];
        const kind = kinds[i];
        const t = typeof v;
        if ((t === 'number' && (kind === 'double' || kind === 'timestamp')) || (t === 'string' && kind === 'string')) {
          continue;
        }
        const k = kindOf(v, kind === 'timestamp');
        if (k !== null && k !== kind) {
          throw new TwinstreamError(
            'TS_PARQUET_SCHEMA_DRIFT',
            `${this.destination}: row ${firstRow + r}: field "${key}" is ${k} (${String(row[key]).slice(0, 40)}) but the schema fixed by the first batch says ${kinds[i]}`,
            { context: { destination: this.destination, field: key, row: firstRow + r, expected: kinds[i], got: k } },
          );
        }
      }
    }
  }

  /** The batch as hyparquet-writer columns (one pass per column; missing values null). */
  columns(rows: readonly Record<string, unknown>[]): { name: string; data: unknown[] | Float64Array }[] {
    const n = rows.length;
    return this.names.map((name, c) => {
      if (this.kinds[c] === 'double') {
        // A Float64Array while every value is a number: no boxed double per value for the collector to trace.
        const values = new Float64Array(n);
        let i = 0;
        for (; i < n; i++) {
          const v = rows[i]![name];
          if (typeof v !== 'number') break;
          values[i] = v;
        }
        if (i === n) return { name, data: values };
      }
      const data = new Array<unknown>(n);
      if (this.kinds[c] === 'timestamp') {
        for (let i = 0; i < n; i++) {
          const v = rows[i]![name];
          // Whole milliseconds (fractions cut, as TIMESTAMP(MILLIS) holds them); hyparquet-writer makes the bigint.
          data[i] = v == null ? null : typeof v === 'number' ? Math.floor(v) : v;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = rows[i]![name];
          data[i] = v === undefined ? null : v;
        }
      }
      return { name, data };
    });
  }
}
