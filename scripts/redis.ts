// `npm run redis`: starts a throwaway Redis server (Debian's `redis-server` package) for trying the Redis
// examples, prints its address, and stops it on Ctrl-C. Tests and benchmarks import `startRedis` from here.
//
//   npm run redis                       a server on 127.0.0.1:6379 (or a free port if 6379 is taken)
//   npm run redis -- --port 16379       on that port
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startGuarded, waitUntilUp } from './services.ts';

/** A running Redis server. */
export interface RedisServer {
  /** `redis://127.0.0.1:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

function ping(port: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG') ? true : d.toString());
    });
    socket.on('error', (e) => resolve(e.message));
  });
}

/** Starts `redis-server` in a temporary directory on a free loopback port, without persistence. */
export async function startRedis(options: { port?: number; unref?: boolean } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-redis-'));
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const server = startGuarded(['redis-server', ...args], {
    cwd: dir,
    log: join(tmpdir(), `twinstream-redis-${process.pid}-${port}.log`),
    ...(options.unref ? { unref: true } : {}),
  });
  await waitUntilUp(
    server,
    20_000,
    () => ping(port),
    (exited) => `redis-server ${exited ? 'exited' : 'did not answer'} on port ${port} (apt-get install redis-server)`,
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: npm run redis -- [--port 6379]');
    return;
  }
  let port = values.port === undefined ? undefined : Number(values.port);
  if (port === undefined && (await ping(6379)) !== true) port = 6379;
  const redis = await startRedis(port === undefined ? {} : { port });
  console.log(`Redis is running at ${redis.url}`);
  console.log(`  export REDIS_URL=${redis.url}`);
  console.log('Ctrl-C stops it.');
  const stop = (): void => {
    void redis.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
