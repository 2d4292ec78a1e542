// A one-node Kafka broker with secured listeners besides its PLAINTEXT one, for the security tests and for trying
// SASL and TLS by hand (`npm run kafka -- --secure`):
//
//   PLAINTEXT        no authentication (the start probe and admin tools use it)
//   SASL_PLAINTEXT   SASL PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (unsigned tokens, for development)
//   SSL              TLS with a certificate made here by Java's keytool (PKCS12), no client certificate
//   SASL_SSL         both
//
// The users and their passwords are new random strings at every start. The PLAIN user is declared in the
// listener's JAAS configuration; the SCRAM user is added through the admin API (kafka.admin.ConfigCommand) once the
// broker answers, with credentials for both SCRAM mechanisms. The certificate's CA, as PEM, is handed back for the
// Node client's `tls.ca`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, type KafkaCluster, type StartKafkaOptions, startKafka } from './kafka-cluster.ts';
import { installKafka } from './kafka-install.ts';

/** A user name and its password. */
export interface KafkaUser {
  username: string;
  password: string;
}

/** A running broker with secured listeners, as {@link startSecureKafka} returns it. */
export interface SecureKafka extends KafkaCluster {
  /** `host:port` of each listener. */
  listeners: { plaintext: string; saslPlaintext: string; ssl: string; saslSsl: string };
  /** The PEM certificate that signed the broker's certificate: the client's `tls.ca`. */
  ca: string;
  /** A user of SASL PLAIN. */
  plainUser: KafkaUser;
  /** A user of SCRAM-SHA-256 and SCRAM-SHA-512. */
  scramUser: KafkaUser;
  /** OAUTHBEARER: the scope a token must grant; {@link unsecuredJwt} makes tokens. */
  oauth: { scope: string };
}

function run(command: string, args: string[], what: string, secrets: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => reject(new Error(`${what}: could not run ${command} (${error.message})`)));
    child.on('exit', (code) => {
      if (code === 0) return resolve(output);
      let text = output.slice(-3000);
      for (const s of secrets) text = text.split(s).join('***');
      reject(new Error(`${what} failed (exit ${code}):\n${text}`));
    });
  });
}

function secret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
}

function jdkTool(tool: string): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', tool) : tool;
}

/**
 * Makes a CA and a server certificate for 127.0.0.1 and localhost signed by it, with keytool, in `dir`: the
 * server's PKCS12 keystore (its password is `password`) and the CA as PEM. The schema registry's TLS test uses it too.
 *
 * @example
 * const { keystore, ca } = await makeCertificates(dir, 'changeit');
 */
export async function makeCertificates(dir: string, password: string): Promise<{ keystore: string; ca: string }> {
  const keytool = jdkTool('keytool');
  const ca = join(dir, 'ca.p12');
  const keystore = join(dir, 'broker.p12');
  const common = ['-storetype', 'PKCS12', '-storepass', password, '-keypass', password, '-noprompt'];
  const step = (args: string[], what: string) => run(keytool, [...args, ...common], `keytool: ${what}`, [password]);
  await Promise.all([
    step(
      [
        '-genkeypair',
        '-alias',
        'ca',
        '-keyalg',
        'EC',
        '-groupname',
        'secp256r1',
        '-dname',
        'CN=twinstream test CA',
        '-ext',
        'bc:c',
        '-validity',
        '3650',
        '-keystore',
        ca,
      ],
      'making the CA',
    ),
    step(
      [
        '-genkeypair',
        '-alias',
        'broker',
        '-keyalg',
        'EC',
        '-groupname',
        'secp256r1',
        '-dname',
        'CN=localhost',
        '-validity',
        '3650',
        '-keystore',
        keystore,
      ],
      "making the broker's key",
    ),
  ]);
  const caPem = join(dir, 'ca.pem');
  const request = join(dir, 'broker.csr');
  const signed = join(dir, 'broker.pem');
  await step(['-exportcert', '-rfc', '-alias', 'ca', '-keystore', ca, '-file', caPem], 'exporting the CA');
  await step(['-certreq', '-alias', 'broker', '-keystore', keystore, '-file', request], 'making the signing request');
  await step(
    [
      '-gencert',
      '-alias',
      'ca',
      '-keystore',
      ca,
      '-infile',
      request,
      '-outfile',
      signed,
      '-rfc',
      '-validity',
      '3650',
      '-ext',
      'SAN=dns:localhost,ip:127.0.0.1',
    ],
    "signing the broker's certificate",
  );
  await step(['-importcert', '-alias', 'ca', '-keystore', keystore, '-file', caPem], 'trusting the CA');
  await step(['-importcert', '-alias', 'broker', '-keystore', keystore, '-file', signed], 'installing the certificate');
  return { keystore, ca: readFileSync(caPem, 'utf8') };
}

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;

/** The scope every OAUTHBEARER token must grant: a token without it is refused. */
const OAUTH_SCOPE = 'twinstream';

