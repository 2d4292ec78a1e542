import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { S3Bucket } from '../../../src/connectors/s3/index.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { type S3TestServer, startS3Server } from './server.ts';

let server: S3TestServer;
let bucket: S3Bucket;
before(async () => {
  server = await startS3Server();
  bucket = new S3Bucket({ bucket: 'twin-data', endpoint: server.endpoint, credentials: server.credentials });
  await bucket.create();
});
after(async () => {
  bucket?.close();
  await server?.stop();
});

test('put, get, list and delete objects through a real S3 server', async () => {
  await bucket.create(); // creating it again is fine
  await bucket.put('a/one.txt', 'hello');
  await bucket.put('a/two.bin', new Uint8Array([0, 1, 2, 255]));
  await bucket.put('b/three.txt', 'x');
  assert.equal(new TextDecoder().decode(await bucket.get('a/one.txt')), 'hello');
  assert.deepEqual([...(await bucket.get('a/two.bin'))], [0, 1, 2, 255]);
  assert.deepEqual(await bucket.list('a/'), ['a/one.txt', 'a/two.bin']);
  await bucket.delete('a/one.txt');
  assert.deepEqual(await bucket.list('a/'), ['a/two.bin']);
});

test('a missing object is a TS_S3_ERROR naming the operation, bucket and key', async () => {
  await assert.rejects(bucket.get('nope/missing.txt'), (e: unknown) => {
    assert.ok(e instanceof TwinstreamError);
    assert.equal(e.code, 'TS_S3_ERROR');
    assert.match(e.message, /^S3 GetObject s3:\/\/twin-data\/nope\/missing\.txt failed: NoSuchKey/);
    return true;
  });
});

test('bad options fail at construction; an unreachable server fails with the reason', async () => {
  assert.throws(() => new S3Bucket({ bucket: 'x' }), /bucket = "x" is not valid; expected a bucket name of 3 to 63/);
  assert.throws(
    () => new S3Bucket({ bucket: 'twin-data', endpoint: 'not a url' }),
    /endpoint = "not a url" is not valid; expected a URL/,
  );
  const down = new S3Bucket({
    bucket: 'twin-data',
    endpoint: 'http://127.0.0.1:1',
    credentials: server.credentials,
  });
  await assert.rejects(down.put('k', 'v'), /S3 PutObject s3:\/\/twin-data\/k failed: .*ECONNREFUSED/);
  down.close();
});
