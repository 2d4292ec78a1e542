// `npm run kafka`: starts a local Apache Kafka broker (KRaft, one node) for trying the Kafka examples, prints its
// address, and stops it cleanly on Ctrl-C. The jars come from Maven Central the first time (Java 17+ and Maven
// needed). Programs and tests import `startKafka` from here.
//
//   npm run kafka                       a broker on 127.0.0.1:9092 (or a free port if 9092 is taken)
//   npm run kafka -- --port 19092       on that port
//   npm run kafka -- --brokers 3        a three-node cluster
//   npm run kafka -- --data ./kafka     keep the data in ./kafka (a temporary directory is removed on exit)
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { startKafka } from './kafka-cluster.ts';

export { type KafkaCluster, type KafkaNode, type StartKafkaOptions, startKafka } from './kafka-cluster.ts';
export { installKafka, KAFKA_VERSION } from './kafka-install.ts';

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run kafka -- [--port 9092] [--brokers 1|3] [--data DIR]');
    return;
  }
  const brokers = values.brokers === '3' ? 3 : 1;
  let port = values.port === undefined ? undefined : Number(values.port);
  if (port === undefined && (await portIsFree(9092))) port = 9092;
  const t0 = performance.now();
  const kafka = await startKafka({
    brokers,
    ...(port === undefined ? {} : { port }),
    ...(values.data === undefined ? {} : { dataDir: values.data }),
  });
  console.log(
    `Apache Kafka ${kafka.version} (${brokers} node${brokers > 1 ? 's' : ''}) is running at ${kafka.bootstrap} (started in ${Math.round(performance.now() - t0)} ms)`,
  );
  console.log(`  export KAFKA_BROKERS=${kafka.bootstrap}`);
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
