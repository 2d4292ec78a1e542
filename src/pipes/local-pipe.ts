import { requireInteger, TwinstreamError } from '../errors.ts';
import type { Block, BlockInput } from './block.ts';
import { toBlock } from './block.ts';
import { type FlatBlock, flatten } from './flat-block.ts';
import { type DataArray, type Layout, parseLayout } from './layout.ts';
import type { InputPipe, OutputPipe, ReadOptions } from './pipe.ts';
import { type ReadAllOptions, readAll } from './read-all.ts';
import { RowBuffer } from './row-buffer.ts';
import { WriteCache } from './write-cache.ts';

/** Options of a `LocalPipe`. */
export interface LocalPipeOptions {
  /** `<dtype>_<width>`, like `float32_3`. */
  readonly layout: string | Layout;
  readonly name?: string;
  /** Unconsumed rows past which `write` waits for the reader (back pressure). Default 1,000,000. */
  readonly writeLimit?: number;
  /** Called once when the pipe closes. */
  readonly onClose?: () => void;
}

/**
 * A pipe inside one process, both ends in one object (Joule's `LocalPipe`). A reader waiting on an empty pipe
 * wakes when a block arrives, with no polling. `write` copies the block once; `read` returns views (no copy);
 * `consume` moves an index. `write` waits while the reader has `writeLimit` rows unconsumed.
 *
 * @example
 * import { LocalPipe } from 'twinstream/pipes';
 * const pipe = new LocalPipe({ layout: 'float32_2', name: 'power' });
 * pipe.writeNowait([[1000, 0, 1], [1001, 0.5, 1.5]]);
 * const { timestamps, data } = await pipe.read(); // Float64Array [1000, 1001], Float32Array [0, 1, 0.5, 1.5]
 * pipe.consume(1);
 * (await pipe.read()).timestamps; // Float64Array [1001]
 */
export class LocalPipe<D extends DataArray = DataArray> implements InputPipe<D>, OutputPipe {
  readonly name: string;
  readonly layout: Layout;
  readonly #writeLimit: number;
  readonly #onClose: (() => void) | undefined;
  readonly #buffer: RowBuffer;
  #last = Number.NEGATIVE_INFINITY;
  #closed = false;
  #failure: unknown = undefined;
  #endOfInterval = false;
  #endOfStream = false;
  /** Rows consumed since the last read: at an interval's end, what is left of it is read again at once. */
  #consumedSinceRead = false;
  #reread = false;
  #cache: WriteCache | null = null;
  readonly #subscribers: OutputPipe[] = [];
  /** Resolvers of readers waiting for news and of writers waiting for room. */
  #readers: (() => void)[] = [];
  #writers: (() => void)[] = [];

