import type { Block } from './block.ts';

/**
 * A block as one row-major matrix of numbers, the timestamp in column 0 (Joule's `flatten=True`). Values of int64
 * layouts beyond 2^53 lose precision here; read the structured block to keep them.
 *
 * @example
 * const flat = flatten({ timestamps: new Float64Array([5]), data: new Int16Array([1, 2]) }, 2);
 * flat.values; // Float64Array [5, 1, 2]
 */
export interface FlatBlock {
  readonly rows: number;
  /** 1 + the layout's width. */
  readonly columns: number;
  readonly values: Float64Array;
}

/** Copies a block into a flat matrix. */
export function flatten(block: Block, width: number): FlatBlock {
  const n = block.timestamps.length;
  const columns = width + 1;
  const values = new Float64Array(n * columns);
  const ts = block.timestamps;
  const data = block.data as ArrayLike<number | bigint>;
  for (let i = 0, o = 0, d = 0; i < n; i++) {
    values[o++] = ts[i]!;
    for (let j = 0; j < width; j++) values[o++] = Number(data[d++]);
  }
  return { rows: n, columns, values };
}

/**
 * The rows of a block as arrays `[ts, v1, …]` (for printing and tests).
 *
 * @example
 * blockRows({ timestamps: new Float64Array([5]), data: new Int16Array([1, 2]) }); // [[5, 1, 2]]
 */
export function blockRows(block: Block | FlatBlock, width?: number): number[][] {
  const out: number[][] = [];
  if ('values' in block) {
    for (let i = 0; i < block.rows; i++) {
      out.push(Array.from(block.values.subarray(i * block.columns, (i + 1) * block.columns)));
    }
    return out;
  }
  const w = width ?? (block.timestamps.length === 0 ? 0 : block.data.length / block.timestamps.length);
  const data = block.data as ArrayLike<number | bigint>;
  for (let i = 0; i < block.timestamps.length; i++) {
    const row = [block.timestamps[i]!];
    for (let j = 0; j < w; j++) row.push(Number(data[i * w + j]));
    out.push(row);
  }
  return out;
}
