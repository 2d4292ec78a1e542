import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger } from '../../errors.ts';
import { Frame } from '../../frame/frame.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { RollingFiles } from '../files/rolling-files.ts';
import type { Storage } from '../files/storage.ts';
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
  private readonly timestamps: ReadonlySet<string>;
  private readonly codec: 'SNAPPY' | 'UNCOMPRESSED';
  private readonly files: RollingFiles;
  private held: Row[] = [];
  private heldMeta: Metadata[] = [];
  private schema: ParquetSchema | null = null;
  private file: ParquetRowGroups | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(upstream: Stream<any>, path: string, options: ToParquetOptions = {}) {
    const { rollInterval, ...rest } = options;
    const files = new RollingFiles('toParquet', path, {
      ...rest,
      ...(rollInterval === undefined ? {} : { rollInterval: toMillis(rollInterval, 'toParquet: rollInterval') }),
    });
    const rowGroupSize = options.rowGroupSize ?? 100_000;
    requireInteger('toParquet', 'rowGroupSize', rowGroupSize, 1);
    const codec = options.codec ?? 'SNAPPY';
    if (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED') {
      badArgument('toParquet', 'codec', codec, '"SNAPPY" or "UNCOMPRESSED"');
    }
    const timestamps = options.timestamps ?? ['time'];
    if (!Array.isArray(timestamps) || timestamps.some((t) => typeof t !== 'string')) {
      badArgument('toParquet', 'timestamps', timestamps, 'an array of field names');
    }
    super({ clock: upstream.clock });
    this.path = path;
    this.rowGroupSize = rowGroupSize;
    this.timestamps = new Set(timestamps);
    this.codec = codec;
    this.files = files;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    this.files.checkOpen('rows');
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

  /**
   * Writes one row group; returns a promise when the file was finished after it (a roll), or when its storage
   * asks the writer to wait (an upload with its parts in flight).
   */
  private writeRows(rows: Row[], metas: Metadata[]): Promise<void> | undefined {
    const schema = this.schema!;
    const files = this.files;
    schema.check(rows, files.rows);
    const wait = this.file!.write({ columnData: schema.columns(rows), rowGroupSize: rows.length });
    files.rows += rows.length;
    for (const m of metas) releaseRefs(m);
    if (files.due(this.clock.now())) return this.finishFile();
    return wait === undefined ? undefined : wait;
  }

  private async open(rows: Row[]): Promise<void> {
    this.schema ??= ParquetSchema.fromBatch(this.path, rows, this.timestamps);
    const name = this.files.open(this.clock.now());
    this.file = await openParquetFile(name, this.schema.elements(), this.codec, () => this.close(), this.files.storage);
  }

  private finishFile(): Promise<void> | undefined {
    const file = this.file;
    if (file === null) return;
    this.file = null;
    return this.files.finished(file.finish(), this.files.current);
  }

  /** Writes what is held, finishes the file and renames it onto its path. */
  close(): Promise<void> {
    return this.files.close(async () => {
      await this.writing;
      const r = this.writeHeld();
      if (r !== undefined) await r;
      await this.finishFile();
    });
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
