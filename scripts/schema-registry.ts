// A Confluent-compatible schema registry for the Avro tests and for trying Avro by hand
// (`node scripts/schema-registry.ts`): Apicurio Registry, whose `/apis/ccompat/v7` API is the Confluent Schema
// Registry's REST API, with its schemas in memory. Karapace, Aiven's Confluent-compatible registry, is not on the
// Python package index this project's machines reach, and Confluent's own registry is not on Maven Central;
// Apicurio's self-contained distribution is, so it comes like the Kafka broker: through Maven, once, into the cache.
//
//   ~/.cache/twinstream/apicurio-registry-2.6.13.Final/
//     apicurio-registry-app-2.6.13.Final-runner.jar, lib/   the unpacked distribution (Java 17)
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot, freePort, installFromMaven, startGuarded, waitUntilUp } from './services.ts';

/** The Apicurio Registry release: the newest that runs on Java 17 (3.x needs Java 21). */
export const REGISTRY_VERSION = '2.6.13.Final';

const ARTIFACT = `io.apicurio:apicurio-registry-app:${REGISTRY_VERSION}:tar.gz:all`;

/** Where the registry is installed and how to start it. */
export interface RegistryInstall {
  home: string;
  java: string;
  jar: string;
}

/**
 * Makes sure the registry's distribution is unpacked in the cache (fetched with Maven the first time, about
 * 150 MB) and returns how to launch it. Throws an error naming the missing tool (Java 17+, Maven, tar).
 *
 * @example
 * const install = installSchemaRegistry();
 */
export function installSchemaRegistry(): RegistryInstall {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const home = join(cacheRoot(), `apicurio-registry-${REGISTRY_VERSION}`);
  const jar = join(home, `apicurio-registry-app-${REGISTRY_VERSION}-runner.jar`);
  if (!existsSync(jar)) installFromMaven(ARTIFACT, home, 'tar');
  return { home, java, jar };
}

/** A running registry, as {@link startSchemaRegistry} returns it. */
export interface SchemaRegistryServer {
  /** The base URL of the Confluent-compatible API, e.g. `http://127.0.0.1:40123/apis/ccompat/v7`. */
  url: string;
  port: number;
  /** Its log file. */
  log: string;
  /** Stops it (closes its guard's input, which ends the JVM with SIGTERM; SIGKILL to the guard after 10 s). */
  stop(): Promise<void>;
}

/**
 * Starts the registry on a free loopback port (schemas in memory, gone when it stops) and waits until its
 * Confluent-compatible API answers. It is ended when this process ends, however it ends.
 *
 * @example
 * const registry = await startSchemaRegistry();
 * const serde = await avro({ registry: { url: registry.url }, subject: 'readings-value', schema });
 * await registry.stop();
 */
export async function startSchemaRegistry(
  options: {
    port?: number;
    startTimeout?: number;
    unref?: boolean;
    /** Serve HTTPS only, with this PKCS12 keystore (see `makeCertificates` in kafka-secure.ts); `ca` is its CA. */
    tls?: { keystore: string; password: string; ca: string };
    /**
     * Require authentication: tokens of this Keycloak realm (scripts/keycloak.ts), and HTTP basic credentials
     * taken as a client id and secret of the realm, which the registry exchanges for a token there.
     */
    keycloak?: { url: string; realm: string };
  } = {},
): Promise<SchemaRegistryServer> {
  const install = installSchemaRegistry();
  const port = options.port ?? (await freePort());
  const tls = options.tls;
  const httpSettings = tls
    ? [
        `-Dquarkus.http.ssl-port=${port}`,
        `-Dquarkus.http.port=${await freePort()}`,
        '-Dquarkus.http.insecure-requests=disabled',
        `-Dquarkus.http.ssl.certificate.key-store-file=${tls.keystore}`,
        '-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12',
        `-Dquarkus.http.ssl.certificate.key-store-password=${tls.password}`,
      ]
    : [`-Dquarkus.http.port=${port}`];
  const keycloak = options.keycloak;
  const authSettings = keycloak
    ? [
        '-Dregistry.auth.enabled=true',
        `-Dregistry.keycloak.url=${keycloak.url}`,
        `-Dregistry.keycloak.realm=${keycloak.realm}`,
        '-Dregistry.auth.basic-auth-client-credentials.enabled=true',
      ]
    : [];
  const log = join(tmpdir(), `twinstream-registry-${process.pid}-${port}.log`);
  const service = startGuarded(
    [
      install.java,
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      ...httpSettings,
      ...authSettings,
      '-Dquarkus.http.host=127.0.0.1',
      '-Dquarkus.log.level=WARN',
      '-jar',
      install.jar,
    ],
    { cwd: install.home, log, ...(options.unref ? { unref: true } : {}) },
  );
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/apis/ccompat/v7`;
  // The probe trusts the given CA (through the HTTP agent the Kafka library makes for its own registry client).
  const dispatcher = tls
    ? (await import('@platformatic/kafka')).createUndiciAgent({ connect: { ca: tls.ca } })
    : undefined;
  await waitUntilUp(
    service,
    options.startTimeout ?? 90_000,
    async () => {
      const response = await fetch(`${url}/subjects`, {
        signal: AbortSignal.timeout(2000),
        ...(dispatcher ? { dispatcher } : {}),
      } as RequestInit);
      // With authentication required, "not authenticated" is the answer of a registry that is up.
      return response.ok || (keycloak !== undefined && response.status === 401) ? true : `HTTP ${response.status}`;
    },
    (exited, last) =>
      `the schema registry (Apicurio ${REGISTRY_VERSION}) did not ${exited ? 'stay up' : 'answer in time'} on port ${port} (${last})`,
  );
  return { url, port, log, stop: () => service.stop() };
}

// `node scripts/schema-registry.ts` runs a registry until Ctrl-C.
if (import.meta.main) {
  const t0 = performance.now();
  const registry = await startSchemaRegistry();
  console.log(
    `Schema registry (Apicurio ${REGISTRY_VERSION}, Confluent API) at ${registry.url} (started in ${Math.round(performance.now() - t0)} ms)`,
  );
  console.log('Press Ctrl-C to stop it.');
  const stop = (): void => {
    void registry.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
