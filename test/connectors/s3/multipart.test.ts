// Large files through S3Storage as multipart uploads, against a real S3-compatible server (s3rver on loopback).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import '../../../src/connectors/files/index.ts';
import { S3Bucket, S3Storage } from '../../../src/connectors/s3/index.ts';
import { Stream } from '../../../src/core/index.ts';
import { type S3TestServer, startS3Server } from './server.ts';

let server: S3TestServer;
let bucket: S3Bucket;
before(async () => {
  server = await startS3Server();
  bucket = new S3Bucket({ bucket: 'multipart-out', endpoint: server.endpoint, credentials: server.credentials });
  await bucket.create();
});
after(async () => {
  bucket?.close();
  await server?.stop();
});

const MiB = 1024 * 1024;

/** The real bucket, noting the number of each part it uploads. */
class CountingBucket extends S3Bucket {
  readonly parts: number[] = [];
  override uploadPart(key: string, uploadId: string, n: number, body: Uint8Array): Promise<string> {
    this.parts.push(n);
    return super.uploadPart(key, uploadId, n, body);
  }
}

test('a file past partSize goes up in parts while written and appears whole, byte for byte', async () => {
  const counted = new CountingBucket({
    bucket: 'multipart-out',
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  const storage = new S3Storage({ bucket: counted, prefix: 'big/', partSize: 5 * MiB });
  const file = storage.create('blob.bin');
  const hash = createHash('sha256');
  // 13 MiB in writes of odd sizes: two full parts and a last smaller one.
  let written = 0;
  for (let i = 0; written < 13 * MiB; i++) {
    const n = Math.min(13 * MiB - written, 100_000 + ((i * 7919) % 400_000));
    const chunk = new Uint8Array(n);
    for (let k = 0; k < n; k += 997) chunk[k] = (written + k) & 255;
    hash.update(chunk);
    file.write(chunk);
    written += n;
  }
  // Two full parts went up while the file was written; nothing appears before close.
  while (counted.parts.length < 2) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await bucket.list('big/'), []);
  await file.close();
  assert.deepEqual(await bucket.list('big/'), ['big/blob.bin']);
  assert.deepEqual(counted.parts, [1, 2, 3]);
  const back = await bucket.get('big/blob.bin');
  assert.equal(back.length, 13 * MiB);
  assert.equal(createHash('sha256').update(back).digest('hex'), hash.digest('hex'));
  counted.close();
});

test('toJsonl of 300k rows through S3Storage: a multipart object with every line', async () => {
  const storage = new S3Storage({ bucket, prefix: 'rows/', partSize: 5 * MiB });
  const rows = Array.from({ length: 300_000 }, (_, i) => ({
    i,
    sensor: `s${i % 7}`,
    value: i / 3,
    pad: 'p'.repeat(20),
  }));
  const source = Stream.fromIterable(rows);
  source.toJsonl('readings.jsonl', { storage });
  source.start();
  await source.done;
  const text = new TextDecoder().decode(await bucket.get('rows/readings.jsonl'));
  assert.ok(text.length > 15 * MiB, `${text.length} bytes`);
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 300_000);
  assert.deepEqual(JSON.parse(lines[299_999]!), rows[299_999]);
});

test('an aborted file leaves no object, even after parts went up; partSize below 5 MiB is refused', async () => {
  const storage = new S3Storage({ bucket, prefix: 'aborted/', partSize: 5 * MiB });
  const file = storage.create('half.bin');
  file.write(new Uint8Array(11 * MiB));
  await new Promise((r) => setTimeout(r, 200));
  file.abort();
  await file.close();
  assert.deepEqual(await bucket.list('aborted/'), []);
  assert.throws(() => new S3Storage({ bucket, partSize: MiB }), { code: 'TS_BAD_ARGUMENT', message: /partSize/ });
});
