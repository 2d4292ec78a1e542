import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Metadata, releaseRefs, retainRefs } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument, describe, requireFunction, requireInteger, TwinstreamError } from '../errors.ts';

export interface SinkToTextfileOptions {
  /** What follows each element. Default `'\n'`. */
  end?: string;
  /** `'w'` truncates the file first (default), `'a'` appends to it. */
  mode?: 'w' | 'a';
  /** Turns an element into its text; default: a string as it is, a Date in ISO 8601, another object as JSON, anything else `String(x)`. */
  format?: (x: unknown) => string;
  /** How many bytes the file stream buffers before `emit` returns a promise (back pressure). Default 64 KiB. */
  highWaterMark?: number;
}

/**
 * The default text of an element in a text file: a string as it is; a number, bigint, boolean, null or
 * undefined through `String`; a `Date` as ISO 8601; any other object as JSON, so a file of records is JSON Lines.
 * A string is not escaped: one that contains the line end spans several lines.
 *
 * @example
 * formatLine({ id: 'pump-1', t: 1 }); // '{"id":"pump-1","t":1}'
 * @internal
 */
export function formatLine(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x === null || typeof x !== 'object') return String(x);
  if (x instanceof Date) return x.toISOString();
  return JSON.stringify(x) ?? String(x);
}

/**
 * Writes every element to a file as a line. `emit` returns a promise while the file stream's buffer is full, and
 * an element's metadata stays retained until its line has been handed to the file system, so an offset committed
 * on it covers the line. The file is flushed and closed when the stream ends, on `stop()`, `destroy()` or
 * `close()`; an element arriving after that fails with `TS_SINK_CLOSED`. A write error (a missing directory, a
 * full disk) fails the next element and `close()` with `TS_FILE_WRITE`.
 *
 * @example
 * const sink = source.sinkToTextfile('events.jsonl', { mode: 'a' });
 * source.start();
 * await source.done;
 * await sink.close(); // settles once every line is on disk
 */
export class SinkToTextfileNode<T> extends Stream<never> {
  override kind = 'sinkToTextfile';
  readonly path: string;
  private readonly file: WriteStream;
  private readonly lineEnd: string;
  private readonly format: (x: unknown) => string;
  private failure: TwinstreamError | null = null;
  private closing: Promise<void> | null = null;

  constructor(upstream: Stream<T>, path: string | URL, options: SinkToTextfileOptions) {
    if (!(path instanceof URL) && (typeof path !== 'string' || path === '')) {
      badArgument('sinkToTextfile', 'path', path, 'a file path or a file: URL');
    }
    const end = options.end ?? '\n';
    if (typeof end !== 'string') badArgument('sinkToTextfile', 'end', end, 'a string');
    const mode = options.mode ?? 'w';
    if (mode !== 'w' && mode !== 'a') badArgument('sinkToTextfile', 'mode', mode, '"w" (truncate) or "a" (append)');
    if (options.format !== undefined) requireFunction('sinkToTextfile', 'format', options.format);
    const highWaterMark = options.highWaterMark ?? 64 * 1024;
    requireInteger('sinkToTextfile', 'highWaterMark', highWaterMark, 1);
    super({ clock: upstream.clock });
    this.path = path instanceof URL ? fileURLToPath(path) : path;
    this.lineEnd = end;
    this.format = options.format ?? formatLine;
    this.file = createWriteStream(path, { flags: mode, encoding: 'utf8', highWaterMark });
    this.file.on('error', (e) => {
      this.failure ??= new TwinstreamError('TS_FILE_WRITE', `sinkToTextfile: cannot write ${this.path}: ${e.message}`, {
        cause: e,
        context: { path: this.path },
      });
    });
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    if (this.closing !== null) {
      throw new TwinstreamError(
        'TS_SINK_CLOSED',
        `sinkToTextfile: ${this.path} is closed; element ${describe(x)} not written`,
      );
    }
    const line = this.format(x) + this.lineEnd;
    retainRefs(metadata);
    // Released when the line reaches the file system, not when it enters Node's buffer.
    const ok = this.file.write(line, () => releaseRefs(metadata));
    if (ok) return;
    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        this.file.off('drain', settle);
        this.file.off('close', settle);
        if (this.failure !== null) reject(this.failure);
        else resolve();
      };
      this.file.on('drain', settle);
      this.file.on('close', settle);
    });
  }

  /** True once closing has begun (end of stream, `stop()`, `destroy()` or `close()`). */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** Flushes and closes the file; settles once it is closed (rejects with `TS_FILE_WRITE` after a write error). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.file.closed) resolve();
      else {
        this.file.once('close', resolve);
        this.file.end();
      }
    }).then(() => {
      if (this.failure !== null) throw this.failure;
    });
    return this.closing;
  }

  /** Stops the sources upstream and closes the file. A write error is kept for `close()`. */
  override stop(): void {
    super.stop();
    this.close().catch(() => {});
  }

  // `done` waits until the file is closed; a write error is kept for `close()`.
  protected override flushOnEnd(): Pushed {
    return this.close().catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Writes every element to a file as a line (see {@link SinkToTextfileNode}); returns the sink, whose
     * `close()` settles when the file is closed.
     * @example
     * const sink = source.sinkToTextfile('readings.jsonl');
     * source.start(); await source.done; await sink.close();
     */
    sinkToTextfile(path: string | URL, options?: SinkToTextfileOptions): SinkToTextfileNode<T>;
  }
}

Stream.register(
  'sinkToTextfile',
  function (this: Stream<any>, path: string | URL, options: SinkToTextfileOptions = {}) {
    return new SinkToTextfileNode(this, path, options);
  },
);
