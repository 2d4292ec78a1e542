import { TwinstreamError } from '../../errors.ts';
import type { ParquetSchemaElement } from './parquet-file.ts';

/** @internal The column kinds the Parquet sink writes. */
export type ParquetKind = 'double' | 'string' | 'boolean' | 'timestamp' | 'int64' | 'json' | 'struct';

const ELEMENT: Record<Exclude<ParquetKind, 'struct'>, Omit<ParquetSchemaElement, 'name'>> = {
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
      if (value instanceof Date) return 'timestamp';
      return isPlainObject(value) ? 'struct' : 'json';
  }
}

/** An object of fields (not an array, a Date, a Map, a typed array, ...): a struct. */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Array.isArray(value);
}

/**
 * The schema of a Parquet file, fixed by the first batch: each field's kind is that of its first non-null value
 * (numbers DOUBLE, or TIMESTAMP(MILLIS, UTC) for the fields named as timestamps and for `Date`s; strings STRING;
 * booleans; bigints INT64; plain objects structs of their fields, to any depth, the fields of all the batch's
 * objects; arrays and other objects JSON), every column nullable. A later record with a new field or a value of
 * another kind fails with `TS_PARQUET_SCHEMA_DRIFT` naming the field (`meta.line` inside a struct).
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
  /** The schema of each struct field's fields (null for the other kinds). */
  readonly children: (ParquetSchema | null)[];
  /** The dot path of these fields inside the record (`''` at the top, `'meta.'` inside `meta`). */
  private readonly prefix: string;
  private readonly index: Map<string, number>;

  private constructor(
    destination: string,
    names: string[],
    kinds: ParquetKind[],
    children: (ParquetSchema | null)[],
    prefix: string,
  ) {
    this.destination = destination;
    this.names = names;
    this.kinds = kinds;
    this.children = children;
    this.prefix = prefix;
    this.index = new Map(names.map((n, i) => [n, i]));
  }

  static fromBatch(
    destination: string,
    rows: readonly Record<string, unknown>[],
    timestamps: ReadonlySet<string>,
    prefix = '',
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
    const fixed = kinds.map((k) => k ?? 'string');
    const children = fixed.map((k, i) => {
      if (k !== 'struct') return null;
      const name = names[i]!;
      const nested: Record<string, unknown>[] = [];
      for (const row of rows) {
        const v = row[name];
        if (v !== null && typeof v === 'object') nested.push(v as Record<string, unknown>);
      }
      return ParquetSchema.fromBatch(destination, nested, new Set(), `${prefix}${name}.`);
    });
    // A struct of no fields cannot be written: such a field is JSON.
    for (let i = 0; i < fixed.length; i++) {
      if (children[i]?.names.length === 0) {
        fixed[i] = 'json';
        children[i] = null;
      }
    }
    return new ParquetSchema(destination, names, fixed, children, prefix);
  }

  /** The schema elements for hyparquet-writer (a root, then the fields depth first: a struct, then its fields). */
  elements(): ParquetSchemaElement[] {
    return [{ name: 'root', num_children: this.names.length }, ...this.fieldElements()];
  }

  private fieldElements(): ParquetSchemaElement[] {
    const out: ParquetSchemaElement[] = [];
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      const kind = this.kinds[i]!;
      const child = this.children[i];
      if (kind === 'struct' && child) {
        out.push({ name, repetition_type: 'OPTIONAL', num_children: child.names.length });
        out.push(...child.fieldElements());
      } else out.push({ name, repetition_type: 'OPTIONAL', ...ELEMENT[kind as Exclude<ParquetKind, 'struct'>] });
    }
    return out;
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
            `${this.destination}: row ${firstRow + r}: field "${this.prefix}${key}" is not in the schema fixed by the first batch (fields: ${this.names.map((n) => this.prefix + n).join(', ')})`,
            { context: { destination: this.destination, field: this.prefix + key, row: firstRow + r } },
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
          const field = this.prefix + key;
          const shown = k === 'struct' ? JSON.stringify(v) : String(v);
          throw new TwinstreamError(
            'TS_PARQUET_SCHEMA_DRIFT',
            `${this.destination}: row ${firstRow + r}: field "${field}" is ${k} (${shown.slice(0, 40)}) but the schema fixed by the first batch says ${kinds[i]}`,
            { context: { destination: this.destination, field, row: firstRow + r, expected: kinds[i], got: k } },
          );
        }
        if (k === 'struct') this.children[i]!.check([v as Record<string, unknown>], firstRow + r);
      }
    }
  }

  /**
   * One struct value as the writer takes it: every field present (null when missing), timestamps as whole
   * milliseconds, nested structs likewise.
   */
  private struct(value: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      const v = value[name];
      const kind = this.kinds[i];
      if (v == null) out[name] = null;
      else if (kind === 'struct') out[name] = this.children[i]!.struct(v as Record<string, unknown>);
      else if (kind === 'timestamp' && typeof v === 'number') out[name] = Math.floor(v);
      else out[name] = v;
    }
    return out;
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
      } else if (this.kinds[c] === 'struct') {
        const child = this.children[c]!;
        for (let i = 0; i < n; i++) {
          const v = rows[i]![name];
          data[i] = v == null ? null : child.struct(v as Record<string, unknown>);
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
