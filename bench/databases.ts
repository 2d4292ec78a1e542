// PostgreSQL and Redis sinks side by side with the client libraries alone, against real servers this script
// starts (scripts/postgres.ts, scripts/redis.ts). Rows are {time, sensor, value, count}.
//   toPostgres (COPY)      the sink, batches of 10,000 rows, each COPY in its own transaction
//   pg COPY alone          the same rows as CSV written by hand through pg + pg-copy-streams (the sink's client),
//                          same batches, each in a transaction
//   postgres COPY alone    the same through the `postgres` client's COPY (the faster client, not used: see
//                          docs/databases.md)
//   row-by-row INSERT      one INSERT statement per row through pg (what a naive sink does)
//   toRedisStream          the sink, pipelines of 1000 XADD
//   ioredis XADD loop      a plain loop of pipelined XADD (1000 per pipeline) with the same fields
// Wall-clock rows/s, median of the runs (the machines are shared).
//   node bench/databases.ts [--quick]
import { Redis } from 'ioredis';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import postgres from 'postgres';
import '../src/connectors/postgres/index.ts';
import '../src/connectors/redis/index.ts';
import { startPostgres } from '../scripts/postgres.ts';
import { startRedis } from '../scripts/redis.ts';
import { Stream } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const N = quick ? 100_000 : 400_000;
const INSERTS = quick ? 5_000 : 20_000;
const REPS = quick ? 3 : 5;
const BATCH = 10_000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const t0 = Date.UTC(2026, 0, 1);
const rows = Array.from({ length: N }, (_, i) => ({
  time: t0 + i * 10,
  sensor: `s${i % 16}`,
  value: i * 0.25,
  count: i,
}));

const server = await startPostgres();
const pgUrl = (): string => server.url;
const redisServer = await startRedis();
const sql = postgres(server.url, { onnotice: () => {}, max: 2 });
const redis = new Redis(redisServer.url);

async function fresh(table: string): Promise<void> {
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.unsafe(`create table ${table} (time timestamptz, sensor text, value double precision, count bigint)`);
}

async function sink(): Promise<number> {
  await fresh('bench_sink');
  const start = performance.now();
  const source = Stream.fromIterable(rows);
  source.toPostgres(server.url, { table: 'bench_sink', batchSize: BATCH });
  source.start();
  await source.done;
  return N / ((performance.now() - start) / 1000);
}

function csvOf(i: number): string {
  let csv = '';
  for (let j = i; j < Math.min(N, i + BATCH); j++) {
    const r = rows[j]!;
    csv += `${new Date(r.time).toISOString()},"${r.sensor}",${r.value},${r.count}\n`;
  }
  return csv;
}

async function pgCopyAlone(): Promise<number> {
  await fresh('bench_pgcopy');
  const client = new pg.Client(pgUrl());
  await client.connect();
  const start = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const csv = csvOf(i);
    await client.query('begin');
    await new Promise<void>((resolve, reject) => {
      const stream = client.query(copyFrom('copy bench_pgcopy (time, sensor, value, count) from stdin (format csv)'));
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.end(csv);
    });
    await client.query('commit');
  }
  const rate = N / ((performance.now() - start) / 1000);
  await client.end();
  return rate;
}

async function copyAlone(): Promise<number> {
  await fresh('bench_copy');
  const start = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const csv = csvOf(i);
    await sql.begin(async (tx) => {
      const w = await tx.unsafe('copy bench_copy (time, sensor, value, count) from stdin (format csv)').writable();
      await new Promise<void>((resolve, reject) => {
        w.on('error', reject);
        w.on('finish', resolve);
        w.end(csv);
      });
    });
  }
  return N / ((performance.now() - start) / 1000);
}

async function rowByRow(): Promise<number> {
  await fresh('bench_rows');
  const client = new pg.Client(pgUrl());
  await client.connect();
  const start = performance.now();
  for (let i = 0; i < INSERTS; i++) {
    const r = rows[i]!;
    await client.query('insert into bench_rows (time, sensor, value, count) values ($1, $2, $3, $4)', [
      new Date(r.time),
      r.sensor,
      r.value,
      r.count,
    ]);
  }
  const rate = INSERTS / ((performance.now() - start) / 1000);
  await client.end();
  return rate;
}

async function redisSink(): Promise<number> {
  await redis.del('bench_sink');
  const start = performance.now();
  const source = Stream.fromIterable(rows);
  source.toRedisStream(redisServer.url, { stream: 'bench_sink', maxLen: N, batchSize: 1000 });
  source.start();
  await source.done;
  return N / ((performance.now() - start) / 1000);
}

async function redisLoop(): Promise<number> {
  await redis.del('bench_loop');
  const start = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(N, i + 1000); j++) {
      const r = rows[j]!;
      p.xadd(
        'bench_loop',
        'MAXLEN',
        '~',
        String(N),
        '*',
        'time',
        String(r.time),
        'sensor',
        r.sensor,
        'value',
        String(r.value),
        'count',
        String(r.count),
      );
    }
    await p.exec();
  }
  return N / ((performance.now() - start) / 1000);
}

const variants: [string, () => Promise<number>][] = [
  ['toPostgres (COPY)', sink],
  ['pg COPY alone', pgCopyAlone],
  ['postgres COPY alone', copyAlone],
  ['row-by-row INSERT', rowByRow],
  ['toRedisStream', redisSink],
  ['ioredis XADD loop', redisLoop],
];
const results = new Map<string, number>();
try {
  for (const [name, run] of variants) {
    await run(); // warm-up
    const xs: number[] = [];
    for (let r = 0; r < REPS; r++) xs.push(await run());
    results.set(name, median(xs));
  }
} finally {
  await sql.end();
  redis.disconnect();
  await server.stop();
  await redisServer.stop();
}
const ratio = (a: string, b: string): string => (results.get(a)! / results.get(b)!).toFixed(2);
console.log(`\nDatabases: rows/s into PostgreSQL and entries/s into a Redis Stream (${N} rows, median of ${REPS})`);
console.log('| variant | rows/s |');
console.log('| --- | ---: |');
for (const [name] of variants) console.log(`| ${name} | ${Math.round(results.get(name)!).toLocaleString('en')} |`);
console.log(`\ntoPostgres / pg COPY alone: ${ratio('toPostgres (COPY)', 'pg COPY alone')}x (target >= 0.8)`);
console.log(`toPostgres / postgres COPY alone: ${ratio('toPostgres (COPY)', 'postgres COPY alone')}x`);
console.log(`toPostgres / row-by-row INSERT: ${ratio('toPostgres (COPY)', 'row-by-row INSERT')}x`);
console.log(`toRedisStream / ioredis XADD loop: ${ratio('toRedisStream', 'ioredis XADD loop')}x`);
