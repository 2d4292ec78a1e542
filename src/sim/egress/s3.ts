import { S3Bucket, type S3BucketOptions } from '../../connectors/s3/bucket.ts';
import { S3Storage } from '../../connectors/s3/s3-storage.ts';
import { importOptional } from '../../import-optional.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';
import { openParquetWriter, parquetColumns } from './parquet-columns.ts';
import { type PathRouter, routeBatch, SchemaGuard } from './schema.ts';

/** Options of S3 storage egress: the bucket, a key prefix, and a path router. */
export interface S3StorageOptions extends Partial<S3BucketOptions> {
  /** Prepended to every key, e.g. `line-a/2024-01-01` (default none). */
  prefix?: string;
  /**
   * Routes (and may reshape or drop) each record to a dataset path such as `events.parquet`; default
   * `<stream_type>`. Each batch becomes one object `<prefix>/<dataset>/part-<n>.<ext>` (the dataset's extension
   * dropped), so a dataset is a folder of parts that readers (DuckDB, Spark, hyparquet) read as one table.
   */
  pathRouter?: PathRouter;
  /** An existing bucket client to write through, instead of `bucket` and its options. */
  client?: S3Bucket;
}

interface Dataset {
  schema: SchemaGuard;
  parts: number;
}

/**
 * What S3 JSONL and Parquet egress share: S3 objects cannot be appended to, so every batch of a dataset becomes a
 * new object, numbered in order, and every part of a dataset keeps the schema its first batch fixed. Objects are
 * written through the general `S3Storage` (the file writers' storage: complete objects only, multipart when large).
 */
abstract class S3StorageEgress implements EgressSink {
  abstract readonly name: string;
  /** The bucket written to. */
  readonly bucket: S3Bucket;
  private readonly storage: S3Storage;
  /** Every key written, in order. */
  readonly keys: string[] = [];
  private readonly router: PathRouter;
  private readonly prefix: string;
  private readonly ownsClient: boolean;
  private readonly datasets = new Map<string, Dataset>();
  protected abstract readonly extension: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.client ?? new S3Bucket(options as S3BucketOptions);
    this.storage = new S3Storage({ bucket: this.bucket });
    this.ownsClient = options.client === undefined;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.router = options.pathRouter ?? ((r) => String(r.stream_type ?? 'records'));
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    for (const [path, records] of routeBatch(batch, this.router)) {
      let dataset = this.datasets.get(path);
      if (dataset === undefined) {
        dataset = { schema: new SchemaGuard(`s3://${this.bucket.bucket}/${this.datasetKey(path)}`), parts: 0 };
        this.datasets.set(path, dataset);
      }
      const fields = dataset.schema.check(records);
      const key = `${this.datasetKey(path)}/part-${String(dataset.parts++).padStart(6, '0')}${this.extension}`;
      const object = this.storage.create(key);
      object.write(await this.encode(records, [...fields]));
      await object.close();
      this.keys.push(key);
    }
  }

  close(): void {
    if (this.ownsClient) this.bucket.close();
  }

  protected abstract encode(
    records: Record<string, unknown>[],
    fields: [string, 'number' | 'string' | 'boolean' | 'json'][],
  ): Promise<Uint8Array | string>;

  private datasetKey(path: string): string {
    const base = path.replace(/^\/+/, '').replace(/\.(jsonl|parquet|json)$/, '');
    return this.prefix === '' ? base : `${this.prefix}/${base}`;
  }
}

/**
 * Writes records as JSON Lines objects to S3: one object per batch and dataset.
 *
 * @example
 * env.setupEgress([new S3JsonlEgress({ bucket: 'twin-data', endpoint: 'http://127.0.0.1:9000', prefix: 'line-a' })]);
 * // objects line-a/event/part-000000.jsonl, line-a/telemetry/part-000000.jsonl, ...
 */
export class S3JsonlEgress extends S3StorageEgress {
  readonly name = 's3-jsonl';
  protected readonly extension = '.jsonl';

  protected async encode(records: Record<string, unknown>[]): Promise<string> {
    let text = '';
    for (const rec of records) text += `${JSON.stringify(rec)}\n`;
    return text;
  }
}

/**
 * Writes records as Parquet objects to S3: one object (one row group) per batch and dataset, typed as the local
 * `ParquetStorageEgress` types them.
 *
 * @example
 * env.setupEgress([new S3ParquetEgress({ bucket: 'twin-data', prefix: 'history', pathRouter: (r) => (r.stream_type === 'event' ? 'events' : null) })]);
 */
export class S3ParquetEgress extends S3StorageEgress {
  readonly name = 's3-parquet';
  protected readonly extension = '.parquet';
  private readonly codec: 'SNAPPY' | 'UNCOMPRESSED';

  constructor(options: S3StorageOptions & { codec?: 'SNAPPY' | 'UNCOMPRESSED' }) {
    super(options);
    this.codec = options.codec ?? 'SNAPPY';
  }

  protected async encode(
    records: Record<string, unknown>[],
    fields: [string, 'number' | 'string' | 'boolean' | 'json'][],
  ): Promise<Uint8Array> {
    const { ByteWriter } = await importOptional(
      'hyparquet-writer',
      'S3ParquetEgress',
      () => import('hyparquet-writer'),
    );
    const bytes = new ByteWriter();
    const writer = await openParquetWriter(bytes, fields, this.codec);
    await writer.write({ columnData: parquetColumns(records, fields), rowGroupSize: records.length });
    await writer.finish();
    return bytes.getBytes();
  }
}
