import { describe, TwinstreamError } from '../errors.ts';
import { DictionaryColumn } from './dictionary-column.ts';

/** The typed arrays a numeric column may be (Float64Array unless the data came typed otherwise). */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

/** One column of a frame: a typed array of numbers, or dictionary-encoded strings. */
export type FrameColumn = NumericArray | DictionaryColumn;

/** What a column may be given as: a column, or a plain array of numbers or of strings (converted once). */
export type ColumnInput = FrameColumn | readonly (number | null | undefined)[] | readonly (string | null | undefined)[];

/**
 * True for the typed arrays a numeric column may be.
 * @example isNumericArray(new Float64Array(2)); // true
 * @internal
 */
export function isNumericArray(x: unknown): x is NumericArray {
  return (
    ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array)
  );
}

/**
 * Turns a column input into a column: typed arrays and dictionary columns are kept as they are (no copy); arrays
 * of numbers become a `Float64Array` (null and undefined become NaN); arrays of strings are dictionary-encoded.
 * Throws `TS_FRAME_BAD_COLUMN` naming the column otherwise.
 *
 * @example toColumn('x', [1, 2, null]); // Float64Array [1, 2, NaN]
 * @internal
 */
export function toColumn(name: string, input: unknown): FrameColumn {
  if (input instanceof DictionaryColumn || isNumericArray(input)) return input;
  if (Array.isArray(input)) {
    const first = input.find((v) => v !== null && v !== undefined);
    if (typeof first === 'string') return DictionaryColumn.encode(input, name);
    if (first === undefined || typeof first === 'number' || typeof first === 'boolean') {
      const out = new Float64Array(input.length);
      for (let i = 0; i < input.length; i++) {
        const v = input[i];
        if (v === null || v === undefined) out[i] = Number.NaN;
        else if (typeof v === 'number') out[i] = v;
        else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
        else throw badValue(name, i, v, 'a number, null or undefined (the column is numeric)');
      }
      return out;
    }
    throw badValue(name, input.indexOf(first), first, 'numbers or strings');
  }
  throw new TwinstreamError(
    'TS_FRAME_BAD_COLUMN',
    `column "${name}" = ${describe(input)} is not a column; expected a typed array, a DictionaryColumn, or an array of numbers or of strings`,
    { context: { column: name } },
  );
}

function badValue(name: string, row: number, v: unknown, accepted: string): TwinstreamError {
  return new TwinstreamError(
    'TS_FRAME_BAD_VALUE',
    `column "${name}" row ${row}: ${describe(v)} is not valid; expected ${accepted}`,
    {
      context: { column: name, row, value: v },
    },
  );
}

/**
 * Rows `[start, end)` of a column, sharing its buffer.
 * @example sliceColumn(new Float64Array([1, 2, 3]), 1, 3); // Float64Array [2, 3] (a view)
 * @internal
 */
export function sliceColumn(c: FrameColumn, start: number, end: number): FrameColumn {
  return c instanceof DictionaryColumn ? c.slice(start, end) : c.subarray(start, end);
}

/**
 * The rows of a column whose mask byte is non-zero; `count` is how many there are.
 * @example filterColumn(new Float64Array([1, 2, 3]), new Uint8Array([1, 0, 1]), 2); // Float64Array [1, 3]
 * @internal
 */
export function filterColumn<C extends FrameColumn>(c: C, mask: Uint8Array, count: number): C {
  if (c instanceof DictionaryColumn) return c.filter(mask, count) as C;
  const src = c as NumericArray;
  const out = new (src.constructor as new (n: number) => NumericArray)(count);
  let j = 0;
  for (let i = 0; i < src.length; i++) if (mask[i] !== 0) out[j++] = src[i]!;
  return out as C;
}

/**
 * Joins the same column of several frames. Numeric parts of one array type keep it; mixed types become Float64.
 * Throws `TS_FRAME_SCHEMA_MISMATCH` when strings and numbers meet.
 * @example concatColumns('x', [new Float64Array([1]), new Float64Array([2])]); // Float64Array [1, 2]
 * @internal
 */
export function concatColumns(name: string, parts: readonly FrameColumn[]): FrameColumn {
  const dict = parts.filter((p) => p instanceof DictionaryColumn);
  if (dict.length === parts.length) return DictionaryColumn.concat(dict as DictionaryColumn[]);
  if (dict.length > 0) {
    throw new TwinstreamError(
      'TS_FRAME_SCHEMA_MISMATCH',
      `concat: column "${name}" holds strings in some frames and numbers in others`,
      { context: { column: name } },
    );
  }
  const nums = parts as readonly NumericArray[];
  let total = 0;
  for (const p of nums) total += p.length;
  const ctor =
    nums.length > 0 && nums.every((p) => p.constructor === nums[0]!.constructor) ? nums[0]!.constructor : Float64Array;
  const out = new (ctor as new (n: number) => NumericArray)(total);
  let at = 0;
  for (const p of nums) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The value of a column at row `i`: a number, a string, or null (a missing string).
 * @example valueAt(DictionaryColumn.encode(['a']), 0); // 'a'
 * @internal
 */
export function valueAt(c: FrameColumn, i: number): number | string | null {
  return c instanceof DictionaryColumn ? c.get(i) : c[i]!;
}