/** The JWT claims of an OAUTHBEARER token: `sub` (the principal), `exp` and `iat` in seconds, `scope`. */
export interface JwtClaims {
  sub?: string;
  exp?: number;
  iat?: number;
  scope?: string;
  [claim: string]: unknown;
}

/**
 * An unsigned JWT (`alg: none`): what Kafka's development-only OAUTHBEARER validator takes, and what a real
 * identity provider's token looks like without its signature.
 *
 * @example
 * const token = unsecuredJwt({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600, scope: 'twinstream' });
 */
export function unsecuredJwt(claims: JwtClaims): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

function jaas(listener: string, plainUser: KafkaUser): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `listener.name.${listener}`;
  out[`${prefix}.plain.sasl.jaas.config`] =
    `org.apache.kafka.common.security.plain.PlainLoginModule required user_${plainUser.username}="${plainUser.password}";`;
  for (const m of ['scram-sha-256', 'scram-sha-512']) {
    out[`${prefix}.${m}.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  }
  // OAUTHBEARER with Kafka's unsecured validator (for development: it checks the claims, `exp` and the scope, but
  // no signature). It is the broker's default for this mechanism; named here so that the choice is visible. Its
  // options come from the listener's JAAS entry; the login module logs the broker itself in at start, with an
  // unsigned token of its own, and fails without a subject for it.
  out[`${prefix}.oauthbearer.sasl.jaas.config`] =
    `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker" unsecuredValidatorRequiredScope="${OAUTH_SCOPE}";`;
  out[`${prefix}.oauthbearer.sasl.server.callback.handler.class`] =
    'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler';
  return out;
}

/**
 * Starts a one-node broker with PLAINTEXT, SASL_PLAINTEXT, SSL and SASL_SSL listeners on free loopback ports, a
 * PLAIN user and a SCRAM user (both mechanisms) with random passwords, and a keytool-made certificate.
 *
 * @example
 * const kafka = await startSecureKafka();
 * const connection = { brokers: kafka.listeners.saslPlaintext, sasl: { mechanism: 'PLAIN', ...kafka.plainUser } };
 * await kafka.stop();
 */
export async function startSecureKafka(options: Omit<StartKafkaOptions, 'brokers'> = {}): Promise<SecureKafka> {
  const install = installKafka();
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-kafka-tls-'));
  try {
    const storePassword = secret();
    const plainUser = { username: 'plain-user', password: secret() };
    const scramUser = { username: 'scram-user', password: secret() };
    const [[plainPort, controllerPort, saslPort, sslPort, saslSslPort], certs] = await Promise.all([
      freePorts(5).then((ports) => (options.port === undefined ? ports : [options.port, ...ports.slice(1)])),
      makeCertificates(dir, storePassword),
    ]);
    const host = '127.0.0.1';
    const listeners = {
      plaintext: `${host}:${plainPort}`,
      saslPlaintext: `${host}:${saslPort}`,
      ssl: `${host}:${sslPort}`,
      saslSsl: `${host}:${saslSslPort}`,
    };
    const advertised = `PLAINTEXT://${listeners.plaintext},SASL_PLAINTEXT://${listeners.saslPlaintext},SSL://${listeners.ssl},SASL_SSL://${listeners.saslSsl}`;
    const kafka = await startKafka({
      ...options,
      brokers: 1,
      port: plainPort,
      config: {
        // The controller port is chosen here (the cluster script's own choice is not known before it starts), so
        // the voters are set here too; PLAINTEXT stays the inter-broker listener and the start probe's.
        'controller.quorum.voters': `1@${host}:${controllerPort}`,
        listeners: `${advertised},CONTROLLER://${host}:${controllerPort}`,
        'advertised.listeners': advertised,
        'listener.security.protocol.map':
          'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
        'sasl.enabled.mechanisms': MECHANISMS.join(','),
        ...jaas('sasl_plaintext', plainUser),
        ...jaas('sasl_ssl', plainUser),
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': certs.keystore,
        'ssl.keystore.password': storePassword,
        'ssl.key.password': storePassword,
        'ssl.client.auth': 'none',
        ...options.config,
      },
    });
    try {
      // One mechanism per request (the broker refuses two changes of one user in a request), in parallel.
      await Promise.all(
        ['SCRAM-SHA-256', 'SCRAM-SHA-512'].map((mechanism) =>
          run(
            install.java,
            [
              '-Xmx128m',
              '-XX:TieredStopAtLevel=1',
              '-cp',
              install.classpath,
              'kafka.admin.ConfigCommand',
              '--bootstrap-server',
              listeners.plaintext,
              '--alter',
              '--entity-type',
              'users',
              '--entity-name',
              scramUser.username,
              '--add-config',
              `${mechanism}=[password=${scramUser.password}]`,
            ],
            `adding the ${mechanism} credential`,
            [scramUser.password],
          ),
        ),
      );
    } catch (error) {
      await kafka.stop();
      throw error;
    }
    const stop = kafka.stop.bind(kafka);
    return Object.assign(kafka, {
      listeners,
      ca: certs.ca,
      plainUser,
      scramUser,
      oauth: { scope: OAUTH_SCOPE },
      async stop() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
