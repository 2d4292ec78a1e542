import { type Pushed, Stream } from '../../core/stream.ts';
import { TwinstreamError } from '../../errors.ts';
import { RollingFiles } from './rolling-files.ts';
import type { Storage, StorageFile } from './storage.ts';

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
  private readonly files: RollingFiles;
  private file: StorageFile | null = null;
  private text = '';
  private rolled = false;
  // A write the storage asked to wait for (an upload with its parts in flight): the element waits.
  private waitFor: Promise<void> | undefined = undefined;

  constructor(upstream: Stream<any>, path: string, options: ToJsonlOptions = {}) {
    const files = new RollingFiles('toJsonl', path, options);
    super({ clock: upstream.clock });
    this.path = path;
    this.files = files;
    upstream.connect(this);
  }

  override update(x: unknown): Pushed {
    this.files.checkOpen('element');
    if (Array.isArray(x)) for (const item of x) this.line(item);
    else this.line(x);
    let wait = this.waitFor;
    this.waitFor = undefined;
    // A roll finished a file: the element's stream waits for it (an upload to an object store).
    if (this.rolled) {
      this.rolled = false;
      wait = wait === undefined ? this.files.settled : Promise.all([wait, this.files.settled]).then(() => {});
    }
    return wait;
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
    const files = this.files;
    this.file ??= files.storage.create(files.open(), () => this.close());
    this.text += `${json}\n`;
    files.rows++;
    if (this.text.length >= FLUSH_AT) this.flush();
    if (files.due()) {
      this.finish();
      this.rolled = true;
    }
  }

  private flush(): void {
    if (this.text !== '') {
      const r = this.file!.write(this.text);
      if (r !== undefined) this.waitFor = r;
    }
    this.text = '';
  }

  private finish(): void {
    const file = this.file;
    if (file === null) return;
    this.flush();
    this.file = null;
    this.files.finished(file.close(), file.path);
  }

  /** Writes what is held, closes the file and renames it onto its path. */
  close(): Promise<void> {
    return this.files.close(() => this.finish());
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
