// The simulation writes its records to PostgreSQL and to a Redis Stream (real servers the test setup starts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { type EgressSink, PostgresEgress, RealtimeEnvironment, RedisStreamEgress } from '../../../src/sim/index.ts';
import { postgresUrl, redisUrl, stopDatabases, uniqueTable } from '../../support/databases.ts';

let pgUrl: string;
let rUrl: string;
before(async () => {
  [pgUrl, rUrl] = await Promise.all([postgresUrl(), redisUrl()]);
});
after(stopDatabases);

function run(sinks: EgressSink[]): Promise<void> {
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: Date.parse('2024-01-01T00:00:00Z') });
  env.setupEgress(sinks, { batchSize: 100 });
  env.process(
    (function* () {
      for (let i = 0; i < 250; i++) {
        env.publishTelemetry('Line_A.lathe.queue', i % 7);
        env.publishEvent(`task-${i}`, { status: 'finished' });
        yield env.timeout(1);
      }
    })(),
  );
  return env.run().then(() => env.teardown());
}

test('records go to a PostgreSQL table created for them and to a Redis Stream', async () => {
  const table = uniqueTable('sim_records');
  const stream = uniqueTable('sim');
  const pg = new PostgresEgress(pgUrl, { table });
  const redisEgress = new RedisStreamEgress(rUrl, { stream });
  await run([pg, redisEgress]);
  assert.equal(pg.sink.written, 500);
  assert.equal(redisEgress.sink.written, 500);

  const sql = postgres(pgUrl, { onnotice: () => {} });
  const rows = await sql.unsafe(
    `select stream_type, path_id, key, value, sim_ts, timestamp from "${table}" where sim_ts = 8 order by stream_type`,
  );
  await sql.end();
  assert.deepEqual(
    rows.map((r) => [r.stream_type, r.path_id, r.key, r.value, r.sim_ts, (r.timestamp as Date).toISOString()]),
    [
      ['event', null, 'task-8', { status: 'finished' }, 8, '2024-01-01T00:00:08.000Z'],
      ['telemetry', 'Line_A.lathe.queue', null, 1, 8, '2024-01-01T00:00:08.000Z'],
    ],
  );
  const redis = new Redis(rUrl);
  const [[, fields]] = (await redis.xrange(stream, '-', '+', 'COUNT', 1)) as [string, string[]][];
  assert.equal(await redis.xlen(stream), 500);
  redis.disconnect();
  assert.deepEqual(fields.slice(0, 4), ['stream_type', 'telemetry', 'path_id', 'Line_A.lathe.queue']);
});

test('a batch larger than what the sink holds goes through whole and in order, written batch after batch', async () => {
  const stream = uniqueTable('sim_big');
  const egress = new RedisStreamEgress(rUrl, { stream });
  const record = (i: number) => ({
    stream_type: 'event' as const,
    key: `task-${i}`,
    value: { i },
    sim_ts: i,
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 60)).toISOString(),
  });
  await egress.write(Array.from({ length: 5000 }, (_, i) => record(i)));
  await egress.write(Array.from({ length: 10 }, (_, i) => record(5000 + i)));
  // Each write ends flushed: everything is in the stream before close.
  const redis = new Redis(rUrl);
  assert.equal(await redis.xlen(stream), 5010);
  const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
  redis.disconnect();
  const keys = entries.map(([, f]) => f[f.indexOf('key') + 1]);
  assert.deepEqual(
    keys,
    Array.from({ length: 5010 }, (_, i) => `task-${i}`),
  );
  await egress.close();
  assert.equal(egress.sink.written, 5010);
});
