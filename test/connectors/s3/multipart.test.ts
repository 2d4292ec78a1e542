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

/** The real bucket behind a slower link: each part waits `delayMs` before it goes up; parts in flight counted. */
class SlowBucket extends S3Bucket {
  uploading = 0;
  most = 0;
  uploaded = 0;
  readonly delayMs: number;
  constructor(delayMs: number) {
    super({ bucket: 'multipart-out', endpoint: server.endpoint, credentials: server.credentials });
    this.delayMs = delayMs;
  }
  override async uploadPart(key: string, uploadId: string, n: number, body: Uint8Array): Promise<string> {
    this.uploading++;
    this.most = Math.max(this.most, this.uploading);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      return await super.uploadPart(key, uploadId, n, body);
    } finally {
      this.uploading--;
      this.uploaded += body.length;
    }
  }
}

test('partsInFlight caps the parts uploading at once; a writer that waits when asked holds a bounded amount', async () => {
  for (const partsInFlight of [2, 4]) {
    const slow = new SlowBucket(60);
    const storage = new S3Storage({
      bucket: slow,
      prefix: `capped-${partsInFlight}/`,
      partSize: 5 * MiB,
      partsInFlight,
    });
    const file = storage.create('blob.bin');
    const hash = createHash('sha256');
    let written = 0;
    let mostHeld = 0;
    let waits = 0;
    // 60 MiB in 1 MiB writes, far faster than the parts go up.
    for (let i = 0; i < 60; i++) {
      const chunk = new Uint8Array(MiB);
      for (let k = 0; k < MiB; k += 4093) chunk[k] = (i * 31 + k) & 255;
      hash.update(chunk);
      const wait = file.write(chunk);
      written += chunk.length;
      mostHeld = Math.max(mostHeld, written - slow.uploaded);
      if (wait !== undefined) {
        waits++;
        await wait;
      }
    }
    await file.close();
    assert.equal(slow.most, partsInFlight, `at most ${partsInFlight} parts at once, and that many used`);
    assert.ok(waits > 0, 'the writer was asked to wait');
    // What the storage holds (parts uploading and waiting, the part filling): partsInFlight + 1 parts at most.
    assert.ok(mostHeld <= (partsInFlight + 1) * 5 * MiB, `${mostHeld} bytes held`);
    const back = await bucket.get(`capped-${partsInFlight}/blob.bin`);
    assert.equal(back.length, 60 * MiB);
    assert.equal(createHash('sha256').update(back).digest('hex'), hash.digest('hex'));
    slow.close();
  }
});

test('toJsonl through S3Storage waits for the parts in flight: one at a time, every line there', async () => {
  const slow = new SlowBucket(30);
  const storage = new S3Storage({ bucket: slow, prefix: 'paced/', partSize: 5 * MiB, partsInFlight: 1 });
  const rows = Array.from({ length: 200_000 }, (_, i) => ({ i, pad: 'q'.repeat(60) }));
  let mostHeld = 0;
  let written = 0;
  const source = Stream.fromIterable(rows);
  source
    .map((r) => {
      // Bytes handed on by the time this row reaches the sink, less those the server has.
      written += JSON.stringify(r).length + 1;
      mostHeld = Math.max(mostHeld, written - slow.uploaded);
      return r;
    })
    .toJsonl('rows.jsonl', { storage });
  source.start();
  await source.done;
  assert.equal(slow.most, 1);
  // One part uploading, one filling, and the sink's own text buffer (256 KiB) on top.
  assert.ok(mostHeld <= 2 * 5 * MiB + 512 * 1024, `${mostHeld} bytes held`);
  const text = new TextDecoder().decode(await bucket.get('paced/rows.jsonl'));
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 200_000);
  assert.deepEqual(
    lines.map((l) => JSON.parse(l).i),
    rows.map((r) => r.i),
  );
  slow.close();
});

test('partsInFlight is checked at construction: an integer >= 1', () => {
  for (const partsInFlight of [0, 1.5, '2', -1]) {
    assert.throws(() => new S3Storage({ bucket, partsInFlight: partsInFlight as number }), {
      code: 'TS_BAD_ARGUMENT',
      message: /S3Storage: partsInFlight = .* an integer >= 1/,
    });
  }
  assert.equal(new S3Storage({ bucket }).partsInFlight, 4);
});
