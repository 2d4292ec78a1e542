import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireFunction, requireInteger, TwinstreamError } from '../../errors.ts';
import { Frame } from '../../frame/frame.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { rolledPath } from '../files/rolled-path.ts';
import { localDisk, type Storage } from '../files/storage.ts';
import { openParquetFile, type ParquetRowGroups } from './parquet-file.ts';
import { ParquetSchema } from './parquet-schema.ts';

/** Options of {@link ToParquetNode}. */
export interface ToParquetOptions {
  /** Rows per row group: rows are held until this many arrive (default 100,000). */
  rowGroupSize?: number;
  /** Rows after which the file is finished and the next begun (default: never). */
  rollRows?: number;
  /** Age (on the graph's clock) after which the file is finished at its next row group (default: never). */
  rollInterval?: Duration;
  /** Fields holding milliseconds since the epoch, written as TIMESTAMP(MILLIS, UTC) (default `['time']`). */
  timestamps?: readonly string[];
  /** Compression (default `'SNAPPY'`). */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /** Called when a file is complete, with its path and its number of rows. */
  onFileClosed?: (path: string, rows: number) => void;
  /** Where files go: local disk (default) or an object store (`S3Storage` of `twinstream/s3`). */
  storage?: Storage;
}

type Row = Record<string, unknown>;

/**
 * A sink writing rows (objects, arrays of them, or `Frame`s) to Parquet with hyparquet-writer. The schema is fixed
 * by the first row group; a record that drifts fails with `TS_PARQUET_SCHEMA_DRIFT` naming the field. Each file is
 * written under a temporary name and renamed when finished (at the end of the stream, `close()`, a roll, or
 * SIGINT/SIGTERM), so no reader sees a file without its footer. Rolled files are named `<path>-1.parquet`,
 * `-2`, ... The metadata of the rows held for the next row group stays retained until it is written.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/parquet';
 * const source = Stream.fromIterable([{ time: 0, value: 1.5, sensor: 'a' }]);
 * source.toParquet('/tmp/readings.parquet', { rowGroupSize: 10_000 });
 * source.start();
 * await source.done;
 */
