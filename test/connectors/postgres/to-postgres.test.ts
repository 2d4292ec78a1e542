import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PostgresDeadLetter, PostgresSinkNode } from '../../../src/connectors/postgres/index.ts';
import { Frame } from '../../../src/frame/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';
import { closePostgres, openPostgres, type PostgresClient, uniqueTable } from '../../support/databases.ts';

let url: string;
let sql: PostgresClient;
before(async () => ({ url, sql } = await openPostgres()));
after(() => closePostgres(sql));

test('inserts by COPY into a table created from the first batch, with the inferred types', async () => {
  const table = uniqueTable('readings');
  const rows = Array.from({ length: 2500 }, (_, i) => ({
    time: Date.UTC(2026, 0, 1) + i * 1000,
    sensor: `s${i % 3}`,
    value: i / 4,
    count: i,
    meta: { line: i % 2, tags: ['a'] },
  }));
  const source = Stream.fromIterable(rows);
  const sink = source.toPostgres(url, { table, createTable: true, batchSize: 1000 });
  source.start();
  await source.done;
  assert.equal(sink.written, 2500);
  const types =
    await sql`select column_name, data_type from information_schema.columns where table_name = ${table} order by ordinal_position`;
  assert.deepEqual(
    types.map((t) => [t.column_name, t.data_type]),
    [
      ['time', 'timestamp with time zone'],
      ['sensor', 'text'],
      ['value', 'double precision'],
      ['count', 'bigint'],
      ['meta', 'jsonb'],
    ],
  );
  const [last] = await sql.unsafe(`select * from "${table}" order by count desc limit 1`);
  assert.equal((last!.time as Date).getTime(), Date.UTC(2026, 0, 1) + 2499 * 1000);
  assert.equal(last!.sensor, 's0');
  assert.equal(last!.value, 2499 / 4);
  assert.equal(last!.count, '2499');
  assert.deepEqual(last!.meta, { line: 1, tags: ['a'] });
});

test('a row that does not fit is dead-lettered with its column and reason, the rest of the batch written', async () => {
  const table = uniqueTable('fit');
  await sql.unsafe(`create table "${table}" (ts timestamptz, v double precision, n bigint, name text)`);
  const dead: PostgresDeadLetter[] = [];
  const source = Stream.fromIterable([
    { ts: 1000, v: 1.5, n: 1, name: 'a' },
    { ts: 'yesterday-ish', v: 2, n: 2, name: 'b' },
    { ts: 3000, v: 'hot', n: 3, name: 'c' },
    { ts: 4000, v: 4, n: 4.5, name: 'd' },
    { ts: new Date(5000), v: null, n: 5, name: 'e"quoted",\nline' },
  ]);
  const sink = source.toPostgres(url, { table, deadLetter: (d) => dead.push(d) });
  source.start();
  await source.done;
  assert.equal(sink.written, 2);
  assert.deepEqual(
    dead.map((d) => [d.row.name, d.column, d.reason]),
    [
      ['b', 'ts', 'expected a timestamp (ms, Date or ISO text), got the string "yesterday-ish"'],
      ['c', 'v', 'expected a number, got the string "hot"'],
      ['d', 'n', 'expected an integer, got the number 4.5'],
    ],
  );
  const rows = await sql.unsafe(`select name, v from "${table}" order by ts`);
  assert.deepEqual(
    rows.map((r) => [r.name, r.v]),
    [
      ['a', 1.5],
      ['e"quoted",\nline', null],
    ],
  );
});

test('upserts through a staging table: the last value of a key wins, within and across batches', async () => {
  const table = uniqueTable('twins');
  const rows = [];
  for (let round = 0; round < 3; round++)
    for (let k = 0; k < 50; k++) rows.push({ id: k, state: `r${round}`, level: round * 10 + k });
  const source = Stream.fromIterable(rows);
  const sink = source.toPostgres(url, { table, mode: 'upsert', key: 'id', createTable: true, batchSize: 70 });
  source.start();
  await source.done;
  assert.ok(sink.written > 0);
  const stored = await sql.unsafe(`select id, state, level from "${table}" order by id`);
  assert.equal(stored.length, 50);
  assert.ok(stored.every((r) => r.state === 'r2' && Number(r.level) === 20 + Number(r.id)));
});

test('frames are written row by row; columns given by the caller', async () => {
  const table = uniqueTable('frames');
  const frame = Frame.fromRows(
    [
      { ts: 1000, sensor: 'a', v: 1 },
      { ts: 2000, sensor: 'b', v: 2.5 },
    ],
    { time: 'ts' },
  );
  const source = Stream.fromIterable([frame]);
  source.toPostgres(url, {
    table,
    createTable: true,
    columns: { ts: 'timestamptz', sensor: 'text', v: 'double precision' },
  });
  source.start();
  await source.done;
  const rows = await sql.unsafe(`select sensor, v, extract(epoch from ts) * 1000 as ms from "${table}" order by ts`);
  assert.deepEqual(
    rows.map((r) => [r.sensor, r.v, Number(r.ms)]),
    [
      ['a', 1, 1000],
      ['b', 2.5, 2000],
    ],
  );
});

test('refuses bad options at construction, naming the field', () => {
  const s = Stream.fromIterable<Record<string, unknown>>([]);
  assert.throws(() => s.toPostgres(url, { table: '' }), /toPostgres: table = "" is not valid/);
  assert.throws(() => s.toPostgres(url, { table: 't', mode: 'upsert' }), /toPostgres: key/);
  assert.throws(() => s.toPostgres(url, { table: 't', mode: 'merge' as 'insert' }), /mode = "merge"/);
  assert.throws(
    () => s.toPostgres(url, { table: 't', columns: { a: 'int4' as 'bigint' } }),
    (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_BAD_ARGUMENT' && /columns\.a/.test(e.message),
  );
  assert.throws(() => s.toPostgres(url, { table: 't', batchSize: 0 }), /batchSize/);
});

test('a failure names the table, never the password', async () => {
  const parsed = new URL(url);
  parsed.password = 'not-the-secret-xyz';
  const source = Stream.fromIterable([{ a: 1 }]);
  const sink = source.toPostgres(parsed.toString(), { table: uniqueTable('x'), createTable: true });
  source.start();
  await assert.rejects(source.done, (e: unknown) => {
    assert.ok(e instanceof TwinstreamError);
    assert.equal(e.code, 'TS_POSTGRES');
    assert.match(e.message, /password authentication failed/);
    assert.doesNotMatch(e.message, /not-the-secret-xyz/);
    return true;
  });
  assert.ok(sink instanceof PostgresSinkNode);
  const missing = Stream.fromIterable([{ a: 1 }]);
  missing.toPostgres(url, { table: uniqueTable('absent') });
  missing.start();
  await assert.rejects(missing.done, /does not exist; create it or pass createTable: true/);
});
