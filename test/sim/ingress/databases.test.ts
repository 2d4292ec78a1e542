// Parameter updates from Redis Pub/Sub and from a polled PostgreSQL table change a paced simulation while it runs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { PostgresParameterIngress, RedisParameterIngress, type Rejection } from '../../../src/sim/index.ts';
import { postgresUrl, redisUrl, stopDatabases, uniqueTable } from '../../support/databases.ts';
import { ARRIVAL, gapsAfterChange, pacedTwin } from './paced.ts';

let pgUrl: string;
let rUrl: string;
before(async () => {
  [pgUrl, rUrl] = await Promise.all([postgresUrl(), redisUrl()]);
});
after(stopDatabases);

test('Redis Pub/Sub: updates apply while the simulation runs; bad ones are rejected with their reason', async () => {
  const twin = pacedTwin();
  const rejections: Rejection[] = [];
  const channel = uniqueTable('params');
  const ingress = new RedisParameterIngress(twin.env.registry, rUrl, { channel, onReject: (r) => rejections.push(r) });
  await ingress.start();
  const redis = new Redis(rUrl);
  await twin.until(() => twin.env.now >= 10, 'simulated time 10');
  await redis.publish(channel, '{not json');
  await redis.publish(channel, JSON.stringify({ path: `${ARRIVAL}.value`, value: 0.5 }));
  await twin.until(() => twin.changes.length === 1, 'the update');
  const changedAt = twin.changes[0]!;
  await twin.until(() => twin.env.now >= changedAt + 10, '10 simulated units after the change');
  await twin.stop();
  await ingress.stop();
  redis.disconnect();
  assert.deepEqual(ingress.counters, { received: 2, applied: 1, rejected: 1 });
  assert.deepEqual(
    rejections.map((r) => [r.source, r.code]),
    [[`redis:${channel}`, 'TS_SIM_BAD_UPDATE']],
  );
  assert.ok(gapsAfterChange(twin.arrivals, changedAt, 0.5) >= 15);
});

test('PostgreSQL: rows of the updates table are applied in id order and marked is_applied', async () => {
  const twin = pacedTwin();
  const table = uniqueTable('parameter_updates');
  const rejections: Rejection[] = [];
  const ingress = new PostgresParameterIngress(twin.env.registry, pgUrl, {
    table,
    pollInterval: '50ms',
    onReject: (r) => rejections.push(r),
  });
  await ingress.start();
  const sql = postgres(pgUrl, { onnotice: () => {} });
  await twin.until(() => twin.env.now >= 10, 'simulated time 10');
  await sql.unsafe(
    `insert into "${table}" (path, value) values ('Line_A.arrival.nope.value', '1'), ($1, '0.25'), ($1, '0.5')`,
    [`${ARRIVAL}.value`],
  );
  await twin.until(() => twin.changes.length === 2, 'the updates');
  const changedAt = twin.changes[1]!;
  await twin.until(() => twin.env.now >= changedAt + 10, '10 simulated units after the change');
  await twin.stop();
  await ingress.stop();
  const [{ pending }] = await sql.unsafe(`select count(*)::int as pending from "${table}" where not is_applied`);
  await sql.end();
  assert.equal(pending, 0);
  assert.deepEqual(ingress.counters, { received: 3, applied: 2, rejected: 1 });
  assert.equal(rejections[0]!.code, 'TS_SIM_UNKNOWN_PARAMETER');
  assert.equal(twin.env.registry.get(`${ARRIVAL}.value`), 0.5);
  assert.ok(gapsAfterChange(twin.arrivals, changedAt, 0.5) >= 15);
});