  constructor(options: LocalPipeOptions) {
    this.layout = parseLayout(options.layout);
    this.name = options.name ?? 'pipe';
    this.#writeLimit = options.writeLimit ?? 1_000_000;
    requireInteger(`LocalPipe ${this.name}`, 'writeLimit', this.#writeLimit, 1);
    this.#onClose = options.onClose;
    this.#buffer = new RowBuffer(this.layout);
  }

  get endOfInterval(): boolean {
    return this.#endOfInterval;
  }

  /** True when the last read returned the final rows: the pipe is closed and nothing follows them. */
  get endOfStream(): boolean {
    return this.#endOfStream;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The last timestamp written (−Infinity before the first row). */
  get lastTimestamp(): number {
    return this.#last;
  }

  /** Rows written and not yet consumed. */
  get unconsumed(): number {
    return this.#buffer.unconsumed;
  }

  // ---- writing ----

  write(input: BlockInput): void | Promise<void> {
    this.#writable();
    const block = toBlock(this.layout, input, this.#last, `write to pipe "${this.name}"`);
    if (this.#buffer.unconsumed >= this.#writeLimit) return this.#writeLater(block);
    return this.#accept(block);
  }

  /**
   * Writes without waiting. Throws `TS_PIPE_FULL` when the reader already has `writeLimit` rows unconsumed (where
   * `write` would wait), and `TS_PIPE_NOWAIT` when a subscriber can only be written asynchronously.
   */
  writeNowait(input: BlockInput): void {
    this.#writable();
    const block = toBlock(this.layout, input, this.#last, `write to pipe "${this.name}"`);
    if (this.#buffer.unconsumed >= this.#writeLimit) {
      throw new TwinstreamError(
        'TS_PIPE_FULL',
        `pipe "${this.name}": ${this.#buffer.unconsumed} rows unconsumed, writeLimit = ${this.#writeLimit}; ` +
          'use write (which waits) or a larger writeLimit',
      );
    }
    for (const s of this.#subscribers) {
      if (!(s instanceof LocalPipe)) {
        throw new TwinstreamError(
          'TS_PIPE_NOWAIT',
          `pipe "${this.name}": cannot writeNowait to subscriber "${s.name}", which is written asynchronously; use write`,
        );
      }
    }
    const r = this.#accept(block);
    if (r !== undefined) r.catch(() => {});
  }

  async #writeLater(block: Block): Promise<void> {
    // The block is checked; reserve its timestamps now so a concurrent write cannot slip in between.
    const last = this.#last;
    this.#last = block.timestamps[block.timestamps.length - 1] ?? last;
    while (this.#buffer.unconsumed >= this.#writeLimit && !this.#closed && this.#failure === undefined) {
      const room = new Promise<void>((resolve) => this.#writers.push(resolve));
      // A reader waiting for news would wait forever on a writer waiting for room: wake it.
      this.#wakeReaders();
      await room;
    }
    this.#writable();
    return this.#accept(block);
  }

  #accept(block: Block): void | Promise<void> {
    const n = block.timestamps.length;
    if (n === 0) return;
    this.#last = block.timestamps[n - 1]!;
    if (this.#cache !== null) this.#cache.add(block, (b) => this.#push(b));
    else this.#push(block);
    return this.#forward((s) => s.write(block));
  }

  #push(block: Block): void {
    this.#buffer.append(block);
    this.#wakeReaders();
  }

  closeInterval(): void | Promise<void> {
    this.#writable();
    // Before the first row there is no interval to close (as Joule).
    if (this.#last === Number.NEGATIVE_INFINITY) return;
    this.#cache?.flush((b) => this.#push(b));
    this.#buffer.closeInterval();
    this.#wakeReaders();
    return this.#forward((s) => s.closeInterval());
  }

  enableCache(rows: number): void {
    requireInteger(`pipe "${this.name}": enableCache`, 'rows', rows, 1);
    this.#cache?.flush((b) => this.#push(b));
    this.#cache = new WriteCache(this.layout, rows);
  }

  flushCache(): void {
    this.#cache?.flush((b) => this.#push(b));
  }

  subscribe(subscriber: OutputPipe): () => void {
    if (subscriber.layout.name !== this.layout.name) {
      throw new TwinstreamError(
        'TS_PIPE_BAD_BLOCK',
        `pipe "${this.name}" (${this.layout.name}) cannot feed subscriber "${subscriber.name}" (${subscriber.layout.name})`,
      );
    }
    this.#subscribers.push(subscriber);
    return () => {
      const i = this.#subscribers.indexOf(subscriber);
      if (i >= 0) this.#subscribers.splice(i, 1);
    };
  }

  /** The subscribers, in order (read-only). */
  get subscribers(): readonly OutputPipe[] {
    return this.#subscribers;
  }

  #forward(call: (s: OutputPipe) => void | Promise<void>): void | Promise<void> {
    if (this.#subscribers.length === 0) return;
    let waits: Promise<void>[] | null = null;
    for (const s of this.#subscribers) {
      const r = call(s);
      if (r !== undefined) (waits ??= []).push(r);
    }
    if (waits !== null) return Promise.all(waits).then(() => {});
  }

  #writable(): void {
    if (this.#failure !== undefined) throw this.#failed();
    if (this.#closed) {
      throw new TwinstreamError('TS_PIPE_CLOSED', `pipe "${this.name}" is closed: cannot write to a closed pipe`);
    }
  }

  // ---- reading ----

  read(options?: { flatten?: false }): Promise<Block<D>>;
  read(options: { flatten: true }): Promise<FlatBlock>;
  read(options?: ReadOptions): Promise<Block<D> | FlatBlock>;
  async read(options?: ReadOptions): Promise<Block<D> | FlatBlock> {
    while (
      !this.#reread &&
      !this.#closed &&
      this.#failure === undefined &&
      !this.#buffer.hasNews() &&
      !(this.#endOfInterval && this.#consumedSinceRead && this.#buffer.unconsumed > 0)
    ) {
      // A writer held back by the limit must not wait on a reader that waits for news: hand back what is there.
      if (this.#writers.length > 0 && this.#buffer.unconsumed > 0) break;
      await new Promise<void>((resolve) => this.#readers.push(resolve));
    }
    return this.#take(options);
  }

  /**
   * Resolves when a read would return something not returned before (rows or a break), when the pipe is closed and
   * drained, or when it failed. For loops that must not spin on a closed pipe's leftovers (a remote reader's server).
   */
  async waitForNews(): Promise<void> {
    while (this.#failure === undefined && !this.#buffer.hasNews() && !(this.#closed && this.#buffer.unconsumed === 0)) {
      await new Promise<void>((resolve) => this.#readers.push(resolve));
    }
  }

  /** Returns what is there now (an empty block when nothing is), never waiting. */
  readNowait(options?: { flatten?: false }): Block<D>;
  readNowait(options: { flatten: true }): FlatBlock;
  readNowait(options?: ReadOptions): Block<D> | FlatBlock;
  readNowait(options?: ReadOptions): Block<D> | FlatBlock {
    return this.#take(options);
  }

  #take(options: ReadOptions | undefined): Block<D> | FlatBlock {
    if (this.#failure !== undefined) throw this.#failed();
    const { block, endOfInterval } = this.#buffer.view(!this.#reread);
    this.#reread = false;
    this.#endOfInterval = endOfInterval;
    this.#consumedSinceRead = false;
    this.#endOfStream = this.#closed && !endOfInterval && !this.#buffer.hasNews();
    if (this.#closed && block.timestamps.length === 0 && !endOfInterval && this.#buffer.unconsumed === 0) {
      throw new TwinstreamError('TS_PIPE_EMPTY', `pipe "${this.name}" is closed and every row was consumed`);
    }
    return options?.flatten === true ? flatten(block, this.layout.width) : (block as Block<D>);
  }

  consume(rows: number): void {
    requireInteger(`pipe "${this.name}": consume`, 'rows', rows, 0);
    if (this.#buffer.consume(rows) === 0) return;
    this.#consumedSinceRead = true;
    // Consuming up to an interval break lets the rows behind it through: that is news to a waiting reader.
    if (this.#readers.length > 0 && (this.#buffer.hasNews() || (this.#closed && this.#buffer.unconsumed === 0))) {
      this.#wakeReaders();
    }
    if (this.#writers.length > 0) {
      const waiting = this.#writers;
      this.#writers = [];
      for (const w of waiting) w();
    }
  }

  /**
   * Consumes every row of the last read with a timestamp up to `timestamp`, and returns how many. Saying it twice
   * does no harm, which is what a remote reader needs when its report may arrive twice.
   */
  consumeThrough(timestamp: number): number {
    const n = this.#buffer.countThrough(timestamp);
    this.consume(n);
    return n;
  }

  consumeAll(): void {
    this.consume(Number.MAX_SAFE_INTEGER);
  }

  /** Reads and consumes everything until the pipe closes, into one block: see `readAll`. */
  readAll(options: ReadAllOptions & { flatten: true }): Promise<FlatBlock>;
  readAll(options?: ReadAllOptions & { flatten?: false }): Promise<Block<D>>;
  readAll(options?: ReadAllOptions): Promise<Block<D> | FlatBlock> {
    return readAll(this, options as ReadAllOptions & { flatten?: false });
  }

  rereadLast(): void {
    this.#reread = true;
  }

  async isEmpty(): Promise<boolean> {
    try {
      await this.read();
      // Like Joule: the look pins the next read to the rows seen here.
      this.#reread = true;
      return false;
    } catch (e) {
      if ((e as TwinstreamError).code === 'TS_PIPE_EMPTY') return true;
      throw e;
    }
  }

  async notEmpty(): Promise<boolean> {
    return !(await this.isEmpty());
  }

  // ---- life cycle ----

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#failure === undefined) this.#cache?.flush((b) => this.#push(b));
    this.#closed = true;
    this.#wakeAll();
    const subscribers = this.#subscribers.map((s) => s.close());
    this.#onClose?.();
    return Promise.all(subscribers).then(() => {});
  }

  /** Closes without waiting; throws `TS_PIPE_NOWAIT` when a subscriber closes asynchronously. */
  closeNowait(): void {
    if (this.#subscribers.some((s) => !(s instanceof LocalPipe))) {
      throw new TwinstreamError('TS_PIPE_NOWAIT', `pipe "${this.name}": a subscriber closes asynchronously; use close`);
    }
    this.close().catch(() => {});
  }

  /** Fails the pipe: every later read and write throws `TS_PIPE_FAILED` with `error` as its cause. */
  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error ?? new Error('failed');
    this.#wakeAll();
    this.#onClose?.();
  }

  #failed(): TwinstreamError {
    return new TwinstreamError('TS_PIPE_FAILED', `pipe "${this.name}" failed: ${String(this.#failure)}`, {
      cause: this.#failure,
    });
  }

  #wakeReaders(): void {
    if (this.#readers.length === 0) return;
    const waiting = this.#readers;
    this.#readers = [];
    for (const r of waiting) r();
  }

  #wakeAll(): void {
    this.#wakeReaders();
    const waiting = this.#writers;
    this.#writers = [];
    for (const w of waiting) w();
  }
}
