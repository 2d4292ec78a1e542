// The connection of a sink is cut in the middle of its batches (pg_terminate_backend from another session, as a
// server restart or a failover does): the batch in flight was rolled back, and the sink writes it again on a new
// connection, so nothing is lost, and in upsert mode nothing is doubled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import '../../../src/connectors/postgres/index.ts';
import { Stream } from '../../../src/index.ts';
import { closePostgres, type PostgresClient, postgresUrl, uniqueTable } from '../../support/databases.ts';

// A database of its own, so that cutting every session in it touches no other test on a shared server.
const database = uniqueTable('lost');
let url: string;
let sql: PostgresClient;
before(async () => {
  const server = await postgresUrl();
  const admin = postgres(server, { onnotice: () => {} });
  await admin.unsafe(`create database "${database}"`);
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${database}`;
  url = u.toString();
  sql = postgres(url, { onnotice: () => {} });
});
after(() => closePostgres(sql));

async function cutWhileWriting(table: string, mode: 'insert' | 'upsert'): Promise<number> {
  const rows = Array.from({ length: 60_000 }, (_, i) => ({ id: i % 20_000, seq: i, payload: 'x'.repeat(50) }));
  const source = Stream.fromIterable(rows);
  const sink = source.toPostgres(url, {
    table,
    mode,
    ...(mode === 'upsert' ? { key: 'id' } : {}),
    createTable: true,
    batchSize: 5000,
  });
  let cuts = 0;
  const killer = (async () => {
    // Terminate the sink's sessions a few times while batches are going through.
    while (cuts < 3 && sink.written < 60_000) {
      await new Promise((r) => setTimeout(r, 30));
      const killed = await sql`
        select pg_terminate_backend(pid) as t from pg_stat_activity
        where pid <> pg_backend_pid() and datname = current_database() and backend_type = 'client backend'
          and (query ilike 'copy%' or query ilike '%twinstream_stage%')`;
      if (killed.some((k) => k.t === true)) cuts++;
    }
  })();
  source.start();
  await source.done;
  await killer;
  return cuts;
}

test('insert mode: a lost connection mid-batch loses nothing', async () => {
  const table = uniqueTable('lost_insert');
  const cuts = await cutWhileWriting(table, 'insert');
  assert.ok(cuts >= 1, 'the connection was cut at least once');
  const [{ n, distinct }] = await sql.unsafe(
    `select count(*)::int as n, count(distinct seq)::int as distinct from "${table}"`,
  );
  assert.equal(n, 60_000);
  assert.equal(distinct, 60_000);
});

test('upsert mode: a lost connection mid-batch loses nothing and doubles nothing', async () => {
  const table = uniqueTable('lost_upsert');
  const cuts = await cutWhileWriting(table, 'upsert');
  assert.ok(cuts >= 1, 'the connection was cut at least once');
  const [{ n, last }] = await sql.unsafe(`select count(*)::int as n, min(seq)::int as last from "${table}"`);
  assert.equal(n, 20_000);
  assert.equal(last, 40_000, 'every key holds its last value');
});
