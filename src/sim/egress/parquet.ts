import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { importOptional } from '../../import-optional.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';
import { openParquetWriter, type ParquetRowGroupWriter, parquetColumns } from './parquet-columns.ts';
import { byStreamType, type FieldType, type PathRouter, routeBatch, SchemaGuard } from './schema.ts';

/** Options of Parquet storage. */
export interface ParquetStorageOptions {
  /** Where files go with the default router (default `'data'`). */
  directory?: string;
  /** Routes (and may reshape or drop) each record; default `<directory>/<stream_type>.parquet`. */
  pathRouter?: PathRouter;
  /** Compression (default `'SNAPPY'`). */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
}

interface OpenFile {
  schema: SchemaGuard;
  fields: [string, FieldType][];
  writer: ParquetRowGroupWriter;
}

/**
 * Writes records to local Parquet files chosen by a path router, one row group per batch (hyparquet-writer,
 * loaded when the first batch arrives). Each file's schema is fixed by its first batch: numbers are DOUBLE,
 * strings STRING, booleans BOOLEAN, objects JSON; every column is nullable. Files are complete after `close()`
 * (the environment's `teardown()`).
 *
 * @example
 * env.setupEgress([new ParquetStorageEgress({ pathRouter: (r) => (r.stream_type === 'event' ? 'data/events.parquet' : null) })]);
 */
export class ParquetStorageEgress implements EgressSink {
  readonly name = 'parquet';
  private readonly router: PathRouter;
  private readonly codec: 'SNAPPY' | 'UNCOMPRESSED';
  private readonly files = new Map<string, OpenFile>();

  constructor(options: ParquetStorageOptions = {}) {
    this.router = options.pathRouter ?? byStreamType(options.directory ?? 'data', '.parquet');
    this.codec = options.codec ?? 'SNAPPY';
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    for (const [path, records] of routeBatch(batch, this.router)) {
      let file = this.files.get(path);
      if (file === undefined) {
        const schema = new SchemaGuard(path);
        const fields = [...schema.check(records)];
        file = { schema, fields, writer: await openWriter(path, fields, this.codec) };
        this.files.set(path, file);
      } else {
        file.schema.check(records);
      }
      await file.writer.write({ columnData: parquetColumns(records, file.fields), rowGroupSize: records.length });
    }
  }

  async close(): Promise<void> {
    for (const file of this.files.values()) await file.writer.finish();
    this.files.clear();
  }
}

async function openWriter(
  path: string,
  fields: [string, FieldType][],
  codec: 'SNAPPY' | 'UNCOMPRESSED',
): Promise<ParquetRowGroupWriter> {
  const { fileWriter } = await importOptional(
    'hyparquet-writer',
    'ParquetStorageEgress',
    () => import('hyparquet-writer'),
  );
  mkdirSync(dirname(path), { recursive: true });
  return openParquetWriter(fileWriter(path), fields, codec);
}
