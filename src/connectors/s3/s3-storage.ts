import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { closeOnSignal } from '../files/close-on-signal.ts';
import type { Storage, StorageFile } from '../files/storage.ts';
import { S3Bucket, type S3BucketOptions } from './bucket.ts';

/** Options of {@link S3Storage}. */
export interface S3StorageOptions {
  /** The bucket, or how to reach it. */
  bucket: S3Bucket | S3BucketOptions;
  /** Prepended to every key (`'history/'`); default none. */
  prefix?: string;
  /**
   * A file that grows past this many bytes is uploaded in parts of this size while it is written (a multipart
   * upload, completed by `close()`), so a large file is never held whole. Default 8 MiB; at least 5 MiB (S3's
   * smallest part but the last).
   */
  partSize?: number;
  /**
   * The most parts of one file uploading at a time (default 4). A writer that fills parts faster than they go up
   * is asked to wait (its `write` returns a promise, which the file writers await), so a file being uploaded
   * holds about `partsInFlight` parts in memory, plus what one write adds, whatever the network's speed.
   */
  partsInFlight?: number;
}

const MIN_PART = 5 * 1024 * 1024;

/**
 * Files as objects of an S3 (or S3-compatible) bucket for the file writers. A small file's bytes are held and put
 * as one object by `close()`; a file past `partSize` becomes a multipart upload whose parts go up as they fill,
 * completed by `close()`. Either way the object appears complete or not at all (an aborted file's upload is
 * abandoned). SIGINT/SIGTERM runs the writer's close, which uploads.
 *
 * @example
 * import { S3Storage } from 'twinstream/s3';
 * const storage = new S3Storage({ bucket: { bucket: 'twin-data', endpoint: 'http://127.0.0.1:9000' }, prefix: 'run-1/' });
 * source.toParquet('events.parquet', { storage, rollRows: 1_000_000 });
 */
export class S3Storage implements Storage {
  readonly bucket: S3Bucket;
  readonly prefix: string;
  readonly partSize: number;
  readonly partsInFlight: number;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket instanceof S3Bucket ? options.bucket : new S3Bucket(options.bucket);
    this.prefix = options.prefix ?? '';
    const partSize = options.partSize ?? 8 * 1024 * 1024;
    requireInteger('S3Storage', 'partSize', partSize, 1);
    if (partSize < MIN_PART) badArgument('S3Storage', 'partSize', partSize, `at least ${MIN_PART} bytes (5 MiB)`);
    this.partSize = partSize;
    const partsInFlight = options.partsInFlight ?? 4;
    requireInteger('S3Storage', 'partsInFlight', partsInFlight, 1);
    this.partsInFlight = partsInFlight;
  }

  create(path: string, onSignal?: () => void | Promise<void>): StorageFile {
    const key = this.prefix + path.replace(/^\/+/, '');
    const upload = new ObjectUpload(this.bucket, key, this.partSize, this.partsInFlight);
    let unregister: () => void = () => {};
    const file: StorageFile = {
      path: key,
      write: (data) => upload.write(data),
      close: () => {
        unregister();
        return upload.close();
      },
      abort: () => {
        unregister();
        upload.abort();
      },
    };
    unregister = closeOnSignal(onSignal ?? (() => file.close()));
    return file;
  }
}

/** A part waiting for its turn to go up. */
interface QueuedPart {
  n: number;
  body: Uint8Array;
  resolve: (etag: string) => void;
  reject: (error: unknown) => void;
}

/**
 * One object being written: held, then put whole or uploaded in parts. At most `partsInFlight` parts upload at
 * a time; the others wait in `queue`, and `write` returns a promise while the parts sent and waiting reach
 * `partsInFlight`, settling when one of them has gone up.
 */
