// `npm run redis`: starts a throwaway Redis server (Debian's `redis-server` package) for trying the Redis
// examples, prints its address, and stops it on Ctrl-C. Tests and benchmarks import `startRedis` from here.
//
//   npm run redis                       a server on 127.0.0.1:6379 (or a free port if 6379 is taken)
//   npm run redis -- --port 16379       on that port
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveFromCommandLine, startLocalServer } from './services.ts';

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
  const { port, server } = await startLocalServer({
    name: 'redis',
    cwd: dir,
    port: options.port,
    unref: options.unref,
    command: (p) => [
      'redis-server',
      '--port',
      String(p),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    timeoutMs: 20_000,
    probe: ping,
    failure: (exited, p) =>
      `redis-server ${exited ? 'exited' : 'did not answer'} on port ${p} (apt-get install redis-server)`,
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await serveFromCommandLine({
    script: 'redis',
    defaultPort: 6379,
    answers: ping,
    start: startRedis,
    banner: (redis) => [`Redis is running at ${redis.url}`, `  export REDIS_URL=${redis.url}`, 'Ctrl-C stops it.'],
  });
}
