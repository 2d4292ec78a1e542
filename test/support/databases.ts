// The PostgreSQL and Redis servers of the database tests: one of each per test process, started on first use in
// a temporary directory on a free loopback port (scripts/postgres.ts, scripts/redis.ts) and stopped when the
// process ends. POSTGRES_URL / REDIS_URL, when set, name a server to use instead.
import type postgres from 'postgres';
import type { PostgresServer } from '../../scripts/postgres.ts';
import type { RedisServer } from '../../scripts/redis.ts';

let pg: Promise<PostgresServer> | null = null;
let redis: Promise<RedisServer> | null = null;

/**
 * The connection string of this process's PostgreSQL server.
 * @example
 * const url = await postgresUrl();
 */
export async function postgresUrl(): Promise<string> {
  if (process.env.POSTGRES_URL) return process.env.POSTGRES_URL;
  pg ??= import('../../scripts/postgres.ts').then(({ startPostgres }) => startPostgres({ unref: true }));
  return (await pg).url;
}

/** A client of the `postgres` package. */
export type PostgresClient = ReturnType<typeof postgres>;

/**
 * This process's PostgreSQL server and a client on it (notices silenced), for a test file's `before` hook;
 * `closePostgres` in its `after` hook ends both.
 * @example
 * let url: string;
 * let sql: PostgresClient;
 * before(async () => ({ url, sql } = await openPostgres()));
 * after(() => closePostgres(sql));
 */
export async function openPostgres(): Promise<{ url: string; sql: PostgresClient }> {
  const url = await postgresUrl();
  const { default: connect } = await import('postgres');
  return { url, sql: connect(url, { onnotice: () => {} }) };
}

/** Ends `sql` (from `openPostgres`), then stops the servers this process started. */
export async function closePostgres(sql: PostgresClient): Promise<void> {
  await sql.end();
  await stopDatabases();
}

/**
 * The address of this process's Redis server.
 * @example
 * const url = await redisUrl();
 */
export async function redisUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  redis ??= import('../../scripts/redis.ts').then(({ startRedis }) => startRedis({ unref: true }));
  return (await redis).url;
}

/**
 * Stops the servers this process started (an `after` hook of each test file).
 * @example
 * after(stopDatabases);
 */
export async function stopDatabases(): Promise<void> {
  const stops = [pg, redis].map(async (s) => (await s)?.stop());
  pg = null;
  redis = null;
  await Promise.all(stops);
}

let counter = 0;

/**
 * A table, stream or channel name no other test uses.
 * @example
 * const table = uniqueTable('readings');
 */
export function uniqueTable(prefix: string): string {
  counter++;
  return `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}
