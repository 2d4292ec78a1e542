// One Apache Kafka broker shared by every test file that needs one (and one PostgreSQL and one Redis server for
// the database tests, below).
//
// scripts/test.ts passes this file to `node --test --test-global-setup`: when the run includes a test file that
// imports this module, `globalSetup` starts one broker (scripts/kafka.ts) before any test file runs and hands its
// address to them in TWINSTREAM_KAFKA_BROKERS; `globalTeardown` stops it. A file run some other way (plain
// `node --test file.ts`) gets a broker of its own from `kafkaBrokers()`. When TWINSTREAM_KAFKA_BROKERS is already
// set, that broker is used and none is started. A broker that cannot start fails loudly with its log.
import { globSync, readFileSync } from 'node:fs';
import type { KafkaCluster } from '../scripts/kafka.ts';

const ENV = 'TWINSTREAM_KAFKA_BROKERS';

let shared: KafkaCluster | null = null;

function runIncludes(marker: string): boolean {
  const patterns = process.argv.slice(1).filter((a) => !a.startsWith('-') && /\.(ts|js|mjs)$|\*/.test(a));
  const files = patterns.length === 0 ? globSync('test/**/*.test.ts') : patterns.flatMap((p) => globSync(p));
  return files.some((f) => readFileSync(f, 'utf8').includes(marker));
}

function runIncludesKafkaTests(): boolean {
  return runIncludes('kafka-setup.ts');
}

// The database tests share one PostgreSQL and one Redis server the same way (test/support/databases.ts reads
// POSTGRES_URL and REDIS_URL; a file run alone starts its own).
let databases: { stop(): Promise<void> }[] = [];

async function startDatabases(): Promise<void> {
  if (!runIncludes('support/databases.ts')) return;
  const [{ startPostgres }, { startRedis }] = await Promise.all([
    import('../scripts/postgres.ts'),
    import('../scripts/redis.ts'),
  ]);
  if (!process.env.POSTGRES_URL) {
    const pg = await startPostgres();
    databases.push(pg);
    process.env.POSTGRES_URL = pg.url;
  }
  if (!process.env.REDIS_URL) {
    const redis = await startRedis();
    databases.push(redis);
    process.env.REDIS_URL = redis.url;
  }
}

/** Starts the shared broker when the run needs one (called by Node's test runner). */
export async function globalSetup(): Promise<void> {
  await startDatabases();
  if (process.env[ENV] || !runIncludesKafkaTests()) return;
  const { startKafka } = await import('../scripts/kafka.ts');
  const t0 = performance.now();
  shared = await startKafka({ brokers: 1 });
  process.env[ENV] = shared.bootstrap;
  process.env.TWINSTREAM_KAFKA_STARTUP_MS = String(Math.round(performance.now() - t0));
}

/** Stops the shared broker (called by Node's test runner). */
export async function globalTeardown(): Promise<void> {
  await Promise.all(databases.map((d) => d.stop()));
  databases = [];
  await shared?.stop();
  shared = null;
}

let own: Promise<KafkaCluster> | null = null;

/**
 * The bootstrap addresses of the broker for this test file: the shared one, or one started for this process.
 *
 * @example
 * const brokers = await kafkaBrokers();
 */
export async function kafkaBrokers(): Promise<string[]> {
  const env = process.env[ENV];
  if (env) return env.split(',');
  own ??= import('../scripts/kafka.ts').then(({ startKafka }) => startKafka({ brokers: 1, unref: true }));
  return (await own).brokers;
}

let counter = 0;

/**
 * A topic or group name no other test uses, so test files can share one broker.
 *
 * @example
 * const topic = uniqueName('readings');
 */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
