import { describe, TwinstreamError } from '../errors.ts';
import { MAX_TIMESTAMP, toTimestamp } from '../window/timestamp.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import {
  type ColumnInput,
  concatColumns,
  type FrameColumn,
  filterColumn,
  isNumericArray,
  type NumericArray,
  sliceColumn,
  toColumn,
  valueAt,
} from './frame-column.ts';
import { columnsFromRows, type FromRowsOptions, rowsFromColumns } from './row-columns.ts';

/** Options of `Frame.fromColumns`. */
export interface FrameOptions {
  /** The time column: the name of one of `columns` (moved out of them), or the times themselves (ms). */
  timestamp?: string | Float64Array | readonly number[];
  /** @deprecated The former name of `timestamp`. */
  time?: string | Float64Array | readonly number[];
  /** The field name the time column takes in rows and in Arrow. Default: the `time` column name, else 'time'. */
  timeName?: string;
  /** The column that keys rows (windows and groupings per key use it). */
  key?: string | null;
}

/** A predicate over a row index (the frame is passed along, to read its columns). */
export type RowPredicate = (i: number, frame: Frame) => boolean;

/**
 * An immutable batch of rows held by column: an optional `time` column (`Float64Array`, ms), numeric columns as
 * typed arrays (kept as given, `Float64Array` when converted), string columns dictionary-encoded, and an
 * optional key column. Operations return new frames and share buffers where they can (`slice`, `select`).
 * Columns of different lengths, or an unknown column name, fail at construction naming the column.
 *
 * @example
 * const f = Frame.fromColumns({ ts: [0, 1000], sensor: ['a', 'b'], v: [1.5, 2] }, { timestamp: 'ts', key: 'sensor' });
 * f.length;          // 2
 * f.numeric('v');    // Float64Array [1.5, 2]
 * f.filter(f.numeric('v').map((x) => (x > 1.8 ? 1 : 0)) as unknown as Uint8Array).toRows(); // [{ ts: 1000, sensor: 'b', v: 2 }]
 */
export class Frame {
  readonly length: number;
  readonly time: Float64Array | null;
  readonly timeName: string;
  readonly key: string | null;
  /** Column names, in order (the time column is not among them). */
  readonly names: readonly string[];
  private readonly cols: Readonly<Record<string, FrameColumn>>;

  /** Checks and builds a frame; see {@link Frame.fromColumns} for the friendly form. */
  constructor(
    columns: Readonly<Record<string, ColumnInput>>,
    time: Float64Array | null = null,
    timeName = 'time',
    key: string | null = null,
  ) {
    if (columns === null || typeof columns !== 'object') {
      throw new TwinstreamError(
        'TS_FRAME_BAD_COLUMN',
        `Frame: columns = ${describe(columns)} is not an object of columns`,
      );
    }
    const names = Object.keys(columns);
    const cols: Record<string, FrameColumn> = {};
    let length = time === null ? -1 : time.length;
    let lengthFrom = timeName;
    if (time !== null && !(time instanceof Float64Array)) {
      throw new TwinstreamError('TS_FRAME_BAD_COLUMN', `Frame: time column "${timeName}" must be a Float64Array of ms`);
    }
    for (const name of names) {
      if (time !== null && name === timeName) {
        throw new TwinstreamError('TS_FRAME_BAD_COLUMN', `Frame: column "${name}" has the name of the time column`, {
          context: { column: name },
        });
      }
      const c = toColumn(name, columns[name]);
      if (length === -1) {
        length = c.length;
        lengthFrom = name;
      } else if (c.length !== length) {
        throw new TwinstreamError(
          'TS_FRAME_LENGTH_MISMATCH',
          `Frame: column "${name}" has ${c.length} values but "${lengthFrom}" has ${length}; every column needs one value per row`,
          { context: { column: name, length: c.length, expected: length } },
        );
      }
      cols[name] = c;
    }
    if (key !== null && !Object.hasOwn(cols, key)) throw unknownColumn('Frame: key', key, names);
    this.length = Math.max(0, length);
    this.time = time;
    this.timeName = timeName;
    this.key = key;
    this.names = names;
    this.cols = cols;
  }

  /**
   * A frame from columns. `time` names the time column (or gives the times), `key` the key column.
   * @example Frame.fromColumns({ t: [0, 1], x: [1, 2] }, { timestamp: 't' });
   */
  static fromColumns(columns: Readonly<Record<string, ColumnInput>>, options: FrameOptions = {}): Frame {
    const { key = null } = options;
    const time = options.timestamp ?? options.time;
    if (typeof time === 'string') {
      if (!Object.hasOwn(columns, time)) throw unknownColumn('Frame: time', time, Object.keys(columns));
      const { [time]: t, ...rest } = columns;
      return new Frame(rest, toTime(time, t), options.timeName ?? time, key);
    }
    return new Frame(columns, time === undefined ? null : toTime('time', time), options.timeName ?? 'time', key);
  }

