import { rolledPath } from '../../connectors/files/rolled-path.ts';
import { openParquetFile } from '../../connectors/parquet/parquet-file.ts';
import { badArgument, requireFunction } from '../../errors.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';
import { type ParquetRowGroupWriter, parquetColumns, parquetSchemaElements } from './parquet-columns.ts';
import { byStreamType, type FieldType, type PathRouter, routeBatch, SchemaGuard } from './schema.ts';

/** Options of Parquet storage. */
export interface ParquetStorageOptions {
  /** Where files go with the default router (default `'data'`). */
  directory?: string;
  /** Routes (and may reshape or drop) each record; default `<directory>/<stream_type>.parquet`. */
  pathRouter?: PathRouter;
  /** Compression (default `'SNAPPY'`). */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /**
   * Rows after which a file is finished and the next one begun (default 10,000,000). An open Parquet file keeps
   * the metadata of each of its row groups (about 5 KB) until it is finished, for its footer: rolling bounds that
   * memory in a long run. The first file has the routed path, the next ones `-1`, `-2`, ... before the extension
   * (`events.parquet`, `events-1.parquet`, ...).
   */
  maxRowsPerFile?: number;
  /**
   * Row groups (batches) after which a file rolls over (default 10,000: at most about 50 MB of footer state). Small
   * batches (a paced run flushing a few records every `flushInterval`) make many row groups of few rows.
   */
  maxRowGroupsPerFile?: number;
  /** Called when a file is complete (rolled over, or at `close()`), with its path and row count. */
  onFileClosed?: (path: string, rows: number) => void;
}

interface OpenFile {
  schema: SchemaGuard;
  fields: [string, FieldType][];
  writer: ParquetRowGroupWriter;
  /** Where this file is written (the routed path, or a rolled-over one). */
  file: string;
  rows: number;
  rowGroups: number;
  /** Files finished so far for this routed path. */
  rolled: number;
}

const DEFAULT_MAX_ROWS = 10_000_000;
const DEFAULT_MAX_ROW_GROUPS = 10_000;

/**
 * Writes records to local Parquet files chosen by a path router, one row group per batch (hyparquet-writer,
 * loaded when the first batch arrives). Each file's schema is fixed by its first batch: numbers are DOUBLE,
 * strings STRING (the `timestamp` field TIMESTAMP(MILLIS, UTC)), booleans BOOLEAN, objects JSON; every column is
 * nullable. Each file is written under a temporary name and renamed onto its path when complete: after `close()`
 * (the environment's `teardown()`), a roll, or SIGINT/SIGTERM (the footer is written before the process exits).
 *
 * @example
 * env.setupEgress([new ParquetStorageEgress({ pathRouter: (r) => (r.stream_type === 'event' ? 'data/events.parquet' : null) })]);
 */
export class ParquetStorageEgress implements EgressSink {
  readonly name = 'parquet';
  private readonly router: PathRouter;
  private readonly codec: 'SNAPPY' | 'UNCOMPRESSED';
  private readonly files = new Map<string, OpenFile>();
  private readonly maxRows: number;
  private readonly maxRowGroups: number;
  private readonly onFileClosed: ((path: string, rows: number) => void) | null;

  constructor(options: ParquetStorageOptions = {}) {
    this.router = options.pathRouter ?? byStreamType(options.directory ?? 'data', '.parquet');
    this.codec = options.codec ?? 'SNAPPY';
    const max = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS;
    if (!Number.isSafeInteger(max) || max < 1) {
      badArgument('ParquetStorageEgress', 'maxRowsPerFile', max, 'an integer >= 1');
    }
    this.maxRows = max;
    const groups = options.maxRowGroupsPerFile ?? DEFAULT_MAX_ROW_GROUPS;
    if (!Number.isSafeInteger(groups) || groups < 1) {
      badArgument('ParquetStorageEgress', 'maxRowGroupsPerFile', groups, 'an integer >= 1');
    }
    this.maxRowGroups = groups;
    if (options.onFileClosed !== undefined)
      requireFunction('ParquetStorageEgress', 'onFileClosed', options.onFileClosed);
    this.onFileClosed = options.onFileClosed ?? null;
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    for (const [path, records] of routeBatch(batch, this.router)) {
      let file = this.files.get(path);
      if (file === undefined) {
        const schema = new SchemaGuard(path);
        const fields = [...schema.check(records)];
        file = {
          schema,
          fields,
          writer: await openWriter(path, fields, this.codec),
          file: path,
          rows: 0,
          rowGroups: 0,
          rolled: 0,
        };
        this.files.set(path, file);
      } else {
        file.schema.check(records);
      }
      // A batch goes whole into one file (one row group); the file rolls over before a batch that would pass
      // the bound, so no file holds more than max(maxRowsPerFile, one batch) rows.
      if (file.rows > 0 && (file.rows + records.length > this.maxRows || file.rowGroups >= this.maxRowGroups)) {
        await this.roll(path, file);
      }
      await file.writer.write({ columnData: parquetColumns(records, file.fields), rowGroupSize: records.length });
      file.rows += records.length;
      file.rowGroups++;
    }
  }

  async close(): Promise<void> {
    for (const file of this.files.values()) await this.finish(file);
    this.files.clear();
  }

  private async roll(path: string, file: OpenFile): Promise<void> {
    await this.finish(file);
    file.rolled++;
    file.file = rolledPath(path, file.rolled);
    file.writer = await openWriter(file.file, file.fields, this.codec);
    file.rows = 0;
    file.rowGroups = 0;
  }

  private async finish(file: OpenFile): Promise<void> {
    await file.writer.finish();
    this.onFileClosed?.(file.file, file.rows);
  }
}

// Each file is written under a temporary name and renamed when finished; SIGINT/SIGTERM finishes it (footer
// written) before the process exits, so an interrupted run leaves complete files.
function openWriter(
  path: string,
  fields: [string, FieldType][],
  codec: 'SNAPPY' | 'UNCOMPRESSED',
): Promise<ParquetRowGroupWriter> {
  return openParquetFile(path, parquetSchemaElements(fields), codec);
}
