import { badArgument, requireFunction, requireInteger, TwinstreamError } from '../../errors.ts';
import { rolledPath } from './rolled-path.ts';
import { localDisk, type Storage } from './storage.ts';

/** The options every rolling file writer takes (`toJsonl`, `toParquet`). */
export interface RollingFilesOptions {
  /** Rows after which the file is finished and the next begun (default: never). */
  rollRows?: number;
  /** Milliseconds (on the writer's clock) after which the file is finished at the writer's next check (default: never). */
  rollInterval?: number;
  /** Called when a file is complete, with its path and its number of rows. */
  onFileClosed?: (path: string, rows: number) => void;
  /** Where files go (default: local disk). */
  storage?: Storage;
}

/**
 * The file lifecycle the file writers share: the names of the files a writer rolls through (`<path>`, then
 * `<path>-1.ext`, `-2`, ...), the rows of the file open and when it is due to roll, the completion of each file
 * (written under a temporary name and renamed, or uploaded, by its storage) reported to `onFileClosed` in order,
 * and a `close()` that runs once and settles when every file is complete. Each file is opened with the writer's
 * own close as its SIGINT/SIGTERM handler (`onSignal`), so an interrupted run flushes what the writer holds and
 * leaves complete files. What goes into a file (lines, row groups) stays with the writer.
 *
 * @example
 * const files = new RollingFiles('toJsonl', 'out/a.jsonl', { rollRows: 1000 });
 * const file = files.storage.create(files.open(), () => sink.close());
 * file.write('{"t":1}\n');
 * files.rows++;
 * if (files.due()) files.finished(file.close(), file.path);
 * await files.close(() => {});
 * @internal
 */
export class RollingFiles {
  /** The writer, as errors name it. */
  readonly sink: string;
  /** The first file's path; the rolled ones are numbered from it. */
  readonly path: string;
  readonly storage: Storage;
  readonly rollRows: number;
  readonly rollInterval: number;
  /** Rows written to the file open. */
  rows = 0;
  /** The path of the file open (or last opened). */
  current = '';
  private readonly onFileClosed: ((path: string, rows: number) => void) | null;
  private files = 0;
  private opened = 0;
  private finishing: Promise<void> = Promise.resolve();
  private closing: Promise<void> | null = null;

  /** Checks the options (so a writer refuses them at construction); `sink` names the writer in errors. */
  constructor(sink: string, path: string, options: RollingFilesOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument(sink, 'path', path, 'a file path');
    const rollRows = options.rollRows ?? Number.POSITIVE_INFINITY;
    if (rollRows !== Number.POSITIVE_INFINITY) requireInteger(sink, 'rollRows', rollRows, 1);
    if (options.onFileClosed !== undefined) requireFunction(sink, 'onFileClosed', options.onFileClosed);
    this.sink = sink;
    this.path = path;
    this.storage = options.storage ?? localDisk;
    this.rollRows = rollRows;
    this.rollInterval = options.rollInterval ?? Number.POSITIVE_INFINITY;
    this.onFileClosed = options.onFileClosed ?? null;
  }

  /** Begins the next file (at `now` on the writer's clock): returns its path. */
  open(now = 0): string {
    this.current = this.files === 0 ? this.path : rolledPath(this.path, this.files);
    this.files++;
    this.rows = 0;
    this.opened = now;
    return this.current;
  }

  /** True when the file open has its rows, or its age at `now`: the writer finishes it and the next one opens. */
  due(now = 0): boolean {
    return this.rows >= this.rollRows || now - this.opened >= this.rollInterval;
  }

  /**
   * The file open is being finished (`done` settles once it is complete at `path`): `onFileClosed` follows, in
   * the order the files were opened. Returns a promise of every file finished so far.
   */
  finished(done: Promise<void>, path: string): Promise<void> {
    const rows = this.rows;
    this.rows = 0;
    const closed = done.then(() => this.onFileClosed?.(path, rows));
    const before = this.finishing;
    this.finishing = before.then(() => closed);
    return this.finishing;
  }

  /** Every file finished so far complete (a writer's element waits for it after a roll). */
  get settled(): Promise<void> {
    return this.finishing;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** Refuses what arrives after `close()` with `TS_SINK_CLOSED` (`what`: 'element', 'rows'). */
  checkOpen(what: string): void {
    if (this.closing !== null) {
      throw new TwinstreamError('TS_SINK_CLOSED', `${this.sink}: ${this.path} is closed; ${what} not written`);
    }
  }

  /**
   * Runs `finishAll` (the writer writes what it holds and finishes its file) once, and settles when every file
   * is complete. Later calls return the same promise.
   */
  close(finishAll: () => void | Promise<void>): Promise<void> {
    this.closing ??= (async () => {
      await finishAll();
      await this.finishing;
    })();
    return this.closing;
  }
}