  /**
   * A frame from row objects. `time` names the field holding event time; numbers become `Float64Array`s (NaN for
   * missing values), strings are dictionary-encoded.
   * @example Frame.fromRows([{ ts: 0, x: 1 }, { ts: 1000, x: 2 }], { timestamp: 'ts' }).numeric('x'); // Float64Array [1, 2]
   */
  static fromRows<R>(rows: readonly R[], options: FromRowsOptions<unknown extends R ? any : NoInfer<R>> = {}): Frame {
    const { time, columns } = columnsFromRows(rows, options);
    return new Frame(columns, time, options.timestamp ?? options.time ?? 'time', options.key ?? null);
  }

  /**
   * Joins frames row-wise. They must have the same columns (by name) and all or none a time column.
   * @example Frame.concat([a, b]).length === a.length + b.length;
   */
  static concat(frames: readonly Frame[]): Frame {
    if (frames.length === 0) return new Frame({});
    if (frames.length === 1) return frames[0]!;
    const first = frames[0]!;
    for (const f of frames) {
      for (const n of first.names) if (!f.has(n)) throw mismatch(n, 'is missing from one of the frames');
      for (const n of f.names) if (!first.has(n)) throw mismatch(n, 'is missing from the first frame');
      if ((f.time === null) !== (first.time === null)) throw mismatch(first.timeName, 'is in some frames only');
    }
    const cols: Record<string, FrameColumn> = {};
    for (const n of first.names)
      cols[n] = concatColumns(
        n,
        frames.map((f) => f.cols[n]!),
      );
    const time =
      first.time === null
        ? null
        : (concatColumns(
            first.timeName,
            frames.map((f) => f.time!),
          ) as Float64Array);
    return new Frame(cols, time, first.timeName, first.key);
  }

  /** True when the frame has column `name`. */
  has(name: string): boolean {
    return Object.hasOwn(this.cols, name);
  }

  /** Column `name`; throws `TS_FRAME_UNKNOWN_COLUMN` naming it and the columns there are. */
  column(name: string): FrameColumn {
    const c = this.cols[name];
    if (c === undefined || !Object.hasOwn(this.cols, name)) throw unknownColumn('Frame.column', name, this.names);
    return c;
  }

  /** The numeric column `name` (its typed array); `TS_FRAME_NOT_NUMERIC` for a string column. */
  numeric(name: string): NumericArray {
    const c = this.column(name);
    if (c instanceof DictionaryColumn) {
      throw new TwinstreamError(
        'TS_FRAME_NOT_NUMERIC',
        `column "${name}" holds strings; a numeric column is needed here`,
        {
          context: { column: name },
        },
      );
    }
    return c;
  }

  /** The string column `name`; `TS_FRAME_NOT_STRING` for a numeric column. */
  strings(name: string): DictionaryColumn {
    const c = this.column(name);
    if (!(c instanceof DictionaryColumn)) {
      throw new TwinstreamError(
        'TS_FRAME_NOT_STRING',
        `column "${name}" holds numbers; a string column is needed here`,
        {
          context: { column: name },
        },
      );
    }
    return c;
  }

  /** The time column; `TS_FRAME_NO_TIME` when the frame has none. */
  times(where = 'this operation'): Float64Array {
    if (this.time === null) {
      throw new TwinstreamError(
        'TS_FRAME_NO_TIME',
        `${where} needs a time column; build the frame with { time: '<column>' }`,
      );
    }
    return this.time;
  }

  /** The value of column `name` at row `i` (a number, a string or null). */
  value(name: string, i: number): number | string | null {
    return valueAt(this.column(name), i);
  }

  /** The columns named, in that order (the time column stays; the key stays if selected). */
  select(...names: string[]): Frame {
    const cols: Record<string, FrameColumn> = {};
    for (const n of names) cols[n] = this.column(n);
    return this.derive(cols, this.time, this.key !== null && names.includes(this.key) ? this.key : null);
  }

