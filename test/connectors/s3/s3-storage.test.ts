// The file writers through one Storage: local disk and an S3-compatible server (s3rver on loopback).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import '../../../src/connectors/files/index.ts';
import { LocalStorage } from '../../../src/connectors/files/index.ts';
import '../../../src/connectors/parquet/index.ts';
import { S3Bucket, S3Storage } from '../../../src/connectors/s3/index.ts';
import { Stream } from '../../../src/core/index.ts';
import { type S3TestServer, startS3Server } from './server.ts';

let server: S3TestServer;
let bucket: S3Bucket;
before(async () => {
  server = await startS3Server();
  bucket = new S3Bucket({ bucket: 'files-out', endpoint: server.endpoint, credentials: server.credentials });
  await bucket.create();
});
after(async () => {
  bucket?.close();
  await server?.stop();
});

const rows = Array.from({ length: 25 }, (_, i) => ({ time: Date.UTC(2024, 0, 1) + i * 1000, value: i / 2 }));

test('toParquet and toJsonl write to S3 objects through S3Storage, rolled, each complete', async () => {
  const storage = new S3Storage({ bucket, prefix: 'run-1/' });
  const source = Stream.fromIterable(rows);
  source.toParquet('readings.parquet', { storage, rowGroupSize: 10, rollRows: 20 });
  source.toJsonl('readings.jsonl', { storage });
  source.start();
  await source.done;
  assert.deepEqual(await bucket.list('run-1/'), [
    'run-1/readings-1.parquet',
    'run-1/readings.jsonl',
    'run-1/readings.parquet',
  ]);
  const bytes = await bucket.get('run-1/readings.parquet');
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const back = (await parquetReadObjects({ file })) as { time: Date; value: number }[];
  assert.equal(back.length, 20);
  assert.equal(back[19]!.time.getTime(), rows[19]!.time);
  const lines = new TextDecoder()
    .decode(await bucket.get('run-1/readings.jsonl'))
    .trim()
    .split('\n');
  assert.equal(lines.length, 25);
  assert.deepEqual(JSON.parse(lines[24]!), rows[24]);
});

test('LocalStorage puts the same files under its root', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ts-storage-'));
  const storage = new LocalStorage(root);
  const source = Stream.fromIterable(rows);
  source.toJsonl('sub/readings.jsonl', { storage });
  source.toParquet('sub/readings.parquet', { storage });
  source.start();
  await source.done;
  assert.deepEqual(readdirSync(join(root, 'sub')).sort(), ['readings.jsonl', 'readings.parquet']);
  assert.equal(readFileSync(join(root, 'sub/readings.jsonl'), 'utf8').trim().split('\n').length, 25);
});
