import { describe, TwinstreamError } from '../errors.ts';
import type { DataArray, Layout } from './layout.ts';

/**
 * A block of rows: `timestamps[i]` (integer microseconds since the epoch) and the row's `width` values at
 * `data[i * width … (i + 1) * width)`, row-major. Timestamps strictly increase.
 *
 * @example
 * const b: Block = { timestamps: new Float64Array([1000, 1001]), data: new Float32Array([0, 1, 0.5, 1.5]) };
 */
export interface Block<D extends DataArray = DataArray> {
  readonly timestamps: Float64Array;
  readonly data: D;
}

/** What `write` accepts: rows `[[ts, v1, v2, …], …]`, or typed arrays (timestamps as Float64Array or BigInt64Array). */
export type BlockInput =
  | readonly (readonly (number | bigint)[])[]
  | {
      readonly timestamps: Float64Array | BigInt64Array | readonly number[];
      readonly data: DataArray | readonly (number | bigint)[];
    };

function bad(where: string, message: string, context?: Record<string, unknown>): never {
  throw new TwinstreamError('TS_PIPE_BAD_BLOCK', `${where}: ${message}`, { context });
}

function fromRows(layout: Layout, rows: readonly (readonly (number | bigint)[])[], where: string): Block {
  const n = rows.length;
  const w = layout.width;
  const timestamps = new Float64Array(n);
  const data = new layout.DataArray(n * w);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) bad(where, `row ${i} is ${describe(row)}; expected an array [timestamp, ${w} values]`);
    if (row.length !== w + 1) {
      bad(where, `row ${i} has ${row.length} fields; layout ${layout.name} expects ${w + 1} (timestamp + ${w})`);
    }
    timestamps[i] = Number(row[0]);
    for (let j = 0; j < w; j++) {
      const v = row[j + 1];
      (data as any)[i * w + j] = layout.bigint ? BigInt(v as number) : Number(v);
    }
  }
  return { timestamps, data };
}

function fromArrays(layout: Layout, input: Exclude<BlockInput, readonly unknown[]>, where: string): Block {
  const ts = input.timestamps;
  let timestamps: Float64Array;
  if (ts instanceof Float64Array) timestamps = ts;
  else if (ts instanceof BigInt64Array) timestamps = Float64Array.from(ts, Number);
  else if (Array.isArray(ts)) timestamps = Float64Array.from(ts as number[]);
  else bad(where, `timestamps is ${describe(ts)}; expected a Float64Array, a BigInt64Array or an array of numbers`);
  let data = input.data as DataArray;
  if (Array.isArray(input.data)) {
    data = new layout.DataArray(input.data.length);
    for (let i = 0; i < input.data.length; i++) {
      (data as any)[i] = layout.bigint ? BigInt(input.data[i] as number) : Number(input.data[i]);
    }
  } else if (!(data instanceof layout.DataArray)) {
    bad(
      where,
      `data is a ${(data as object)?.constructor?.name ?? describe(data)}; layout ${layout.name} needs a ` +
        `${layout.DataArray.name}`,
    );
  }
  if (data.length !== timestamps.length * layout.width) {
    bad(
      where,
      `data holds ${data.length} values for ${timestamps.length} timestamps; layout ${layout.name} needs ` +
        `${timestamps.length * layout.width} (${layout.width} a row)`,
    );
  }
  return { timestamps, data };
}

/**
 * Turns what a writer passed into a block of the layout and checks its timestamps: finite integers, each greater
 * than the one before and than `last` (the pipe's last written timestamp). Throws, naming the row and the two
 * timestamps, before anything is written. The returned arrays may be the caller's (the pipe copies them).
 */
export function toBlock(layout: Layout, input: BlockInput, last: number, where: string): Block {
  let block: Block;
  if (Array.isArray(input)) block = fromRows(layout, input, where);
  else if (input !== null && typeof input === 'object' && 'timestamps' in input && 'data' in input) {
    block = fromArrays(layout, input as Exclude<BlockInput, readonly unknown[]>, where);
  } else {
    bad(where, `cannot write ${describe(input)}; expected rows [[timestamp, …values]] or { timestamps, data }`);
  }
  checkTimestamps(block.timestamps, last, where);
  return block;
}

/**
 * Throws `TS_PIPE_TIMESTAMPS` unless every timestamp is a finite integer greater than the previous one (and the first
 * greater than `last`), naming the row and the two timestamps.
 *
 * @example
 * checkTimestamps(new Float64Array([1, 2, 2]), Number.NEGATIVE_INFINITY, 'my block');
 * // throws: my block: row 2: timestamp 2 is not greater than 2 (row 1); …
 */
export function checkTimestamps(ts: Float64Array, last: number, where: string): void {
  const i = firstBadTimestamp(ts, last);
  if (i >= 0) refuse(ts, i, last, where);
}

// Kept tiny and apart from the error path so it stays a tight loop (about 1 ns a row): one comparison also
// refuses NaN (NaN > x is false); an integer below 2^53 in magnitude is one whose floor is itself.
function firstBadTimestamp(ts: Float64Array, last: number): number {
  let prev = last;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (!(t > prev) || Math.floor(t) !== t || Math.abs(t) > 9007199254740991) return i;
    prev = t;
  }
  return -1;
}

function refuse(ts: Float64Array, i: number, last: number, where: string): never {
  const t = ts[i]!;
  const prev = i === 0 ? last : ts[i - 1]!;
  const reason = !Number.isFinite(t)
    ? `timestamp ${t} is not a finite number`
    : !Number.isSafeInteger(t)
      ? `timestamp ${t} is not an integer number of microseconds`
      : i === 0
        ? `timestamp ${t} is not greater than ${prev}, the last timestamp written before this block`
        : `timestamp ${t} is not greater than ${prev} (row ${i - 1})`;
  throw new TwinstreamError(
    'TS_PIPE_TIMESTAMPS',
    `${where}: row ${i}: ${reason}; timestamps must strictly increase; nothing of this block was written`,
    { context: { row: i, timestamp: t, previous: prev } },
  );
}
