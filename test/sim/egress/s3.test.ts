// S3 egress through a real S3-compatible server (s3rver on loopback): objects read back and their rows checked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { S3Bucket } from '../../../src/connectors/s3/index.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { RealtimeEnvironment, S3JsonlEgress, S3ParquetEgress } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';
import { type S3TestServer, startS3Server } from '../../connectors/s3/server.ts';

let server: S3TestServer;
let bucket: S3Bucket;
before(async () => {
  server = await startS3Server();
  bucket = new S3Bucket({ bucket: 'sim-out', endpoint: server.endpoint, credentials: server.credentials });
  await bucket.create();
});
after(async () => {
  bucket?.close();
  await server?.stop();
});

const text = async (key: string) => new TextDecoder().decode(await bucket.get(key));
const parquetRows = async (key: string) => {
  const bytes = await bucket.get(key);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file });
};

// 10 ticks: each publishes a telemetry sample and an event; batches of 8 records.
async function simulate(sinks: (S3JsonlEgress | S3ParquetEgress)[]): Promise<void> {
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: '2024-01-01T00:00:00Z' });
  env.setupEgress(sinks, { batchSize: 8 });
  env.process(
    (function* () {
      for (let i = 0; i < 10; i++) {
        env.publishTelemetry('Line_A.lathe.in_use', i % 4);
        env.publishEvent(`task-${i}`, { status: i % 2 ? 'finished' : 'queued' });
        yield env.timeout(1);
      }
    })(),
  );
  await env.run();
  await env.teardown();
}

test('JSONL and Parquet egress write one object per batch and dataset; the rows read back', async () => {
  const jsonl = new S3JsonlEgress({ client: bucket, prefix: 'run-1/jsonl' });
  const parquet = new S3ParquetEgress({
    client: bucket,
    prefix: 'run-1/parquet',
    pathRouter: (r) => {
      if (r.stream_type !== 'event') return null;
      Object.assign(r, r.value as object);
      delete r.value;
      return 'events.parquet';
    },
  });
  await simulate([jsonl, parquet]);
  // 20 records in batches of 8, 8, 4; each JSONL batch splits into telemetry and event parts.
  assert.deepEqual(await bucket.list('run-1/jsonl/'), [
    'run-1/jsonl/event/part-000000.jsonl',
    'run-1/jsonl/event/part-000001.jsonl',
    'run-1/jsonl/event/part-000002.jsonl',
    'run-1/jsonl/telemetry/part-000000.jsonl',
    'run-1/jsonl/telemetry/part-000001.jsonl',
    'run-1/jsonl/telemetry/part-000002.jsonl',
  ]);
  const lines: Record<string, unknown>[] = [];
  for (const key of jsonl.keys.filter((k) => k.includes('/telemetry/'))) {
    for (const line of (await text(key)).trim().split('\n')) lines.push(JSON.parse(line));
  }
  assert.equal(lines.length, 10);
  assert.deepEqual(lines[3], {
    stream_type: 'telemetry',
    path_id: 'Line_A.lathe.in_use',
    value: 3,
    sim_ts: 3,
    timestamp: '2024-01-01T00:00:03.000Z',
  });
  assert.deepEqual(await bucket.list('run-1/parquet/'), [
    'run-1/parquet/events/part-000000.parquet',
    'run-1/parquet/events/part-000001.parquet',
    'run-1/parquet/events/part-000002.parquet',
  ]);
  const rows = [];
  for (const key of parquet.keys) rows.push(...(await parquetRows(key)));
  assert.equal(rows.length, 10);
  assert.deepEqual(rows[1], {
    stream_type: 'event',
    key: 'task-1',
    sim_ts: 1,
    timestamp: new Date('2024-01-01T00:00:01.000Z'),
    status: 'finished',
  });
  assert.deepEqual(
    rows.map((r) => r.key),
    Array.from({ length: 10 }, (_, i) => `task-${i}`),
  );
});

test('a record that drifts from the schema of the first part is an error naming the field', async () => {
  const sink = new S3JsonlEgress({ client: bucket, prefix: 'drift', pathRouter: () => 'all' });
  await sink.write([{ stream_type: 'event', key: 'a', value: 1, sim_ts: 0, timestamp: '2024-01-01T00:00:00.000Z' }]);
  await assert.rejects(
    sink.write([{ stream_type: 'event', key: 'b', value: 'one', sim_ts: 1, timestamp: '2024-01-01T00:00:01.000Z' }]),
    (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SIM_SCHEMA_DRIFT' && /field "value"/.test(e.message),
  );
});

test('a model with s3-jsonl and s3-parquet sinks writes to the bucket', async () => {
  // The model names no credentials: the AWS SDK's usual chain finds them in the environment.
  process.env.AWS_ACCESS_KEY_ID = server.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = server.credentials.secretAccessKey;
  const spec: ModelSpec = {
    simId: 'Line_A',
    arrival: { standard: { dist: 'exponential', rate: 2 } },
    service: { milling: { dist: 'normal', mean: 2, std: 0.2, min: 0 } },
    resources: { lathe: { currentCap: 4, maxCap: 10 } },
    flows: [{ name: 'milling', arrival: 'standard', steps: [{ resource: 'lathe', service: 'milling' }] }],
    telemetry: { interval: 60 },
    run: { until: 120, logicalStartTime: '2024-01-01T00:00:00Z' },
    egress: {
      batchSize: 1000,
      sinks: [
        {
          type: 's3-parquet',
          bucket: 'sim-out',
          endpoint: server.endpoint,
          prefix: 'model',
          path: 'events',
          streams: ['event'],
          flatten: true,
        },
        {
          type: 's3-jsonl',
          bucket: 'sim-out',
          endpoint: server.endpoint,
          prefix: 'model',
          streams: ['telemetry'],
          drop: ['timestamp'],
        },
      ],
    },
  };
  const s = await runModel(spec);
  const events = (s.statuses.queued ?? 0) + (s.statuses.started ?? 0) + (s.statuses.finished ?? 0);
  const keys = await bucket.list('model/');
  const rows = [];
  for (const key of keys.filter((k) => k.endsWith('.parquet'))) rows.push(...(await parquetRows(key)));
  assert.equal(rows.length, events);
  assert.deepEqual(Object.keys(rows[0]!), [
    'stream_type',
    'key',
    'task',
    'instance',
    'sim_ts',
    'timestamp',
    'path_id',
    'status',
  ]);
  const telemetry = [];
  for (const key of keys.filter((k) => k.endsWith('.jsonl'))) {
    for (const line of (await text(key)).trim().split('\n')) telemetry.push(JSON.parse(line));
  }
  assert.equal(telemetry.length, 2 * 4);
  assert.deepEqual(telemetry[4], { stream_type: 'telemetry', path_id: 'Line_A.lathe.capacity', value: 4, sim_ts: 60 });
});
