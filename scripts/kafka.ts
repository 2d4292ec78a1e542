// `npm run kafka`: starts a local Apache Kafka broker (KRaft, one node) for trying the Kafka examples, prints its
// address, and stops it cleanly on Ctrl-C. The jars come from Maven Central the first time (Java 17+ and Maven
// needed). Programs and tests import `startKafka` from here.
//
//   npm run kafka                       a broker on 127.0.0.1:9092 (or a free port if 9092 is taken)
//   npm run kafka -- --port 19092       on that port
//   npm run kafka -- --brokers 3        a three-node cluster
//   npm run kafka -- --data ./kafka     keep the data in ./kafka (a temporary directory is removed on exit)
//   npm run kafka -- --secure           also SASL_PLAINTEXT, SSL and SASL_SSL listeners (prints users, a token, the CA)
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { startKafka } from './kafka-cluster.ts';
import { startSecureKafka, unsecuredJwt } from './kafka-secure.ts';

export { type KafkaCluster, type KafkaNode, type StartKafkaOptions, startKafka } from './kafka-cluster.ts';
export { installKafka, KAFKA_VERSION } from './kafka-install.ts';
export { type JwtClaims, type KafkaUser, type SecureKafka, startSecureKafka, unsecuredJwt } from './kafka-secure.ts';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      brokers: { type: 'string', default: '1' },
      data: { type: 'string' },
      secure: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run kafka -- [--port 9092] [--brokers 1|3] [--data DIR] [--secure]');
    return;
  }
  const brokers = values.brokers === '3' && !values.secure ? 3 : 1;
  let port = values.port === undefined ? undefined : Number(values.port);
  if (port === undefined && (await portIsFree(9092))) port = 9092;
  const t0 = performance.now();
  const common = {
    ...(port === undefined ? {} : { port }),
    ...(values.data === undefined ? {} : { dataDir: values.data }),
  };
  const secure = values.secure ? await startSecureKafka(common) : null;
  const kafka = secure ?? (await startKafka({ brokers, ...common }));
  console.log(
    `Apache Kafka ${kafka.version} (${brokers} node${brokers > 1 ? 's' : ''}) is running at ${kafka.bootstrap} (started in ${Math.round(performance.now() - t0)} ms)`,
  );
  console.log(`  export KAFKA_BROKERS=${kafka.bootstrap}`);
  if (secure) {
    const l = secure.listeners;
    console.log(`  SASL_PLAINTEXT ${l.saslPlaintext}  SSL ${l.ssl}  SASL_SSL ${l.saslSsl}`);
    console.log(`  PLAIN user ${secure.plainUser.username} / ${secure.plainUser.password}`);
    console.log(`  SCRAM-SHA-256/512 user ${secure.scramUser.username} / ${secure.scramUser.password}`);
    const exp = Math.floor(Date.now() / 1000) + 24 * 3600;
    const token = unsecuredJwt({ sub: 'oauth-user', exp, scope: secure.oauth.scope });
    console.log(`  OAUTHBEARER (unsigned JWTs with scope "${secure.oauth.scope}"), a token valid for a day: ${token}`);
    console.log(`  the CA of the broker's certificate (tls.ca):\n${secure.ca}`);
  }
  console.log('Press Ctrl-C to stop it.');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('stopping Kafka…');
    await kafka.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
