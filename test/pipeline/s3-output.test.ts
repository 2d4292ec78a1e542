// The s3 output of a pipeline file against a real S3-compatible server (s3rver): credentials from the usual AWS
// environment variables, one object per finished file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { S3Bucket } from '../../src/connectors/s3/index.ts';
import { runPipeline } from '../../src/pipeline/index.ts';
import { type S3TestServer, startS3Server } from '../connectors/s3/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-pipeline-s3-'));
let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('readings to JSON Lines objects in a bucket, under a prefix, rolled every 2 rows', async () => {
  process.env.AWS_ACCESS_KEY_ID = server.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = server.credentials.secretAccessKey;
  const bucket = new S3Bucket({ bucket: 'pipeline-out', endpoint: server.endpoint, credentials: server.credentials });
  await bucket.create();
  const rows = [1, 2, 3, 4, 5].map((i) => ({ sensor: 's', timestamp: i * 1000, v: i }));
  writeFileSync(join(dir, 'in.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  writeFileSync(
    join(dir, 's3.yaml'),
    `inputs:
  - { type: jsonl, path: in.jsonl }
outputs:
  - type: s3
    bucket: pipeline-out
    endpoint: \${S3_ENDPOINT}
    prefix: run-1/
    path: readings.jsonl
    format: jsonl
    rollRows: 2
`,
  );
  process.env.S3_ENDPOINT = server.endpoint;
  const summary = await runPipeline(join(dir, 's3.yaml'));
  assert.equal(summary.emitted, 5);
  const keys = (await bucket.list('run-1/')).sort();
  assert.equal(keys.length, 3, keys.join(', '));
  const text = (await Promise.all(keys.map(async (k) => new TextDecoder().decode(await bucket.get(k))))).join('');
  assert.deepEqual(
    text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .sort((a, b) => a.v - b.v),
    rows,
  );
  bucket.close();
});
