import { closeOnSignal } from '../files/close-on-signal.ts';
import type { Storage, StorageFile } from '../files/storage.ts';
import { S3Bucket, type S3BucketOptions } from './bucket.ts';

/** Options of {@link S3Storage}. */
export interface S3StorageOptions {
  /** The bucket, or how to reach it. */
  bucket: S3Bucket | S3BucketOptions;
  /** Prepended to every key (`'history/'`); default none. */
  prefix?: string;
}

/**
 * Files as objects of an S3 (or S3-compatible) bucket for the file writers: a file's bytes are held in memory and
 * put as one object by `close()`, so the object appears complete or not at all (an S3 object cannot be appended
 * to). Roll files (`rollRows`) to bound what is held. SIGINT/SIGTERM runs the writer's close, which uploads.
 *
 * @example
 * import { S3Storage } from 'twinstream/s3';
 * const storage = new S3Storage({ bucket: { bucket: 'twin-data', endpoint: 'http://127.0.0.1:9000' }, prefix: 'run-1/' });
 * source.toParquet('events.parquet', { storage, rollRows: 1_000_000 });
 */
export class S3Storage implements Storage {
  readonly bucket: S3Bucket;
  readonly prefix: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket instanceof S3Bucket ? options.bucket : new S3Bucket(options.bucket);
    this.prefix = options.prefix ?? '';
  }

  create(path: string, onSignal?: () => void | Promise<void>): StorageFile {
    const key = this.prefix + path.replace(/^\/+/, '');
    const parts: Uint8Array[] = [];
    const encoder = new TextEncoder();
    let closing: Promise<void> | null = null;
    let unregister: () => void = () => {};
    const file: StorageFile = {
      path: key,
      write: (data) => {
        // The writer reuses its buffer: keep a copy.
        parts.push(typeof data === 'string' ? encoder.encode(data) : data.slice());
      },
      close: () => {
        closing ??= (async () => {
          unregister();
          let size = 0;
          for (const p of parts) size += p.length;
          const body = new Uint8Array(size);
          let at = 0;
          for (const p of parts) {
            body.set(p, at);
            at += p.length;
          }
          parts.length = 0;
          await this.bucket.put(key, body, contentTypeOf(key));
        })();
        return closing;
      },
      abort: () => {
        unregister();
        parts.length = 0;
        closing ??= Promise.resolve();
      },
    };
    unregister = closeOnSignal(onSignal ?? (() => file.close()));
    return file;
  }
}

const TYPES: Record<string, string> = {
  parquet: 'application/vnd.apache.parquet',
  jsonl: 'application/x-ndjson',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  csv: 'text/csv',
};

/** The content type of an object by its key's extension (readers such as browsers and DuckDB look at it). */
function contentTypeOf(key: string): string {
  return TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}
