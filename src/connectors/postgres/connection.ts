import { TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';

/** Where a PostgreSQL server is: a `postgres://user:password@host:port/database` URL or its parts. */
export type PostgresConnection =
  | string
  | {
      host?: string;
      port?: number;
      user?: string;
      password?: string;
      database?: string;
      /** TLS: `true`, `'require'`, or Node's TLS options. */
      ssl?: boolean | 'require' | 'prefer' | Record<string, unknown>;
    };

/** The `postgres` client's `sql` function, typed as loosely as twinstream uses it. @internal */
export type Sql = any;

/**
 * Opens a client (a pool of at most `max` connections) of the `postgres` package, loaded on first use. Notices
 * are dropped: a `CREATE TABLE IF NOT EXISTS` of an existing table is not news.
 * @internal
 * @example
 * const sql = await openPostgres('postgres://localhost/postgres', 'toPostgres');
 */
export async function openPostgres(connection: PostgresConnection, feature: string, max = 2): Promise<Sql> {
  const { default: postgres } = await importOptional('postgres', feature, () => import('postgres'));
  const options = { max, onnotice: () => {}, connect_timeout: 10 };
  return typeof connection === 'string'
    ? postgres(connection, options)
    : postgres({ ...options, ...connection } as Record<string, unknown>);
}

function secretsOf(connection: PostgresConnection): string[] {
  if (typeof connection !== 'string') return connection.password ? [connection.password] : [];
  try {
    const p = decodeURIComponent(new URL(connection).password);
    return p ? [p, encodeURIComponent(p)] : [];
  } catch {
    return [];
  }
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
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secretsOf(connection)) text = text.split(secret).join('***');
  const code = (error as { code?: unknown })?.code;
  return new TwinstreamError('TS_POSTGRES', `${doing} failed: ${text}`, {
    context: { ...(typeof code === 'string' ? { pgCode: code } : {}) },
  });
}

/** Whether a failure is the connection's (lost, refused, reset), so the same statement may pass on a new one. @internal */
export function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  // 57P01 admin shutdown / terminate_backend, 08xxx connection exceptions, and Node's socket errors.
  return (
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code.startsWith('08') ||
    code === 'CONNECTION_CLOSED' ||
    code === 'CONNECTION_ENDED' ||
    code === 'CONNECTION_DESTROYED' ||
    code === 'CONNECT_TIMEOUT' ||
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
