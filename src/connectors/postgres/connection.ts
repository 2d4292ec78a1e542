import { TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { withoutPassword } from '../connection-password.ts';

/** Where a PostgreSQL server is: a `postgres://user:password@host:port/database` URL or its parts. */
export type PostgresConnection =
  | string
  | {
      host?: string;
      port?: number;
      user?: string;
      password?: string;
      database?: string;
      /** TLS: `true`, or Node's TLS options (`{ ca, rejectUnauthorized }`). */
      ssl?: boolean | Record<string, unknown>;
    };

/** A transaction's connection. @internal */
export interface SqlTx {
  /** Runs a statement; resolves with its rows. */
  unsafe(text: string, params?: readonly unknown[]): Promise<any[]>;
  /** `COPY … FROM STDIN` of `data`; resolves when the server confirmed it. */
  copyIn(text: string, data: string): Promise<void>;
}

/** A pool of connections, as thin as twinstream needs. @internal */
export interface Sql {
  unsafe(text: string, params?: readonly unknown[]): Promise<any[]>;
  /** Runs `fn` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  begin(fn: (tx: SqlTx) => Promise<void>): Promise<void>;
  end(options?: { timeout?: number }): Promise<void>;
}

/**
 * Opens a pool (at most `max` connections) of the `pg` client, COPY through `pg-copy-streams`, both loaded on
 * first use. Chosen over `postgres`: its COPY was faster in bench/databases.ts, and with connections cut during
 * COPY `postgres` 3.4.9 threw from a timer (an uncaught TypeError) where `pg` rejects the statement.
 * @internal
 * @example
 * const sql = await openPostgres('postgres://localhost/postgres', 'toPostgres');
 */
export async function openPostgres(connection: PostgresConnection, feature: string, max = 2): Promise<Sql> {
  const pg: any = await importOptional('pg', feature, () => import('pg'));
  const copy: any = await importOptional('pg-copy-streams', feature, () => import('pg-copy-streams'));
  const Pool = pg.Pool ?? pg.default.Pool;
  const copyFrom = copy.from ?? copy.default.from;
  const base = { max, connectionTimeoutMillis: 10_000 };
  const pool = new Pool(
    typeof connection === 'string' ? { ...base, connectionString: connection } : { ...base, ...connection },
  );
  // An idle connection that dies emits 'error' on the pool; the next statement gets a new connection.
  pool.on('error', () => {});
  return {
    async unsafe(text, params) {
      return (await pool.query(text, params as unknown[])).rows;
    },
    async begin(fn) {
      const client = await pool.connect();
      let lost: unknown = null;
      const onError = (e: unknown): void => {
        lost = e;
      };
      client.on('error', onError);
      const tx: SqlTx = {
        async unsafe(text, params) {
          return (await client.query(text, params as unknown[])).rows;
        },
        copyIn(text, data) {
          return new Promise<void>((resolve, reject) => {
            const stream = client.query(copyFrom(text));
            stream.on('error', reject);
            stream.on('finish', resolve);
            stream.end(data);
          });
        },
      };
      try {
        await client.query('begin');
        await fn(tx);
        await client.query('commit');
      } catch (error) {
        if (lost === null) await client.query('rollback').catch(() => {});
        // A connection that failed is not given back to the pool.
        client.release(lost ?? error);
        client.off('error', onError);
        throw error;
      }
      client.off('error', onError);
      client.release();
    },
    async end() {
      await pool.end();
    },
  };
}

/**
 * A `TS_POSTGRES` error for a failure of the server or the client, its message stripped of the password (a
 * client may echo the connection string).
 * @internal
 * @example
 * throw postgresError(error, connection, 'COPY into "readings"');
 */
export function postgresError(error: unknown, connection: PostgresConnection, doing: string): TwinstreamError {
  if (error instanceof TwinstreamError) return error;
  const text = withoutPassword(error instanceof Error ? error.message : String(error), connection);
  const code = (error as { code?: unknown })?.code;
  return new TwinstreamError('TS_POSTGRES', `${doing} failed: ${text}`, {
    context: { ...(typeof code === 'string' ? { pgCode: code } : {}) },
  });
}

/** Whether a failure is the connection's (lost, refused, reset), so the same statement may pass on a new one. @internal */
export function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // pg reports a socket that closed under a statement without a code, by its message.
  const message = error instanceof Error ? error.message : '';
  if (/Connection terminated|connection error|not queryable|Client was closed/i.test(message)) return true;
  if (typeof code !== 'string') return false;
  // 57P01 admin shutdown / terminate_backend, 08xxx connection exceptions, and Node's socket errors.
  return (
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code.startsWith('08') ||
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'EPIPE'
  );
}

/**
 * A quoted SQL identifier: `readings` → `"readings"`, `public.readings` → `"public"."readings"`.
 * @internal
 * @example
 * quoteIdent('public.readings'); // '"public"."readings"'
 */
export function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