  /**
   * The rows a mask keeps (a `Uint8Array`, non-zero = keep, one byte per row) or a predicate over row indexes.
   * @example f.filter(new Uint8Array([1, 0, 1]));
   * @example f.filter((i, fr) => (fr.value('sensor', i) as string).startsWith('a'));
   */
  filter(mask: Uint8Array | RowPredicate): Frame {
    const n = this.length;
    let m: Uint8Array;
    if (typeof mask === 'function') {
      m = new Uint8Array(n);
      for (let i = 0; i < n; i++) m[i] = mask(i, this) ? 1 : 0;
    } else if (mask instanceof Uint8Array && mask.length === n) {
      m = mask;
    } else {
      throw new TwinstreamError(
        'TS_FRAME_BAD_MASK',
        `Frame.filter: mask = ${describe(mask)} is not valid; expected a Uint8Array of ${n} bytes (one per row) or a predicate (i, frame) => boolean`,
      );
    }
    let count = 0;
    for (let i = 0; i < n; i++) if (m[i] !== 0) count++;
    if (count === n) return this;
    const cols: Record<string, FrameColumn> = {};
    for (const name of this.names) cols[name] = filterColumn(this.cols[name]!, m, count);
    return this.derive(cols, this.time === null ? null : filterColumn(this.time, m, count), this.key);
  }

  /**
   * New or replaced columns: given as columns, or computed from this frame (`(frame) => column`).
   * @example f.assign({ z: (fr) => fr.numeric('x').map((x) => x * 2) });
   */
  assign(columns: Readonly<Record<string, ColumnInput | ((frame: Frame) => ColumnInput)>>): Frame {
    const cols: Record<string, ColumnInput> = { ...this.cols };
    for (const name of Object.keys(columns)) {
      const c = columns[name]!;
      cols[name] = typeof c === 'function' ? c(this) : c;
    }
    return new Frame(cols, this.time, this.timeName, this.key);
  }

  /** Rows `[start, end)` (negative indexes count from the end), sharing the buffers. */
  slice(start = 0, end = this.length): Frame {
    const n = this.length;
    const s = Math.max(0, Math.min(n, start < 0 ? n + start : start));
    const e = Math.max(s, Math.min(n, end < 0 ? n + end : end));
    if (s === 0 && e === n) return this;
    const cols: Record<string, FrameColumn> = {};
    for (const name of this.names) cols[name] = sliceColumn(this.cols[name]!, s, e);
    return this.derive(cols, this.time === null ? null : this.time.subarray(s, e), this.key);
  }

  /** The same columns under a new key column (or none). */
  withKey(key: string | null): Frame {
    if (key !== null && !this.has(key)) throw unknownColumn('Frame.withKey', key, this.names);
    return this.derive(this.cols, this.time, key);
  }

  /** Row `i` as an object. */
  row(i: number): Record<string, unknown> {
    const r: Record<string, unknown> = {};
    if (this.time !== null) r[this.timeName] = this.time[i];
    for (const n of this.names) r[n] = valueAt(this.cols[n]!, i);
    return r;
  }

  /**
   * Every row as an object: `{ [timeName]: t, ...columns }`.
   * @example Frame.fromRows(rows, { time: 'ts' }).toRows(); // rows again (missing numbers come back as NaN)
   */
  toRows(): Record<string, unknown>[] {
    return rowsFromColumns(this.time, this.timeName, this.cols, this.names, this.length);
  }

  private derive(cols: Record<string, FrameColumn>, time: Float64Array | null, key: string | null): Frame {
    return new Frame(cols, time, this.timeName, key);
  }
}

function toTime(name: string, t: unknown): Float64Array {
  if (t instanceof Float64Array) return t;
  if (isNumericArray(t) || Array.isArray(t)) {
    const src = t as ArrayLike<unknown>;
    const out = new Float64Array(src.length);
    for (let i = 0; i < out.length; i++) {
      const v = src[i];
      out[i] =
        typeof v === 'number' && v >= -MAX_TIMESTAMP && v <= MAX_TIMESTAMP
          ? v
          : toTimestamp(v, `time column "${name}" row ${i}`);
    }
    return out;
  }
  throw new TwinstreamError(
    'TS_FRAME_BAD_COLUMN',
    `time column "${name}" = ${describe(t)} is not a Float64Array or an array of ms`,
  );
}

function unknownColumn(where: string, name: string, names: readonly string[]): TwinstreamError {
  return new TwinstreamError(
    'TS_FRAME_UNKNOWN_COLUMN',
    `${where}: there is no column "${name}"; the frame has ${names.length === 0 ? 'no columns' : names.map((n) => `"${n}"`).join(', ')}`,
    { context: { column: name, columns: [...names] } },
  );
}

function mismatch(name: string, what: string): TwinstreamError {
  return new TwinstreamError('TS_FRAME_SCHEMA_MISMATCH', `Frame.concat: column "${name}" ${what}`, {
    context: { column: name },
  });
}
