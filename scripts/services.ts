// What the services of the tests share: for the Java ones from Maven Central (the schema registry, Keycloak) the
// cache they are unpacked into and their download; for all, a free port, a process that cannot outlive the one
// that started it, and (the local database servers) starting one and its command line.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Where twinstream caches what it fetches (`TWINSTREAM_KAFKA_CACHE`, else `$XDG_CACHE_HOME/twinstream`). */
export function cacheRoot(): string {
  if (process.env.TWINSTREAM_KAFKA_CACHE) return process.env.TWINSTREAM_KAFKA_CACHE;
  const xdg = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(xdg, 'twinstream');
}

/**
 * Fetches `groupId:artifactId:version:type[:classifier]` into the local Maven repository (once) and unpacks it
 * with `unpack` (`tar` or `unzip`) into `home`: unpacked next to it and renamed, so that a concurrent installer
 * sees nothing or everything. `inner` is the folder of the archive that becomes `home` (none: the archive's root).
 * Throws an error naming the missing tool.
 */
export function installFromMaven(artifact: string, home: string, unpack: 'tar' | 'unzip', inner?: string): void {
  const [group, id, version, type, classifier] = artifact.split(':') as [string, string, string, string, string?];
  mkdirSync(cacheRoot(), { recursive: true });
  const mvn = process.env.MVN ?? 'mvn';
  const fetch = spawnSync(mvn, ['-q', '-B', 'dependency:get', `-Dartifact=${artifact}`, '-Dtransitive=false'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const local = join(
    process.env.MAVEN_REPO ?? join(homedir(), '.m2', 'repository'),
    ...group.split('.'),
    id,
    version,
    `${id}-${version}${classifier ? `-${classifier}` : ''}.${type}`,
  );
  if (fetch.error || fetch.status !== 0 || !existsSync(local)) {
    const output = `${fetch.stdout ?? ''}${fetch.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `could not fetch ${artifact} from Maven Central with "${mvn}" (${fetch.error?.message ?? `exit ${fetch.status}`}); is Maven 3 installed and Maven Central reachable?\n${output}`,
    );
  }
  const staging = `${home}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const args = unpack === 'tar' ? ['xzf', local, '-C', staging] : ['-q', local, '-d', staging];
  const unpacked = spawnSync(unpack, args, { encoding: 'utf8' });
  try {
    if (unpacked.error || unpacked.status !== 0) {
      throw new Error(`could not unpack ${local} with ${unpack}: ${unpacked.error?.message ?? unpacked.stderr}`);
    }
    try {
      renameSync(inner ? join(staging, inner) : staging, home);
    } catch (error) {
      if (!existsSync(home)) throw error; // else another installer was first
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as import('node:net').AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A service process started by {@link startGuarded}. */
export interface GuardedProcess {
  /** Its log file (standard output and error). */
  readonly log: string;
  /** True once it exited. */
  exited(): boolean;
  /** Closes its guard's input, which ends the service; SIGKILL to the guard after 10 s. Removes the log. */
  stop(): Promise<void>;
}

/**
 * Runs `command` so that it cannot outlive this process, however this one ends: a shell starts it and kills it as
 * soon as its standard input (a pipe from this process) closes, which `stop()` does and the kernel does when this
 * process dies. Output goes to `log`. With `unref`, it does not keep this process alive.
 */
export function startGuarded(
  command: string[],
  options: { cwd: string; log: string; env?: NodeJS.ProcessEnv; unref?: boolean },
): GuardedProcess {
  const fd = openSync(options.log, 'w');
  const guard =
    'exec 3<&0; "$@" </dev/null & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid; status=$?; exit $status';
  const child: ChildProcess = spawn('sh', ['-c', guard, 'sh', ...command], {
    cwd: options.cwd,
    stdio: ['pipe', fd, fd],
    ...(options.env ? { env: options.env } : {}),
  });
  closeSync(fd);
  if (options.unref) {
    child.unref();
    (child.stdin as unknown as { unref(): void }).unref();
  }
  let exited = false;
  const done = new Promise<void>((resolve) => {
    const end = (): void => {
      exited = true;
      resolve();
    };
    child.on('exit', end);
    child.on('error', end);
  });
  const onExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  return {
    log: options.log,
    exited: () => exited,
    async stop() {
      process.off('exit', onExit);
      if (!exited) {
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await done;
        clearTimeout(timer);
      }
      rmSync(options.log, { force: true });
    },
  };
}

/**
 * Asks `probe` every 250 ms until it answers `true`, the process exits, or `timeoutMs` pass. On failure, stops
 * the process and throws `failure(exited, last)` with the last 30 lines of its log; `last` is the probe's last
 * answer (a string) or error.
 */
export async function waitUntilUp(
  service: GuardedProcess,
  timeoutMs: number,
  probe: () => Promise<true | string>,
  failure: (exited: boolean, last: string) => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline && !service.exited()) {
    try {
      const answer = await probe();
      if (answer === true) return;
      last = answer;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const text = existsSync(service.log)
    ? readFileSync(service.log, 'utf8').split('\n').slice(-30).join('\n')
    : '(no log)';
  const exited = service.exited();
  await service.stop();
  throw new Error(`${failure(exited, last)}\n${text}`);
}

/** Whether something accepts TCP connections on a loopback port: `true`, or the connection's error. */
export function tcpAccepts(port: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', (e) => resolve(e.message));
  });
}

/** How {@link startLocalServer} starts one server program. */
export interface LocalServerOptions {
  /** Names its log file (`twinstream-<name>-<pid>-<port>.log` in the temporary folder). */
  name: string;
  /** Its working folder. */
  cwd: string;
  /** The port (default: a free loopback one). */
  port?: number | undefined;
  /** Does not keep this process alive. */
  unref?: boolean | undefined;
  /** The command line, given the port. */
  command: (port: number) => string[];
  /** How long it may take to answer `probe`. */
  timeoutMs: number;
  /** Asked until it answers `true` (see {@link waitUntilUp}). */
  probe: (port: number) => Promise<true | string>;
  /** The error's first line when it did not come up (`exited`: it ended). */
  failure: (exited: boolean, port: number) => string;
}

/**
 * Starts a server program on a port (a free loopback one unless given) so that it cannot outlive this process
 * ({@link startGuarded}, its output in a log file), and waits until `probe` answers; a server that does not come
 * up is stopped and reported with the end of its log. What the local database servers of the tests share.
 */
export async function startLocalServer(
  options: LocalServerOptions,
): Promise<{ readonly port: number; readonly server: GuardedProcess }> {
  const port = options.port ?? (await freePort());
  const server = startGuarded(options.command(port), {
    cwd: options.cwd,
    log: join(tmpdir(), `twinstream-${options.name}-${process.pid}-${port}.log`),
    ...(options.unref ? { unref: true } : {}),
  });
  await waitUntilUp(
    server,
    options.timeoutMs,
    () => options.probe(port),
    (exited) => options.failure(exited, port),
  );
  return { port, server };
}

/**
 * The command line of a script that starts a throwaway server for trying examples (`npm run redis -- --port N`):
 * on `--port`, else on `defaultPort` when nothing answers `answers` there, else on a free port; prints `banner`,
 * and stops the server on Ctrl-C or SIGTERM.
 */
export async function serveFromCommandLine<S extends { stop(): Promise<void> }>(options: {
  script: string;
  defaultPort: number;
  answers: (port: number) => Promise<true | string>;
  start: (options: { port?: number }) => Promise<S>;
  banner: (server: S) => string[];
}): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(`usage: npm run ${options.script} -- [--port ${options.defaultPort}]`);
    return;
  }
  let port = values.port === undefined ? undefined : Number(values.port);
  if (port === undefined && (await options.answers(options.defaultPort)) !== true) port = options.defaultPort;
  const server = await options.start(port === undefined ? {} : { port });
  for (const line of options.banner(server)) console.log(line);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
