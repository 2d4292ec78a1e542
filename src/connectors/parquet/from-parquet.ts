import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { Frame } from '../../frame/frame.ts';
import { importOptional } from '../../import-optional.ts';

/** Options of `Stream.fromParquet`. */
export interface FromParquetOptions extends StreamOptions {
  /** `'rows'` (default) emits one object per row; `'frames'` one `Frame` per row group. */
  as?: 'rows' | 'frames';
  /** Only these columns (default: all). */
  columns?: readonly string[];
  /** The time column of the frames (default `'time'` when the file has one). */
  timeColumn?: string;
}

/**
 * Reads a Parquet file with hyparquet, one row group at a time: TIMESTAMP columns come back as milliseconds since
 * the epoch (numbers), INT64 as bigints, strings as strings. Row groups are read only as fast as the graph takes
 * them (each `emit` awaited).
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/parquet';
 * const source = Stream.fromParquet('/tmp/readings.parquet', { as: 'frames' });
 */
export class ParquetSource extends Source<any> {
  override kind = 'fromParquet';
  readonly path: string;
  private readonly as: 'rows' | 'frames';
  private readonly columns: readonly string[] | undefined;
  private readonly timeColumn: string | undefined;

  constructor(path: string, options: FromParquetOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument('Stream.fromParquet', 'path', path, 'a file path');
    const as = options.as ?? 'rows';
    if (as !== 'rows' && as !== 'frames') badArgument('Stream.fromParquet', 'as', as, '"rows" or "frames"');
    super(options);
    this.path = path;
    this.as = as;
    this.columns = options.columns;
    this.timeColumn = options.timeColumn;
  }

  protected async run(): Promise<void> {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await importOptional(
      'hyparquet',
      'Stream.fromParquet',
      () => import('hyparquet'),
    );
    let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
    let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
    try {
      file = await asyncBufferFromFile(this.path);
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      throw new TwinstreamError('TS_FILE_READ', `fromParquet: cannot read ${this.path}: ${(e as Error).message}`, {
        cause: e,
        context: { path: this.path },
      });
    }
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      const rows = (await parquetReadObjects({
        file,
        metadata,
        rowStart: start,
        rowEnd: end,
        ...(this.columns === undefined ? {} : { columns: [...this.columns] }),
      })) as Record<string, unknown>[];
      start = end;
      for (const row of rows) for (const k in row) if (row[k] instanceof Date) row[k] = (row[k] as Date).getTime();
      if (this.as === 'frames') {
        const time = this.timeColumn ?? (rows.length > 0 && 'time' in rows[0]! ? 'time' : undefined);
        const r = this.emit(Frame.fromRows(rows, time === undefined ? {} : { time }));
        if (r !== undefined) await r;
      } else {
        for (const row of rows) {
          const r = this.emit(row);
          if (r !== undefined) await r;
          if (this.stopping) return;
        }
      }
      if (this.stopping) return;
    }
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the rows (or one `Frame` per row group) of a Parquet file (see {@link ParquetSource}).
     * @example
     * Stream.fromParquet('out/readings.parquet').sink(console.log);
     */
    function fromParquet(path: string, options?: FromParquetOptions): ParquetSource;
  }
}

Object.assign(Stream, {
  fromParquet(path: string, options: FromParquetOptions = {}): ParquetSource {
    return new ParquetSource(path, options);
  },
});
