// Keycloak, the OpenID Connect server Apicurio Registry 2.x authenticates its users against, for the tests of the
// schema registry client's basic authentication: Apicurio takes HTTP basic credentials as an OAuth client id and
// secret and exchanges them for a token at Keycloak (client credentials grant), so a registry that checks basic
// auth needs both. Keycloak's server distribution is on Maven Central; it comes like the Kafka broker and the
// registry: through Maven, once, into the cache.
//
//   ~/.cache/twinstream/keycloak-24.0.5/   the unpacked distribution (bin/kc.sh; runs on Java 17)
//
// It runs in development mode with an in-memory database: nothing outlives it, and every start has a new admin
// password; realms and clients are made through its admin REST API once it answers.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Keycloak release. */
export const KEYCLOAK_VERSION = '24.0.5';

const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;

function cacheRoot(): string {
  if (process.env.TWINSTREAM_KAFKA_CACHE) return process.env.TWINSTREAM_KAFKA_CACHE;
  const xdg = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(xdg, 'twinstream');
}

/**
 * Makes sure Keycloak's distribution is unpacked in the cache (fetched with Maven the first time, 177 MB) and
 * returns its directory. Throws an error naming the missing tool (Maven, unzip).
 *
 * @example
 * const home = installKeycloak();
 */
export function installKeycloak(): string {
  const home = join(cacheRoot(), `keycloak-${KEYCLOAK_VERSION}`);
  if (existsSync(join(home, 'bin', 'kc.sh'))) return home;
  mkdirSync(cacheRoot(), { recursive: true });
  const mvn = process.env.MVN ?? 'mvn';
  const fetch = spawnSync(mvn, ['-q', '-B', 'dependency:get', `-Dartifact=${ARTIFACT}`, '-Dtransitive=false'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const local = join(
    process.env.MAVEN_REPO ?? join(homedir(), '.m2', 'repository'),
    'org/keycloak/keycloak-quarkus-dist',
    KEYCLOAK_VERSION,
    `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`,
  );
  if (fetch.error || fetch.status !== 0 || !existsSync(local)) {
    const output = `${fetch.stdout ?? ''}${fetch.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `could not fetch ${ARTIFACT} from Maven Central with "${mvn}" (${fetch.error?.message ?? `exit ${fetch.status}`}); is Maven 3 installed and Maven Central reachable?\n${output}`,
    );
  }
  // Unpacked next to the final place and renamed: a concurrent installer sees nothing or everything.
  const staging = `${home}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const unzip = spawnSync('unzip', ['-q', local, '-d', staging], { encoding: 'utf8' });
  if (unzip.error || unzip.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not unpack ${local} with unzip: ${unzip.error?.message ?? unzip.stderr}`);
  }
  try {
    renameSync(join(staging, `keycloak-${KEYCLOAK_VERSION}`), home);
  } catch (error) {
    if (!existsSync(join(home, 'bin', 'kc.sh'))) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return home;
}

/** A confidential OAuth client that may use the client credentials grant: its id and secret. */
export interface ServiceClient {
  clientId: string;
  secret: string;
}

/** A running Keycloak, as {@link startKeycloak} returns it. */
export interface KeycloakServer {
  /** Its base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /**
   * Makes a realm with `bearerOnly` clients (resource servers such as a registry, which only check tokens) and
   * `services` (clients with a secret and the client credentials grant).
   */
  createRealm(realm: string, clients: { bearerOnly?: string[]; services?: ServiceClient[] }): Promise<void>;
  /** Its log file. */
  log: string;
  /** Stops it (closes its guard's input, which ends the JVM; SIGKILL to the guard after 10 s). */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as import('node:net').AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function secret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
}

/**
 * Starts Keycloak in development mode (in-memory database) on a free loopback port and waits until it answers.
 * It is ended when this process ends, however it ends. The first start of an install builds its server (~15 s
 * more).
 *
 * @example
 * const keycloak = await startKeycloak();
 * await keycloak.createRealm('registry', { services: [{ clientId: 'app', secret: 's3cret' }] });
 * await keycloak.stop();
 */
export async function startKeycloak(options: { startTimeout?: number; unref?: boolean } = {}): Promise<KeycloakServer> {
  const home = installKeycloak();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const adminPassword = secret();
  const log = join(tmpdir(), `twinstream-keycloak-${process.pid}-${port}.log`);
  const fd = openSync(log, 'w');
  // As for the registry (scripts/schema-registry.ts): a shell runs Keycloak and kills it as soon as its standard
  // input (a pipe from this process) closes, which stop() does and the kernel does when this process dies.
  const guard =
    'exec 3<&0; "$@" </dev/null & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid; status=$?; exit $status';
  const child: ChildProcess = spawn(
    'sh',
    [
      '-c',
      guard,
      'sh',
      join(home, 'bin', 'kc.sh'),
      'start-dev',
      '--db=dev-mem',
      `--http-port=${port}`,
      '--http-host=127.0.0.1',
      '--log-level=WARN',
    ],
    {
      cwd: home,
      stdio: ['pipe', fd, fd],
      env: {
        ...process.env,
        KEYCLOAK_ADMIN: 'admin',
        KEYCLOAK_ADMIN_PASSWORD: adminPassword,
        JAVA_OPTS: '-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1',
      },
    },
  );
  closeSync(fd);
  if (options.unref) {
    child.unref();
    (child.stdin as unknown as { unref(): void }).unref();
  }
  let exited = false;
  const done = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
    child.on('error', () => {
      exited = true;
      resolve();
    });
  });
  const onExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (!exited) {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(log, { force: true });
  };

  const adminToken = async (): Promise<string> => {
    const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'admin-cli',
        username: 'admin',
        password: adminPassword,
        grant_type: 'password',
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`Keycloak refused its admin (HTTP ${response.status})`);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const createRealm: KeycloakServer['createRealm'] = async (realm, clients) => {
    const body = {
      realm,
      enabled: true,
      clients: [
        ...(clients.bearerOnly ?? []).map((clientId) => ({ clientId, enabled: true, bearerOnly: true })),
        ...(clients.services ?? []).map((c) => ({
          clientId: c.clientId,
          secret: c.secret,
          enabled: true,
          publicClient: false,
          serviceAccountsEnabled: true,
          standardFlowEnabled: false,
          directAccessGrantsEnabled: false,
        })),
      ],
    };
    const response = await fetch(`${url}/admin/realms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await adminToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status !== 201) {
      throw new Error(`Keycloak did not create realm "${realm}" (HTTP ${response.status}: ${await response.text()})`);
    }
  };

  const deadline = Date.now() + (options.startTimeout ?? 180_000);
  let last = '';
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${url}/realms/master/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) return { url, createRealm, log, stop };
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const text = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
  await stop();
  throw new Error(`Keycloak did not start at ${url} (${exited ? 'it exited' : `last: ${last}`}):\n${text}`);
}
