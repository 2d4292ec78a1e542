import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireFunction, requireInteger, TwinstreamError } from '../../errors.ts';
import { rolledPath } from './rolled-path.ts';
import { localDisk, type Storage, type StorageFile } from './storage.ts';

/** Options of {@link ToJsonlNode}. */
export interface ToJsonlOptions {
  /** Records after which the file is finished and the next begun (`<path>-1.jsonl`, ...); default: never. */
  rollRows?: number;
  /** Called when a file is complete, with its path and its number of records. */
  onFileClosed?: (path: string, rows: number) => void;
  /** Where files go: local disk (default) or an object store (`S3Storage` of `twinstream/s3`). */
  storage?: Storage;
}

// Text held before it is handed to the file in one write.
const FLUSH_AT = 256 * 1024;

/**
 * A sink writing each element as one line of JSON (arrays are written one line per item) to a file that appears
 * complete or not at all: it is written under a temporary name and renamed at the end of the stream, `close()`,
 * a roll, or SIGINT/SIGTERM. An element that JSON cannot represent (a bigint, a cycle) fails with `TS_BAD_RECORD`.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/files';
 * const source = Stream.fromIterable([{ time: 0, value: 1 }]);
 * source.toJsonl('/tmp/out.jsonl');
 * source.start();
 * await source.done;
 */
export class ToJsonlNode extends Stream<never> {
  override kind = 'toJsonl';
  readonly path: string;
  private readonly rollRows: number;
  private readonly onFileClosed: ((path: string, rows: number) => void) | null;
  private file: StorageFile | null = null;
  private readonly storage: Storage;
  private finishing: Promise<void> = Promise.resolve();
  private text = '';
  private rows = 0;
  private files = 0;
  private closed = false;
  private rolled = false;

  constructor(upstream: Stream<any>, path: string, options: ToJsonlOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument('toJsonl', 'path', path, 'a file path');
    const rollRows = options.rollRows ?? Number.POSITIVE_INFINITY;
    if (rollRows !== Number.POSITIVE_INFINITY) requireInteger('toJsonl', 'rollRows', rollRows, 1);
    if (options.onFileClosed !== undefined) requireFunction('toJsonl', 'onFileClosed', options.onFileClosed);
    super({ clock: upstream.clock });
    this.path = path;
    this.rollRows = rollRows;
    this.onFileClosed = options.onFileClosed ?? null;
    this.storage = options.storage ?? localDisk;
    upstream.connect(this);
  }

  override update(x: unknown): Pushed {
    if (this.closed)
      throw new TwinstreamError('TS_SINK_CLOSED', `toJsonl: ${this.path} is closed; element not written`);
    if (Array.isArray(x)) for (const item of x) this.line(item);
    else this.line(x);
    // A roll finished a file: the element's stream waits for it (an upload to an object store).
    if (this.rolled) {
      this.rolled = false;
      return this.finishing;
    }
  }

  private line(x: unknown): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(x);
    } catch (e) {
      throw new TwinstreamError(
        'TS_BAD_RECORD',
        `toJsonl: ${this.path}: element is not JSON: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    if (json === undefined) {
      throw new TwinstreamError('TS_BAD_RECORD', `toJsonl: ${this.path}: element ${String(x)} has no JSON form`);
    }
    this.file ??= this.storage.create(this.files === 0 ? this.path : rolledPath(this.path, this.files), () =>
      this.close(),
    );
    this.text += `${json}\n`;
    this.rows++;
    if (this.text.length >= FLUSH_AT) this.flush();
    if (this.rows >= this.rollRows) {
      this.finish();
      this.rolled = true;
    }
  }

  private flush(): void {
    if (this.text !== '') this.file!.write(this.text);
    this.text = '';
  }

  private finish(): void {
    const file = this.file;
    if (file === null) return;
    this.flush();
    this.file = null;
    this.files++;
    const rows = this.rows;
    this.rows = 0;
    const closed = file.close().then(() => this.onFileClosed?.(file.path, rows));
    const before = this.finishing;
    this.finishing = before.then(() => closed);
  }

  /** Writes what is held, closes the file and renames it onto its path. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.finish();
    }
    return this.finishing;
  }

  protected override flushOnEnd(): Pushed {
    return this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Writes every element as a line of JSON to a file written atomically (see {@link ToJsonlNode}).
     * @example
     * source.toJsonl('out/events.jsonl', { rollRows: 1_000_000 });
     */
    toJsonl(path: string, options?: ToJsonlOptions): ToJsonlNode;
  }
}

Stream.register('toJsonl', function (this: Stream<any>, path: string, options: ToJsonlOptions = {}) {
  return new ToJsonlNode(this, path, options);
});
