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
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot, freePort, installFromMaven, startGuarded, waitUntilUp } from './services.ts';

/** The Keycloak release. */
export const KEYCLOAK_VERSION = '24.0.5';

const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;

/**
 * Makes sure Keycloak's distribution is unpacked in the cache (fetched with Maven the first time, 177 MB) and
 * returns its directory. Throws an error naming the missing tool (Maven, unzip).
 *
 * @example
 * const home = installKeycloak();
 */
export function installKeycloak(): string {
  const home = join(cacheRoot(), `keycloak-${KEYCLOAK_VERSION}`);
  if (!existsSync(join(home, 'bin', 'kc.sh')))
    installFromMaven(ARTIFACT, home, 'unzip', `keycloak-${KEYCLOAK_VERSION}`);
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
  // As for the registry: a shell runs Keycloak and kills it as soon as this process stops or ends.
  const service = startGuarded(
    [
      join(home, 'bin', 'kc.sh'),
      'start-dev',
      '--db=dev-mem',
      `--http-port=${port}`,
      '--http-host=127.0.0.1',
      '--log-level=WARN',
    ],
    {
      cwd: home,
      log,
      env: {
        ...process.env,
        KEYCLOAK_ADMIN: 'admin',
        KEYCLOAK_ADMIN_PASSWORD: adminPassword,
        JAVA_OPTS: '-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1',
      },
      ...(options.unref ? { unref: true } : {}),
    },
  );

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

  await waitUntilUp(
    service,
    options.startTimeout ?? 180_000,
    async () => {
      const response = await fetch(`${url}/realms/master/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.ok ? true : `HTTP ${response.status}`;
    },
    (exited, last) => `Keycloak did not start at ${url} (${exited ? 'it exited' : `last: ${last}`}):`,
  );
  return { url, createRealm, log, stop: () => service.stop() };
}
