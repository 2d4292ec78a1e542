import type { Block, BlockInput } from './block.ts';
import type { FlatBlock } from './flat-block.ts';
import type { DataArray, Layout } from './layout.ts';

/** Options of `read`: `flatten: true` gives one matrix with the timestamp in column 0 (a copy). */
export interface ReadOptions {
  readonly flatten?: boolean;
}

/**
 * The reading end of a pipe. `read` returns every row not yet consumed, up to the next interval break, as views
 * into the pipe's buffer (no copy): they stay valid until the next `read` or `consume`. `consume(n)` drops the
 * first `n` rows; the rest come back first on the next read.
 *
 * @example
 * import { LocalPipe } from 'twinstream/pipes';
 * const pipe = new LocalPipe({ layout: 'float64_1' });
 * await pipe.write([[1, 0.5]]);
 * const block = await pipe.read();
 * pipe.consume(block.timestamps.length);
 */
export interface InputPipe<D extends DataArray = DataArray> {
  readonly name: string;
  readonly layout: Layout;
  /** True when the last read ended at an interval break. */
  readonly endOfInterval: boolean;
  /**
   * True when the last read returned the final rows (the pipe is closed and nothing follows): a filter that keeps a
   * tail unconsumed to join with later rows consumes everything then, as at an interval's end.
   */
  readonly endOfStream: boolean;
  /** True once the writer closed the pipe (rows may still wait to be read). */
  readonly closed: boolean;
  read(options?: { flatten?: false }): Promise<Block<D>>;
  read(options: { flatten: true }): Promise<FlatBlock>;
  read(options?: ReadOptions): Promise<Block<D> | FlatBlock>;
  consume(rows: number): void;
  consumeAll(): void;
  /** The next read returns what the last read returned (less what was consumed), without pulling new rows. */
  rereadLast(): void;
  /** True when a read would find nothing: no unconsumed row and the pipe is closed (waits for data otherwise). */
  isEmpty(): Promise<boolean>;
  notEmpty(): Promise<boolean>;
  /** The reader is done: writers get an error, waiting readers wake. */
  close(): Promise<void>;
}

/**
 * The writing end of a pipe. `write` takes rows or typed arrays; timestamps strictly increase within a block and
 * across writes, and a block that breaks that is refused whole. It returns a promise only when it must wait for the
 * reader (back pressure).
 *
 * @example
 * import { LocalPipe } from 'twinstream/pipes';
 * const out = new LocalPipe({ layout: 'int16_2', name: 'counts' });
 * await out.write({ timestamps: new Float64Array([10, 20]), data: new Int16Array([1, 2, 3, 4]) });
 * out.closeInterval();
 */
export interface OutputPipe {
  readonly name: string;
  readonly layout: Layout;
  write(block: BlockInput): void | Promise<void>;
  /** Marks a break in the data after the rows written so far (out of band: no marker row). */
  closeInterval(): void | Promise<void>;
  /** Stages rows and hands them to the reader `rows` at a time (or on `flushCache`, `closeInterval`, `close`). */
  enableCache(rows: number): void;
  flushCache(): void | Promise<void>;
  /** Copies every later block and interval break to `subscriber`; returns the function that stops it. */
  subscribe(subscriber: OutputPipe): () => void;
  close(): Promise<void>;
}
