import { TwinstreamError } from '../errors.ts';
import type { Block } from './block.ts';
import { type FlatBlock, flatten } from './flat-block.ts';
import type { DataArray } from './layout.ts';
import type { InputPipe } from './pipe.ts';

/** Options of `readAll`. */
export interface ReadAllOptions {
  /** Stop once more than this many rows arrived: the pipe is closed and the first `maxRows` kept. Default 10M. */
  readonly maxRows?: number;
  /** Throw `TS_PIPE_OVERFLOW` instead of returning the first `maxRows` rows. Default false (as Joule). */
  readonly errorOnOverflow?: boolean;
  readonly flatten?: boolean;
}

/**
 * Reads and consumes a pipe across interval breaks until it is closed and drained, into one block (a copy).
 * Throws `TS_PIPE_EMPTY` when the pipe closed with no row at all.
 *
 * @example
 * import { LocalPipe, readAll } from 'twinstream/pipes';
 * const pipe = new LocalPipe({ layout: 'int32_1' });
 * pipe.writeNowait([[1, 10], [2, 20]]);
 * await pipe.close();
 * (await readAll(pipe)).timestamps; // Float64Array [1, 2]
 */
export async function readAll<D extends DataArray>(
  pipe: InputPipe<D>,
  options: ReadAllOptions & { flatten: true },
): Promise<FlatBlock>;
export async function readAll<D extends DataArray>(
  pipe: InputPipe<D>,
  options?: ReadAllOptions & { flatten?: false },
): Promise<Block<D>>;
export async function readAll<D extends DataArray>(
  pipe: InputPipe<D>,
  options: ReadAllOptions = {},
): Promise<Block<D> | FlatBlock> {
  const maxRows = options.maxRows ?? 10_000_000;
  const w = pipe.layout.width;
  const parts: Block<D>[] = [];
  let rows = 0;
  for (;;) {
    let b: Block<D>;
    try {
      b = await pipe.read();
    } catch (e) {
      if ((e as TwinstreamError).code === 'TS_PIPE_EMPTY') break;
      throw e;
    }
    const n = b.timestamps.length;
    // The views die at consume: keep copies.
    parts.push({ timestamps: b.timestamps.slice(), data: b.data.slice() as D });
    pipe.consume(n);
    rows += n;
    if (rows > maxRows) {
      await pipe.close();
      if (options.errorOnOverflow === true) {
        throw new TwinstreamError(
          'TS_PIPE_OVERFLOW',
          `readAll of pipe "${pipe.name}": more than maxRows = ${maxRows} rows; raise maxRows or read in blocks`,
        );
      }
      break;
    }
  }
  if (rows === 0) throw new TwinstreamError('TS_PIPE_EMPTY', `readAll of pipe "${pipe.name}": no data in the pipe`);
  const kept = Math.min(rows, maxRows);
  const timestamps = new Float64Array(kept);
  const data = new pipe.layout.DataArray(kept * w) as D;
  let at = 0;
  for (const p of parts) {
    const k = Math.min(p.timestamps.length, kept - at);
    timestamps.set(p.timestamps.subarray(0, k), at);
    (data as Float64Array).set(p.data.subarray(0, k * w) as Float64Array, at * w);
    at += k;
    if (at === kept) break;
  }
  const block: Block<D> = { timestamps, data };
  return options.flatten === true ? flatten(block, w) : block;
}
