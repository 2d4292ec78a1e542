import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TwinstreamError } from '../../errors.ts';
import { closeOnSignal } from './close-on-signal.ts';

let sequence = 0;

/**
 * A file written under a temporary name beside its destination (`.<name>.<pid>.<n>.tmp`) and renamed onto it by
 * `close()`, so a reader never sees it half-written: the destination holds either the previous file or the whole
 * new one. Writes are synchronous (`writeSync` of whole chunks): callers batch their bytes first. Until it is
 * closed the file is registered with {@link closeOnSignal}, so SIGINT or SIGTERM finishes it (`onSignal`, by
 * default `close()`) before the process exits. `abort()` removes the temporary file.
 *
 * @example
 * const file = new AtomicFile('out/readings.jsonl');
 * file.write('{"t":1}\n');
 * file.close(); // out/readings.jsonl appears, complete
 */
export class AtomicFile {
  /** The destination. */
  readonly path: string;
  /** Where the bytes go until `close()`. */
  readonly tempPath: string;
  /** Bytes written so far. */
  bytes = 0;
  private fd: number;
  private readonly unregister: () => void;

  /**
   * Opens the temporary file (creating the destination's folder). `onSignal` is what SIGINT/SIGTERM runs on a file
   * still open (a Parquet writer passes its `finish`, which writes the footer and then closes this file).
   */
  constructor(path: string, onSignal?: () => void | Promise<void>) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${++sequence}.tmp`);
    try {
      this.fd = openSync(this.tempPath, 'w');
    } catch (e) {
      throw new TwinstreamError('TS_FILE_WRITE', `cannot create ${this.tempPath}: ${(e as Error).message}`, {
        cause: e,
        context: { path },
      });
    }
    this.unregister = closeOnSignal(onSignal ?? (() => this.close()));
  }

  /** True until `close()` or `abort()`. */
  get open(): boolean {
    return this.fd >= 0;
  }

  /** Appends bytes or UTF-8 text. */
  write(data: Uint8Array | string): void {
    if (this.fd < 0) throw new TwinstreamError('TS_SINK_CLOSED', `${this.path} is closed; nothing more can be written`);
    try {
      if (typeof data === 'string') this.bytes += writeSync(this.fd, data);
      else {
        let done = 0;
        while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
        this.bytes += done;
      }
    } catch (e) {
      throw new TwinstreamError('TS_FILE_WRITE', `cannot write ${this.tempPath}: ${(e as Error).message}`, {
        cause: e,
        context: { path: this.path },
      });
    }
  }

  /** Flushes to disk and renames the file onto its destination. Closing a closed file does nothing. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.unregister();
    try {
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.tempPath, this.path);
    } catch (e) {
      throw new TwinstreamError('TS_FILE_WRITE', `cannot finish ${this.path}: ${(e as Error).message}`, {
        cause: e,
        context: { path: this.path },
      });
    }
  }

  /** Closes and deletes the temporary file; the destination is left as it was. */
  abort(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    this.unregister();
    rmSync(this.tempPath, { force: true });
  }
}
