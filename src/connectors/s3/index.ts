// S3 and S3-compatible object stores.

export * from './bucket.ts';