export class ToParquetNode extends Stream<never> {
  override kind = 'toParquet';
  readonly path: string;
  private readonly rowGroupSize: number;
  private readonly rollRows: number;
  private readonly rollInterval: number;
  private readonly timestamps: ReadonlySet<string>;
  private readonly codec: 'SNAPPY' | 'UNCOMPRESSED';
  private readonly onFileClosed: ((path: string, rows: number) => void) | null;
  private readonly storage: Storage;
  private held: Row[] = [];
  private heldMeta: Metadata[] = [];
  private schema: ParquetSchema | null = null;
  private file: ParquetRowGroups | null = null;
  private fileName = '';
  private fileRows = 0;
  private fileOpened = 0;
  private files = 0;
  private writing: Promise<void> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor(upstream: Stream<any>, path: string, options: ToParquetOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument('toParquet', 'path', path, 'a file path');
    const rowGroupSize = options.rowGroupSize ?? 100_000;
    requireInteger('toParquet', 'rowGroupSize', rowGroupSize, 1);
    const rollRows = options.rollRows ?? Number.POSITIVE_INFINITY;
    if (rollRows !== Number.POSITIVE_INFINITY) requireInteger('toParquet', 'rollRows', rollRows, 1);
    const codec = options.codec ?? 'SNAPPY';
    if (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED') {
      badArgument('toParquet', 'codec', codec, '"SNAPPY" or "UNCOMPRESSED"');
    }
    const timestamps = options.timestamps ?? ['time'];
    if (!Array.isArray(timestamps) || timestamps.some((t) => typeof t !== 'string')) {
      badArgument('toParquet', 'timestamps', timestamps, 'an array of field names');
    }
    if (options.onFileClosed !== undefined) requireFunction('toParquet', 'onFileClosed', options.onFileClosed);
    super({ clock: upstream.clock });
    this.path = path;
    this.rowGroupSize = rowGroupSize;
    this.rollRows = rollRows;
    this.rollInterval =
      options.rollInterval === undefined
        ? Number.POSITIVE_INFINITY
        : toMillis(options.rollInterval, 'toParquet: rollInterval');
    this.timestamps = new Set(timestamps);
    this.codec = codec;
    this.onFileClosed = options.onFileClosed ?? null;
    this.storage = options.storage ?? localDisk;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.closing !== null) {
      throw new TwinstreamError('TS_SINK_CLOSED', `toParquet: ${this.path} is closed; rows not written`);
    }
    const held = this.held;
    if (x instanceof Frame) for (const row of x.toRows()) held.push(row);
    else if (Array.isArray(x)) for (const row of x) held.push(row as Row);
    else if (x !== null && typeof x === 'object') held.push(x as Row);
    else {
      badArgument('toParquet', 'element', x, 'a record (object), an array of records or a Frame');
    }
    if (metadata !== undefined) {
      retainRefs(metadata);
      this.heldMeta.push(metadata);
    }
    if (held.length >= this.rowGroupSize) return this.writeHeld();
  }

  /** Writes what is held as one row group (opening or rolling the file first). */
  private writeHeld(): Pushed {
    const rows = this.held;
    const metas = this.heldMeta;
    this.held = [];
    this.heldMeta = [];
    if (rows.length === 0) return;
    // No open file (the first row group, or a roll under way): wait for what is in flight, so two row groups
    // arriving without back pressure (after a buffer) never open the file twice.
    if (this.file === null) {
      this.writing = this.writing.then(async () => {
        if (this.file === null) await this.open(rows);
        await this.writeRows(rows, metas);
      });
      return this.writing;
    }
    const r = this.writeRows(rows, metas);
    if (r !== undefined) return (this.writing = r);
  }

  /** Writes one row group; returns a promise when the file was finished after it (a roll). */
  private writeRows(rows: Row[], metas: Metadata[]): Promise<void> | undefined {
    const schema = this.schema!;
    schema.check(rows, this.fileRows);
    this.file!.write({ columnData: schema.columns(rows), rowGroupSize: rows.length });
    this.fileRows += rows.length;
    for (const m of metas) releaseRefs(m);
    if (this.needsRoll()) return this.finishFile();
  }

  private needsRoll(): boolean {
    return this.fileRows >= this.rollRows || this.clock.now() - this.fileOpened >= this.rollInterval;
  }

  private async open(rows: Row[]): Promise<void> {
    this.schema ??= ParquetSchema.fromBatch(this.path, rows, this.timestamps);
    this.fileName = this.files === 0 ? this.path : rolledPath(this.path, this.files);
    this.files++;
    this.fileRows = 0;
    this.fileOpened = this.clock.now();
    this.file = await openParquetFile(
      this.fileName,
      this.schema.elements(),
      this.codec,
      () => this.close(),
      this.storage,
    );
  }

  private async finishFile(): Promise<void> {
    const file = this.file;
    if (file === null) return;
    this.file = null;
    const name = this.fileName;
    const rows = this.fileRows;
    await file.finish();
    this.onFileClosed?.(name, rows);
  }

  /** Writes what is held, finishes the file and renames it onto its path. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.writing;
      const r = this.writeHeld();
      if (r !== undefined) await r;
      await this.finishFile();
    })();
    return this.closing;
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
     * Writes rows to Parquet files (see {@link ToParquetNode}).
     * @example
     * source.toParquet('out/readings.parquet', { rowGroupSize: 100_000, rollRows: 10_000_000 });
     */
    toParquet(path: string, options?: ToParquetOptions): ToParquetNode;
  }
}

Stream.register('toParquet', function (this: Stream<any>, path: string, options: ToParquetOptions = {}) {
  return new ToParquetNode(this, path, options);
});
