// Apache Arrow in and out. This file references apache-arrow by type only: `frameToArrow` builds with the
// module you pass (`import * as arrow from 'apache-arrow'`), so a page that never converts never loads Arrow,
// and `frameFromArrow` reads any Arrow table by its documented shape. Numeric columns cross zero-copy both ways.
import type * as Arrow from 'apache-arrow';
import { describe, TwinstreamError } from '../errors.ts';
import { MAX_TIMESTAMP, toTimestamp } from '../window/timestamp.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import { type FrameColumn, isNumericArray, type NumericArray, toColumn } from './frame-column.ts';

/** The apache-arrow module, as `import * as arrow from 'apache-arrow'` gives it. */
export type ArrowModule = typeof Arrow;

/** Options of `frameFromArrow`. Default: what `frameToArrow` wrote into the schema metadata. */
export interface FromArrowOptions {
  /** The column holding event time (ms; Arrow timestamps of any unit and dates are converted). */
  timestamp?: string | null;
  /** @deprecated The former name of `timestamp`. */
  time?: string | null;
  key?: string | null;
}

const TIME_META = 'twinstream.time';
const KEY_META = 'twinstream.key';

// Arrow's Type ids (stable in the Arrow format).
const T_INT = 2;
const T_FLOAT = 3;
const T_UTF8 = 5;
const T_LARGE_UTF8 = 20;
const T_TIMESTAMP = 10;
const T_DICTIONARY = -1;
const UNIT_TO_MS = [1000, 1, 1e-3, 1e-6];

/**
 * An Arrow table as a frame. Single-chunk numeric columns without nulls (Float64, Float32, Int8–32, UInt8–32)
 * and Int32-indexed Utf8 dictionaries share Arrow's buffers; nulls become NaN (numbers) or -1 codes (strings);
 * Int64, timestamps, dates, plain Utf8 and multi-chunk columns are converted.
 *
 * @example
 * const f = frameFromArrow(arrow.tableFromArrays({ ts: new Float64Array([0, 1]), v: new Float64Array([1, 2]) }), { timestamp: 'ts' });
 */
export function frameFromArrow(table: Arrow.Table, options: FromArrowOptions = {}): Frame {
  if (table === null || typeof table !== 'object' || typeof (table as any).getChild !== 'function') {
    throw new TwinstreamError('TS_FRAME_BAD_ARROW', `frameFromArrow: ${describe(table)} is not an Arrow Table`);
  }
  const meta = table.schema.metadata;
  const option = options.timestamp === undefined ? options.time : options.timestamp;
  const timeName = option === undefined ? (meta.get(TIME_META) ?? null) : option;
  const key = options.key === undefined ? (meta.get(KEY_META) ?? null) : options.key;
  const names = table.schema.fields.map((f) => f.name);
  if (timeName !== null && !names.includes(timeName)) {
    throw new TwinstreamError(
      'TS_FRAME_UNKNOWN_COLUMN',
      `frameFromArrow: there is no column "${timeName}" for the time; the table has ${names.map((n) => `"${n}"`).join(', ')}`,
      {
        context: { column: timeName },
      },
    );
  }
  const cols: Record<string, FrameColumn> = {};
  let time: Float64Array | null = null;
  const rows = table.numRows;
  for (const field of table.schema.fields) {
    // Buffers are checked against the lengths they claim before anything is read: a corrupt table (bytes from
    // outside) fails here, naming the column, instead of reading past a buffer or looping over a length no buffer
    // holds. Anything Arrow itself throws while reading is reported the same way.
    try {
      const vector = table.getChild(field.name)!;
      checkVector(field.name, vector, rows);
      if (field.name === timeName) time = timeColumn(field.name, vector);
      else cols[field.name] = readVector(field.name, vector);
    } catch (error) {
      if (error instanceof TwinstreamError) throw error;
      throw badArrow(
        field.name,
        `it cannot be read (${error instanceof Error ? error.message : describe(error)})`,
        error,
      );
    }
  }
  return new Frame(cols, time, timeName ?? 'time', key);
}

