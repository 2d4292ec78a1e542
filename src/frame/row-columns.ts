// Rows to columns and back: what `Frame.fromRows` and `frame.toRows()` do, kept apart from the Frame class.
import { type FieldName, fieldReader, missingFieldError } from '../core/key.ts';
import { describe, TwinstreamError } from '../errors.ts';
import { MAX_TIMESTAMP, toTimestamp } from '../window/timestamp.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { type FrameColumn, valueAt } from './frame-column.ts';

/** Options of `Frame.fromRows` for rows of type `R`: each names fields of the rows (checked when compiled). */
export interface FromRowsOptions<R = any> {
  /** The field holding each row's event time (ms, a Date or an ISO string); it becomes the frame's time column. */
  timestamp?: FieldName<R> & string;
  /** @deprecated The former name of `timestamp`. */
  time?: FieldName<R> & string;
  /** A column that keys the rows (windows and groupings per key use it). */
  key?: FieldName<R> & string;
  /** The columns to take, in this order. Default: every field seen, in order of first appearance. A listed field
   * that no row has is `TS_MISSING_FIELD`; one that some rows lack is missing there (NaN or null). */
  columns?: readonly (FieldName<R> & string)[];
}

/** @internal Columns read from rows: what the Frame constructor takes. */
export interface RowColumns {
  time: Float64Array | null;
  columns: Record<string, FrameColumn>;
}

/**
 * Reads rows into columns: numbers (and booleans) into `Float64Array`s with NaN for missing values, strings
 * dictionary-encoded. A field whose values are neither fails with `TS_FRAME_BAD_VALUE` naming it and the row; a
 * bad time fails with `TS_BAD_TIMESTAMP` naming the row.
 *
 * @example columnsFromRows([{ ts: 1, x: 2 }], { time: 'ts' }); // { time: Float64Array [1], columns: { x: Float64Array [2] } }
 * @internal
 */
export function columnsFromRows(rows: readonly unknown[], options: FromRowsOptions = {}): RowColumns {
  const n = rows.length;
  const timeName = options.timestamp ?? options.time;
  let time: Float64Array | null = null;
  if (timeName !== undefined) {
    const read = fieldReader(timeName);
    time = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const raw = read(rows[i]);
      time[i] =
        typeof raw === 'number' && raw >= -MAX_TIMESTAMP && raw <= MAX_TIMESTAMP
          ? raw
          : toTimestamp(raw, `Frame.fromRows row ${i} field "${timeName}"`);
    }
  }
  const names = options.columns ?? fieldNames(rows, timeName);
  const columns: Record<string, FrameColumn> = {};
  for (const name of names) columns[name] = readColumn(rows, name, options.columns !== undefined);
  return { time, columns };
}

function fieldNames(rows: readonly unknown[], timeName: string | undefined): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== 'object') {
      throw new TwinstreamError('TS_FRAME_BAD_ROW', `Frame.fromRows: row ${i} = ${describe(r)} is not an object`, {
        context: { row: i },
      });
    }
    for (const k in r) if (k !== timeName && Object.hasOwn(r, k)) seen.add(k);
  }
  return [...seen];
}

function readColumn(rows: readonly unknown[], name: string, listed: boolean): FrameColumn {
  const read = fieldReader(name);
  const n = rows.length;
  let i = 0;
  while (i < n && read(rows[i]) == null) i++;
  // A listed column that no row has is a misspelt name, not a column of NaN.
  if (i === n && listed && n > 0 && !rows.some((r) => r !== null && typeof r === 'object' && name in r)) {
    throw missingFieldError('Frame.fromRows', 'columns', name, rows[0]);
  }
  const first = i < n ? read(rows[i]) : undefined;
  if (typeof first === 'string') {
    const values = new Array<string | null | undefined>(n);
    for (let j = 0; j < n; j++) values[j] = read(rows[j]) as string | null | undefined;
    return DictionaryColumn.encode(values, name);
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const v = read(rows[j]);
    if (typeof v === 'number') out[j] = v;
    else if (v === null || v === undefined) out[j] = Number.NaN;
    else if (typeof v === 'boolean') out[j] = v ? 1 : 0;
    else {
      throw new TwinstreamError(
        'TS_FRAME_BAD_VALUE',
        `Frame.fromRows: field "${name}" row ${j} = ${describe(v)} is not valid; a column holds numbers (or booleans) or strings, with null or undefined for missing values`,
        { context: { column: name, row: j, value: v } },
      );
    }
  }
  return out;
}

/**
 * Builds row objects from columns: `{ [timeName]: t, ...columns }`. Missing strings are null; numbers are as
 * stored (NaN for missing ones).
 *
 * @example rowsFromColumns(null, 'time', { x: new Float64Array([1]) }, ['x'], 1); // [{ x: 1 }]
 * @internal
 */
export function rowsFromColumns(
  time: Float64Array | null,
  timeName: string,
  columns: Readonly<Record<string, FrameColumn>>,
  names: readonly string[],
  length: number,
): Record<string, unknown>[] {
  const out = new Array<Record<string, unknown>>(length);
  for (let i = 0; i < length; i++) {
    const row: Record<string, unknown> = {};
    if (time !== null) row[timeName] = time[i];
    for (const name of names) row[name] = valueAt(columns[name]!, i);
    out[i] = row;
  }
  return out;
}
