// S3 and S3-compatible object stores (@aws-sdk/client-s3, loaded on first use). Re-exports only, by name.

export type { S3BucketOptions } from './bucket.ts';
export { S3Bucket } from './bucket.ts';
export type { S3StorageOptions } from './s3-storage.ts';
export { S3Storage } from './s3-storage.ts';