class ObjectUpload {
  private readonly bucket: S3Bucket;
  private readonly key: string;
  private readonly partSize: number;
  private readonly partsInFlight: number;
  private readonly encoder = new TextEncoder();
  private held: Uint8Array[] = [];
  private size = 0;
  /** The multipart upload, once the file outgrew a part: its id and the ETags of the parts, in order. */
  private multipart: { id: Promise<string>; etags: Promise<string>[] } | null = null;
  private uploading = 0;
  // Bounded by the writer: it is asked to wait as soon as `partsInFlight` parts are out, so what waits here is
  // at most what one write adds.
  private queue: QueuedPart[] = [];
  private room: { promise: Promise<void>; resolve: () => void } | null = null;
  private closing: Promise<void> | null = null;

  constructor(bucket: S3Bucket, key: string, partSize: number, partsInFlight: number) {
    this.bucket = bucket;
    this.key = key;
    this.partSize = partSize;
    this.partsInFlight = partsInFlight;
  }

  write(data: Uint8Array | string): void | Promise<void> {
    // The writer reuses its buffer: keep a copy.
    const bytes = typeof data === 'string' ? this.encoder.encode(data) : data.slice();
    this.held.push(bytes);
    this.size += bytes.length;
    while (this.size >= this.partSize) this.sendPart(this.take(this.partSize));
    if (this.uploading + this.queue.length >= this.partsInFlight) {
      if (this.room === null) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        this.room = { promise, resolve };
      }
      return this.room.promise;
    }
  }

  /** Queues one part (uploaded in the background; a failure surfaces at `close()`). */
  private sendPart(body: Uint8Array): void {
    const m = (this.multipart ??= { id: this.bucket.createMultipart(this.key, contentTypeOf(this.key)), etags: [] });
    const n = m.etags.length + 1;
    const etag = new Promise<string>((resolve, reject) => {
      this.queue.push({ n, body, resolve, reject });
    });
    etag.catch(() => {});
    m.etags.push(etag);
    this.pump();
  }

  /** Starts waiting parts while fewer than `partsInFlight` are uploading. */
  private pump(): void {
    const m = this.multipart;
    while (m !== null && this.uploading < this.partsInFlight && this.queue.length > 0) {
      const part = this.queue.shift()!;
      this.uploading++;
      m.id
        .then((id) => this.bucket.uploadPart(this.key, id, part.n, part.body))
        .then(part.resolve, part.reject)
        .finally(() => {
          this.uploading--;
          this.pump();
          this.wake();
        });
    }
  }

  /** Lets a waiting writer go on once fewer than `partsInFlight` parts are out. */
  private wake(): void {
    const room = this.room;
    if (room !== null && this.uploading + this.queue.length < this.partsInFlight) {
      this.room = null;
      room.resolve();
    }
  }

  /** The first `n` held bytes (all when n is larger) as one array. */
  private take(n: number): Uint8Array {
    const size = Math.min(n, this.size);
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const head = this.held[0]!;
      const k = Math.min(head.length, size - at);
      out.set(k === head.length ? head : head.subarray(0, k), at);
      at += k;
      if (k === head.length) this.held.shift();
      else this.held[0] = head.subarray(k);
    }
    this.size -= size;
    return out;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const m = this.multipart;
      if (m === null) {
        await this.bucket.put(this.key, this.take(this.size), contentTypeOf(this.key));
        return;
      }
      if (this.size > 0) this.sendPart(this.take(this.size));
      const id = await m.id;
      try {
        await this.bucket.completeMultipart(this.key, id, await Promise.all(m.etags));
      } catch (error) {
        await this.bucket.abortMultipart(this.key, id).catch(() => {});
        throw error;
      }
    })();
    return this.closing;
  }

  abort(): void {
    this.held = [];
    this.size = 0;
    const m = this.multipart;
    this.multipart = null;
    // Parts not yet started never go up; a writer waiting for room goes on (to find the file closed).
    const aborted = new TwinstreamError('TS_SINK_CLOSED', `${this.key}: the upload was aborted`);
    for (const part of this.queue) part.reject(aborted);
    this.queue = [];
    const room = this.room;
    this.room = null;
    room?.resolve();
    this.closing ??= Promise.resolve();
    // The parts already sent are deleted with the upload: no object appears.
    if (m !== null) void m.id.then((id) => this.bucket.abortMultipart(this.key, id)).catch(() => {});
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
