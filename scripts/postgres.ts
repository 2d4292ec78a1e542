// `npm run postgres`: starts a throwaway PostgreSQL server (Debian's `postgresql` package) for trying the database
// examples, prints its connection string, and stops it cleanly on Ctrl-C. Tests and benchmarks import
// `startPostgres` from here.
//
//   npm run postgres                    a server on 127.0.0.1:5432 (or a free port if 5432 is taken)
//   npm run postgres -- --port 15432    on that port
//
// PostgreSQL refuses to run as root: run as root, the server runs as an unprivileged user created for it
// (`twinstream-pg`), through `setpriv`, which execs so that the guard's signal reaches the server itself.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveFromCommandLine, startLocalServer, tcpAccepts } from './services.ts';

const SERVICE_USER = 'twinstream-pg';

/** A running PostgreSQL server. */
export interface PostgresServer {
  /** `postgres://user:password@127.0.0.1:port/postgres`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** The folder of Debian's PostgreSQL programs (the newest major version installed). */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'postgres'))) return join(root, v, 'bin');
  throw new Error('PostgreSQL is not installed: apt-get install postgresql (Debian) provides /usr/lib/postgresql');
}

function serviceUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  let id = spawnSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' });
  if (id.status !== 0) {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER]);
    id = spawnSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error(`could not create the user ${SERVICE_USER} to run PostgreSQL as`);
  }
  const gid = spawnSync('id', ['-g', SERVICE_USER], { encoding: 'utf8' });
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function asUser(user: { uid: number; gid: number } | null, command: string[]): string[] {
  return user === null
    ? command
    : ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', ...command];
}

/**
 * Starts a PostgreSQL server in a temporary directory on a free loopback port, with password authentication
 * (scram-sha-256) for the user `twinstream`, fsync off (a throwaway server). `unref`: does not keep this process
 * alive.
 */
export async function startPostgres(options: { port?: number; unref?: boolean } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  const user = serviceUser();
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-pg-'));
  const data = join(dir, 'data');
  const password = `pw${Math.random().toString(36).slice(2, 12)}`;
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (user !== null) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  const initdb = asUser(user, [
    join(bin, 'initdb'),
    ...['-D', data, '-U', 'twinstream', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8'],
    ...['--no-sync', '--locale=C'],
  ]);
  const init = spawnSync(initdb[0] as string, initdb.slice(1), { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.error?.message ?? ''}${init.stderr}`);
  }
  const { port, server } = await startLocalServer({
    name: 'pg',
    cwd: dir,
    port: options.port,
    unref: options.unref,
    command: (p) =>
      asUser(user, [
        join(bin, 'postgres'),
        ...['-D', data, '-h', '127.0.0.1', '-p', String(p), '-k', dir],
        ...[
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=200',
        ],
      ]),
    timeoutMs: 30_000,
    probe: tcpAccepts,
    failure: (exited, p) => `PostgreSQL ${exited ? 'exited' : 'did not start'} on port ${p}`,
  });
  // Accepting TCP is not yet accepting logins: wait for a query to pass.
  const psql = join(bin, 'psql');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = spawnSync(
      psql,
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'twinstream', '-d', 'postgres', '-c', 'select 1'],
      {
        env: { ...process.env, PGPASSWORD: password },
        stdio: 'ignore',
      },
    );
    if (r.status === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url: `postgres://twinstream:${password}@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    user: 'twinstream',
    password,
    database: 'postgres',
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await serveFromCommandLine({
    script: 'postgres',
    defaultPort: 5432,
    answers: tcpAccepts,
    start: startPostgres,
    banner: (pg) => [
      `PostgreSQL is running at 127.0.0.1:${pg.port}`,
      `  export POSTGRES_URL=${pg.url}`,
      'Ctrl-C stops it and removes its data.',
    ],
  });
}
