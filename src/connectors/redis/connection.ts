import { TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { withoutPassword } from '../connection-password.ts';

/** Where a Redis server is: a `redis://[user:password@]host:port[/db]` URL (`rediss://` for TLS) or its parts. */
export type RedisConnection =
  | string
  | {
      host?: string;
      port?: number;
      username?: string;
      password?: string;
      db?: number;
      /** TLS: Node's TLS options (`{}` for the defaults). */
      tls?: Record<string, unknown>;
    };

/** An `ioredis` client, typed as loosely as twinstream uses it. @internal */
export type RedisClient = any;

/**
 * Opens a client of the `ioredis` package, loaded on first use. It reconnects by itself; commands sent while it
 * is away wait (up to 20 retries each) rather than fail.
 * @internal
 * @example
 * const redis = await openRedis('redis://localhost:6379', 'toRedisStream');
 */
export async function openRedis(connection: RedisConnection, feature: string): Promise<RedisClient> {
  const mod: any = await importOptional('ioredis', feature, () => import('ioredis'));
  const Redis = mod.Redis ?? mod.default?.Redis ?? mod.default;
  const options = { maxRetriesPerRequest: 20, lazyConnect: false, enableAutoPipelining: false };
  const client =
    typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...options, ...connection });
  // Errors reach the commands that fail; the client's own 'error' events (reconnecting) are not news.
  client.on('error', () => {});
  return client;
}

/**
 * A `TS_REDIS` error, its message stripped of the password.
 * @internal
 * @example
 * throw redisError(error, connection, 'XADD to "events"');
 */
export function redisError(error: unknown, connection: RedisConnection, doing: string): TwinstreamError {
  if (error instanceof TwinstreamError) return error;
  const text = withoutPassword(error instanceof Error ? error.message : String(error), connection);
  return new TwinstreamError('TS_REDIS', `${doing} failed: ${text}`);
}

/** Refuses a connection that is neither a URL nor an object. @internal */
export function isRedisConnection(c: unknown): c is RedisConnection {
  return typeof c === 'string' || (c !== null && typeof c === 'object');
}
