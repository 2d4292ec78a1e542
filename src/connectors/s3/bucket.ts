import { badArgument, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';

/** Where an S3 bucket is and how to reach it. Credentials come from the AWS SDK's usual chain unless given. */
export interface S3BucketOptions {
  bucket: string;
  /** An S3-compatible endpoint, e.g. `http://127.0.0.1:9000` (default: AWS). */
  endpoint?: string;
  /** Default `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers (default: true with an endpoint). */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

// The few calls of @aws-sdk/client-s3 used here, typed loosely: the package loads only when a bucket is first used.
interface SdkClient {
  send(command: unknown): Promise<any>;
  destroy(): void;
}
type Sdk = typeof import('@aws-sdk/client-s3');

/**
 * A bucket of an S3 (or S3-compatible) object store: put, get, list and delete objects. `@aws-sdk/client-s3` is
 * imported on first use. Every failure is a `TS_S3_ERROR` naming the operation, the bucket and the key, with the
 * SDK's error as its cause.
 *
 * @example
 * const bucket = new S3Bucket({ bucket: 'twin-data', endpoint: 'http://127.0.0.1:9000' });
 * await bucket.put('line-a/events/part-000000.jsonl', '{"key":"task-0"}\n');
 * const text = new TextDecoder().decode(await bucket.get('line-a/events/part-000000.jsonl'));
 * bucket.close();
 */
export class S3Bucket {
  readonly bucket: string;
  readonly options: S3BucketOptions;
  private loading: Promise<{ sdk: Sdk; client: SdkClient }> | null = null;

  constructor(options: S3BucketOptions) {
    if (
      options === null ||
      typeof options !== 'object' ||
      typeof options.bucket !== 'string' ||
      options.bucket.length < 3
    ) {
      badArgument('S3Bucket', 'bucket', options?.bucket, 'a bucket name of 3 to 63 characters');
    }
    if (options.endpoint !== undefined && !URL.canParse(options.endpoint)) {
      badArgument('S3Bucket', 'endpoint', options.endpoint, 'a URL such as http://127.0.0.1:9000');
    }
    this.bucket = options.bucket;
    this.options = options;
  }

  private sdk(): Promise<{ sdk: Sdk; client: SdkClient }> {
    this.loading ??= importOptional('@aws-sdk/client-s3', 'S3Bucket', () => import('@aws-sdk/client-s3')).then(
      (sdk) => {
        const o = this.options;
        const client = new sdk.S3Client({
          region: o.region ?? process.env.AWS_REGION ?? 'us-east-1',
          ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
          forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
          ...(o.credentials === undefined ? {} : { credentials: o.credentials }),
        });
        return { sdk, client: client as unknown as SdkClient };
      },
    );
    return this.loading;
  }

  private async call<T>(op: string, key: string, make: (sdk: Sdk) => unknown): Promise<T> {
    const { sdk, client } = await this.sdk();
    try {
      return (await client.send(make(sdk))) as T;
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new TwinstreamError('TS_S3_ERROR', `S3 ${op} s3://${this.bucket}/${key} failed: ${why}`, {
        cause: error,
        context: { bucket: this.bucket, key, op },
      });
    }
  }

  /** Creates the bucket (for tests and local servers; fine if it exists and is yours). */
  async create(): Promise<void> {
    try {
      await this.call('CreateBucket', '', (s) => new s.CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const name = ((error as TwinstreamError).cause as { name?: string } | undefined)?.name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  }

  /** Writes one object. */
  async put(key: string, body: Uint8Array | string, contentType = 'application/octet-stream'): Promise<void> {
    await this.call(
      'PutObject',
      key,
      (s) => new s.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /**
   * Begins a multipart upload (objects larger than one request should carry: S3 takes up to 10,000 parts of 5 MiB
   * to 5 GiB, the last one smaller); resolves with its upload id. The object appears only when it is completed.
   */
  async createMultipart(key: string, contentType = 'application/octet-stream'): Promise<string> {
    const out = await this.call<{ UploadId?: string }>(
      'CreateMultipartUpload',
      key,
      (s) => new s.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    return out.UploadId!;
  }

  /** Uploads part `n` (from 1) of a multipart upload; resolves with its ETag, which completing names. */
  async uploadPart(key: string, uploadId: string, n: number, body: Uint8Array): Promise<string> {
    const out = await this.call<{ ETag?: string }>(
      'UploadPart',
      key,
      (s) => new s.UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body }),
    );
    return out.ETag!;
  }

  /** Completes a multipart upload from its parts' ETags, in order: the object appears whole. */
  async completeMultipart(key: string, uploadId: string, etags: readonly string[]): Promise<void> {
    await this.call(
      'CompleteMultipartUpload',
      key,
      (s) =>
        new s.CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
    );
  }

  /** Abandons a multipart upload: its parts are deleted and no object appears. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.call(
      'AbortMultipartUpload',
      key,
      (s) => new s.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
    );
  }

  /** Reads one object whole. */
  async get(key: string): Promise<Uint8Array> {
    const out = await this.call<{ Body: { transformToByteArray(): Promise<Uint8Array> } }>(
      'GetObject',
      key,
      (s) => new s.GetObjectCommand({ Bucket: this.bucket, Key: key }),
    );
    return out.Body.transformToByteArray();
  }

  /** The keys under `prefix`, in the store's (lexicographic) order. */
  async list(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call<{ Contents?: { Key?: string }[]; NextContinuationToken?: string }>(
        'ListObjectsV2',
        prefix,
        (s) => new s.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return keys;
  }

  /** Deletes one object. */
  async delete(key: string): Promise<void> {
    await this.call('DeleteObject', key, (s) => new s.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Releases the client's connections. */
  close(): void {
    const loading = this.loading;
    this.loading = null;
    void loading?.then(
      ({ client }) => client.destroy(),
      () => undefined,
    );
  }
}
