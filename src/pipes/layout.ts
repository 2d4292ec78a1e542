import { TwinstreamError } from '../errors.ts';

/** The typed array that holds a block's data, by layout dtype. */
export type DataArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type DataArrayConstructor = {
  new (length: number): DataArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): DataArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** A parsed layout: the data type of every value, how many values per row, and the size of a row on the wire. */
export interface Layout {
  /** As written: `float32_3`. */
  readonly name: string;
  /** `float32`, `int16`, `uint8`, … */
  readonly dtype: string;
  /** Values per row (not counting the timestamp). */
  readonly width: number;
  /** Bytes of one value. */
  readonly valueBytes: number;
  /** Bytes of one row on the wire: an int64 timestamp and `width` values, little-endian (as Joule). */
  readonly rowBytes: number;
  /** The typed array that holds the data, row-major. */
  readonly DataArray: DataArrayConstructor;
  /** True for int64/uint64, whose values are bigints. */
  readonly bigint: boolean;
}

const DTYPES: Record<string, DataArrayConstructor> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

// Layouts are few and parsed often (every pipe, every remote header): keep the parsed objects.
const cache = new Map<string, Layout>();

/**
 * Parses a Joule layout `<dtype>_<width>`. Unlike Joule, which rounds odd bit counts down (`float33` becomes
 * `float32`) and accepts a width of 0, an unknown dtype or a width below 1 is refused here.
 *
 * @example
 * const l = parseLayout('float32_3');
 * l.width;    // 3
 * l.rowBytes; // 20 (8 for the timestamp + 3 × 4)
 */
export function parseLayout(layout: string | Layout): Layout {
  if (typeof layout !== 'string') return layout;
  const hit = cache.get(layout);
  if (hit !== undefined) return hit;
  const m = /^([a-z]+[0-9]+)_([0-9]+)$/.exec(layout);
  const ctor = m === null ? undefined : Object.hasOwn(DTYPES, m[1]!) ? DTYPES[m[1]!] : undefined;
  const width = m === null ? 0 : Number(m[2]);
  if (m === null || ctor === undefined || width < 1 || width > 65_535) {
    throw new TwinstreamError(
      'TS_BAD_LAYOUT',
      `layout ${JSON.stringify(layout)} is not valid; expected <dtype>_<width> with dtype one of ` +
        `${Object.keys(DTYPES).join(', ')} and a width from 1 to 65535, like "float32_3"`,
      { context: { layout } },
    );
  }
  const parsed: Layout = Object.freeze({
    name: layout,
    dtype: m[1]!,
    width,
    valueBytes: ctor.BYTES_PER_ELEMENT,
    rowBytes: 8 + width * ctor.BYTES_PER_ELEMENT,
    DataArray: ctor,
    bigint: ctor === BigInt64Array || ctor === BigUint64Array,
  });
  cache.set(layout, parsed);
  return parsed;
}
