import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PostgresSource } from '../../../src/connectors/postgres/index.ts';
import { Stream } from '../../../src/index.ts';
import { closePostgres, openPostgres, type PostgresClient, uniqueTable } from '../../support/databases.ts';

let url: string;
let sql: PostgresClient;
before(async () => ({ url, sql } = await openPostgres()));
after(() => closePostgres(sql));

test('without a cursor the query runs once and the source ends', async () => {
  const table = uniqueTable('once');
  await sql.unsafe(`create table "${table}" (id bigint, v double precision)`);
  await sql.unsafe(`insert into "${table}" select g, g * 0.5 from generate_series(1, 5) g`);
  const source = Stream.fromPostgres(url, { query: `select id, v from "${table}" where id > 2 order by id` });
  const got: unknown[] = [];
  source.sink((r) => void got.push([r.id, r.v]));
  source.start();
  await source.done;
  assert.deepEqual(got, [
    ['3', 1.5],
    ['4', 2],
    ['5', 2.5],
  ]);
});

test('with a cursor new rows are polled in order, after the position given', async () => {
  const table = uniqueTable('updates');
  await sql.unsafe(`create table "${table}" (id bigserial primary key, name text, value double precision)`);
  await sql.unsafe(`insert into "${table}" (name, value) values ('rate', 1), ('rate', 2)`);
  const source = new PostgresSource(url, { query: table, cursor: 'id', after: 1, pollInterval: '20ms', batchSize: 2 });
  const got: number[] = [];
  source.sink((r) => void got.push(r.value as number));
  source.start();
  const until = async (n: number): Promise<void> => {
    while (got.length < n) await new Promise((r) => setTimeout(r, 10));
  };
  await until(1);
  await sql.unsafe(`insert into "${table}" (name, value) values ('rate', 3), ('rate', 4), ('rate', 5)`);
  await until(4);
  source.stop();
  await source.done;
  assert.deepEqual(got, [2, 3, 4, 5]);
  assert.equal(source.position, '5');
});

test('refuses bad options at construction', () => {
  assert.throws(() => Stream.fromPostgres(url, { query: ' ' }), /fromPostgres: query/);
  assert.throws(() => Stream.fromPostgres(url, { query: 't', cursor: '' }), /fromPostgres: cursor/);
  assert.throws(() => Stream.fromPostgres(url, { query: 't', pollInterval: '1x' }), /pollInterval/);
});