function badArrow(column: string, why: string, cause?: unknown): TwinstreamError {
  return new TwinstreamError('TS_FRAME_BAD_ARROW', `frameFromArrow: column "${column}" is corrupt: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
    context: { column },
  });
}

/** Checks every chunk of a column: its length against the table's, and against what its buffers hold. */
function checkVector(name: string, v: Arrow.Vector | null, rows: number): void {
  if (v === null || v === undefined) throw badArrow(name, 'the table has no data for it');
  let total = 0;
  for (const d of v.data) {
    checkData(name, d as Arrow.Data);
    total += d.length;
  }
  if (total !== rows) throw badArrow(name, `it holds ${total} rows, the table ${rows}`);
}

function checkData(name: string, d: Arrow.Data): void {
  const n = d.length;
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(d.offset) || d.offset < 0) {
    throw badArrow(name, `a chunk claims length ${n} at offset ${d.offset}`);
  }
  const bitmap = d.nullBitmap;
  if (d.nullCount !== 0 && bitmap !== undefined && bitmap.length > 0 && bitmap.length * 8 < d.offset + n) {
    throw badArrow(name, `its validity bitmap holds ${bitmap.length * 8} bits for ${d.offset + n} rows`);
  }
  const typeId = (d.type as Arrow.DataType).typeId;
  if (typeId === T_UTF8 || typeId === T_LARGE_UTF8) {
    const offsets = d.valueOffsets;
    if (offsets === undefined || offsets.length < n + 1)
      throw badArrow(name, `it has too few string offsets for ${n} rows`);
    const end = Number(offsets[n]);
    if (!(end >= 0 && end <= (d.values?.length ?? 0)))
      throw badArrow(name, `a string ends at byte ${end}, past its data`);
    return;
  }
  const fixed = typeId === T_INT || typeId === T_FLOAT || typeId === T_TIMESTAMP || typeId === T_DICTIONARY;
  if (fixed && (d.values === undefined || d.values.length < n * (d.stride || 1))) {
    throw badArrow(name, `its values hold ${d.values?.length ?? 0} slots for ${n} rows`);
  }
  if (typeId === T_DICTIONARY) {
    const size = d.dictionary?.length ?? 0;
    if (d.dictionary !== undefined) for (const c of d.dictionary.data) checkData(name, c as Arrow.Data);
    const codes = d.values as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) {
      const c = Number(codes[i]);
      if (!(c >= 0 && c < size) && d.getValid(i)) throw badArrow(name, `row ${i} has dictionary code ${c} of ${size}`);
    }
  }
}

function readVector(name: string, v: Arrow.Vector): FrameColumn {
  const type = v.type as Arrow.DataType;
  const single = v.data.length === 1 ? v.data[0]! : null;
  if (single !== null && (type.typeId === T_FLOAT || type.typeId === T_INT) && isNumericArray(single.values)) {
    const values = (
      single.values.length === single.length ? single.values : single.values.subarray(0, single.length)
    ) as NumericArray;
    if (single.nullCount === 0) return values;
    const out = new Float64Array(single.length);
    for (let i = 0; i < out.length; i++) out[i] = v.isValid(i) ? values[i]! : Number.NaN;
    return out;
  }
  if (type.typeId === T_DICTIONARY) {
    const dict = (type as Arrow.Dictionary).dictionary;
    if (dict.typeId === T_UTF8 || dict.typeId === T_LARGE_UTF8) {
      const parts = v.data.map((d) => {
        const dictionary = (d.dictionary?.toArray() ?? []) as string[];
        const codes =
          d.values instanceof Int32Array && d.nullCount === 0
            ? d.values.subarray(0, d.length)
            : Int32Array.from({ length: d.length }, (_, i) => (d.getValid(i) ? Number(d.values[i]) : -1));
        return new DictionaryColumn(codes, dictionary);
      });
      return parts.length === 1 ? parts[0]! : DictionaryColumn.concat(parts);
    }
  }
  if (type.typeId === T_INT || type.typeId === T_FLOAT || type.typeId === T_TIMESTAMP) {
    const out = new Float64Array(v.length);
    for (let i = 0; i < out.length; i++) {
      const x = v.get(i);
      out[i] = x === null ? Number.NaN : Number(x);
    }
    return out;
  }
  const values = v.toArray() as unknown[];
  return toColumn(
    name,
    Array.from(values, (x) => (typeof x === 'bigint' ? Number(x) : x instanceof Date ? x.getTime() : x)),
  );
}

function timeColumn(name: string, v: Arrow.Vector): Float64Array {
  const type = v.type as Arrow.DataType;
  if (type.typeId === T_TIMESTAMP) {
    const scale = UNIT_TO_MS[(type as Arrow.Timestamp).unit]!;
    const out = new Float64Array(v.length);
    let i = 0;
    for (const d of v.data) {
      const values = d.values as BigInt64Array;
      for (let j = 0; j < d.length; j++) {
        const t = Number(values[j]!) * scale;
        if (!(t >= -MAX_TIMESTAMP && t <= MAX_TIMESTAMP))
          toTimestamp(t, `frameFromArrow: time column "${name}" row ${i}`);
        out[i++] = t;
      }
    }
    return out;
  }
  const c = readVector(name, v);
  if (c instanceof Float64Array) return c;
  if (c instanceof DictionaryColumn) {
    throw new TwinstreamError(
      'TS_FRAME_BAD_ARROW',
      `frameFromArrow: time column "${name}" holds strings; expected numbers (ms) or timestamps`,
    );
  }
  return Float64Array.from(c);
}

/**
 * A frame as an Arrow table, built with the `arrow` module you pass. Numeric columns share the frame's typed
 * arrays (zero-copy); string columns become Int32-indexed Utf8 dictionaries; the time column is a Float64 column
 * of ms (first), and the time and key names travel in the schema metadata so `frameFromArrow` restores them.
 *
 * @example
 * import * as arrow from 'apache-arrow';
 * const table = frameToArrow(frame, arrow);
 */
export function frameToArrow(frame: Frame, arrow: ArrowModule): Arrow.Table {
  if (arrow === null || typeof arrow !== 'object' || typeof (arrow as any).makeData !== 'function') {
    throw new TwinstreamError(
      'TS_FRAME_BAD_ARROW',
      "frameToArrow: pass the apache-arrow module: import * as arrow from 'apache-arrow'",
    );
  }
  const fields: Arrow.Field[] = [];
  const children: Arrow.Data[] = [];
  const add = (name: string, data: Arrow.Data) => {
    fields.push(new arrow.Field(name, data.type, data.nullCount > 0));
    children.push(data);
  };
  if (frame.time !== null) add(frame.timeName, numericData(arrow, frame.time));
  for (const name of frame.names) {
    const c = frame.column(name);
    add(name, c instanceof DictionaryColumn ? dictionaryData(arrow, c) : numericData(arrow, c));
  }
  const metadata = new Map<string, string>();
  if (frame.time !== null) metadata.set(TIME_META, frame.timeName);
  if (frame.key !== null) metadata.set(KEY_META, frame.key);
  const schema = new arrow.Schema(fields, metadata);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: frame.length, nullCount: 0, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

function numericData(arrow: ArrowModule, a: NumericArray): Arrow.Data {
  const type =
    a instanceof Float64Array
      ? new arrow.Float64()
      : a instanceof Float32Array
        ? new arrow.Float32()
        : a instanceof Int32Array
          ? new arrow.Int32()
          : a instanceof Uint32Array
            ? new arrow.Uint32()
            : a instanceof Int16Array
              ? new arrow.Int16()
              : a instanceof Uint16Array
                ? new arrow.Uint16()
                : a instanceof Int8Array
                  ? new arrow.Int8()
                  : new arrow.Uint8();
  const data = a instanceof Uint8ClampedArray ? new Uint8Array(a.buffer, a.byteOffset, a.length) : a;
  return arrow.makeData({ type: type as Arrow.Int, length: a.length, nullCount: 0, data: data as Int32Array });
}

function dictionaryData(arrow: ArrowModule, c: DictionaryColumn): Arrow.Data {
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const dictionary = arrow.vectorFromArray(c.dictionary as string[], new arrow.Utf8());
  const codes = c.codes;
  let nulls = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i]! < 0) nulls++;
  if (nulls === 0) return arrow.makeData({ type, length: codes.length, nullCount: 0, data: codes, dictionary });
  const bitmap = new Uint8Array((codes.length + 7) >> 3);
  const data = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    if (codes[i]! >= 0) {
      bitmap[i >> 3]! |= 1 << (i & 7);
      data[i] = codes[i]!;
    }
  }
  return arrow.makeData({ type, length: codes.length, nullCount: nulls, nullBitmap: bitmap, data, dictionary });
}
