// Kafka over SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER), TLS and SASL_SSL, against a broker this file
// starts with those listeners (scripts/kafka-secure.ts: random passwords, unsigned tokens for Kafka's development
// OAUTHBEARER validator, a keytool-made certificate): toKafka, fromKafka and an Application round trip on each; a
// wrong password, a refused token or an untrusted certificate fails within a bounded time with a clear error, and
// the secret shows nowhere: not in the message, the cause chain, or anything printed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { type JwtClaims, type SecureKafka, startSecureKafka, unsecuredJwt } from '../../../scripts/kafka-secure.ts';
import { startSchemaRegistry } from '../../../scripts/schema-registry.ts';
import {
  Application,
  avro,
  KafkaAdmin,
  type KafkaConnection,
  KafkaProducer,
  type KafkaRecord,
  type KafkaSource,
  Stream,
  TwinstreamError,
} from '../../../src/index.ts';
import { uniqueName } from '../../kafka-setup.ts';

let kafka: SecureKafka;

before(async () => {
  kafka = await startSecureKafka({ unref: true });
});
after(() => kafka?.stop());

type Case = { name: string; connection: () => KafkaConnection; secret: () => string | null };

/** An unsigned token for the broker's OAUTHBEARER validator: valid for an hour, with its scope, unless overridden. */
function token(claims: JwtClaims = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return unsecuredJwt({ sub: 'oauth-user', iat: now, exp: now + 3600, scope: kafka.oauth.scope, ...claims });
}

const CASES: Case[] = [
  {
    name: 'SASL PLAIN',
    connection: () => ({ brokers: kafka.listeners.saslPlaintext, sasl: { mechanism: 'PLAIN', ...kafka.plainUser } }),
    secret: () => kafka.plainUser.password,
  },
  {
    name: 'SASL SCRAM-SHA-256',
    connection: () => ({
      brokers: kafka.listeners.saslPlaintext,
      sasl: { mechanism: 'SCRAM-SHA-256', ...kafka.scramUser },
    }),
    secret: () => kafka.scramUser.password,
  },
  {
    name: 'SASL SCRAM-SHA-512',
    connection: () => ({
      brokers: kafka.listeners.saslPlaintext,
      sasl: { mechanism: 'SCRAM-SHA-512', ...kafka.scramUser },
    }),
    secret: () => kafka.scramUser.password,
  },
  {
    name: 'SASL OAUTHBEARER',
    connection: () => ({ brokers: kafka.listeners.saslPlaintext, sasl: { mechanism: 'OAUTHBEARER', token: token() } }),
    secret: () => null,
  },
  {
    name: 'TLS',
    connection: () => ({ brokers: kafka.listeners.ssl, tls: { ca: kafka.ca } }),
    secret: () => null,
  },
  {
    name: 'SASL_SSL with SCRAM-SHA-512',
    connection: () => ({
      brokers: kafka.listeners.saslSsl,
      tls: { ca: kafka.ca },
      sasl: { mechanism: 'SCRAM-SHA-512', ...kafka.scramUser },
    }),
    secret: () => kafka.scramUser.password,
  },
  {
    name: 'SASL_SSL with OAUTHBEARER (a token from a function)',
    connection: () => ({
      brokers: kafka.listeners.saslSsl,
      tls: { ca: kafka.ca },
      sasl: { mechanism: 'OAUTHBEARER', token: async () => token() },
    }),
    secret: () => null,
  },
];

/** Starts `source`, collects until `n` records arrived (or `timeoutMs`), stops it. */
async function collect<T>(source: KafkaSource<string, T>, n: number, timeoutMs = 30_000): Promise<T[]> {
  const out: T[] = [];
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  source.sink((r: KafkaRecord<string, T>) => {
    out.push(r.value);
    if (out.length >= n) resolve();
  });
  source.start();
  const timer = setTimeout(resolve, timeoutMs);
  await Promise.race([enough, source.done]);
  clearTimeout(timer);
  source.stop();
  await source.done;
  return out;
}

async function write(
  connection: KafkaConnection & { acks?: 'all' | 'leader' },
  topic: string,
  values: readonly unknown[],
  options: { create?: boolean } = {},
): Promise<void> {
  if (options.create) {
    const admin = new KafkaAdmin(connection);
    await admin.ensureTopics([{ name: topic }]);
    await admin.close();
  }
  const input = new Stream<unknown>();
  const sink = input.toKafka(topic, { ...connection, key: () => 'k' });
  for (const v of values) {
    const r = input.emit(v);
    if (r) await r;
  }
  await sink.close();
  assert.equal(sink.sent, values.length);
}

for (const c of CASES) {
  test(`toKafka and fromKafka over ${c.name}`, async () => {
    const connection = c.connection();
    const topic = uniqueName('secure');
    const admin = new KafkaAdmin(connection);
    await admin.ensureTopics([{ name: topic, partitions: 2 }]);
    await admin.close();
    const values = Array.from({ length: 200 }, (_, i) => ({ i, over: c.name }));
    await write(connection, topic, values);
    const source = Stream.fromKafka<string, { i: number; over: string }>(topic, {
      ...connection,
      groupId: uniqueName('secure-reader'),
      autoOffsetReset: 'earliest',
    });
    const got = await collect(source, values.length);
    assert.deepEqual(
      got.sort((a, b) => a.i - b.i),
      values,
    );
  });
}

for (const c of [CASES[1]!, CASES[5]!]) {
  test(`an Application consumes and produces over ${c.name}`, async () => {
    const connection = c.connection();
    const inName = uniqueName('secure-in');
    const outName = uniqueName('secure-out');
    await write(
      connection,
      inName,
      Array.from({ length: 100 }, (_, i) => ({ id: i, f: 32 + i })),
      { create: true },
    );
    const app = new Application({
      ...connection,
      consumerGroup: uniqueName('secure-app'),
      autoOffsetReset: 'earliest',
    });
    app
      .stream(app.topic<string, { id: number; f: number }>(inName, { value: 'json' }))
      .map((r: KafkaRecord<string, { id: number; f: number }>) => ({ id: r.value.id, c: (r.value.f - 32) / 1.8 }))
      .toTopic(app.topic(outName, { value: 'json' }));
    const produced = await app.run({ count: 100 });
    assert.equal(produced.length, 100);
    const source = Stream.fromKafka<string, { id: number; c: number }>(outName, {
      ...connection,
      groupId: uniqueName('secure-reader'),
      autoOffsetReset: 'earliest',
    });
    const out = await collect(source, 100);
    assert.deepEqual(
      out.map((r) => r.id).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    for (const r of out) assert.ok(Math.abs(r.c - r.id / 1.8) < 1e-9);
  });
}

/** The `debug` logger @platformatic/kafka writes its own log through (DEBUG=plt:kafka:*). */
type Debug = { enable(namespaces: string): void; disable(): string; log: (...args: unknown[]) => void };

/**
 * Everything printed through the console or written to stdout/stderr while `fn` runs, and everything the Kafka
 * client logs with its debug logging of events switched on (connections, SASL handshakes, retries, failures). Not
 * its protocol log (`plt:kafka:protocol`): that dumps the first 50 bytes of every request, and a SASL PLAIN
 * request carries the password's first bytes there (@platformatic/kafka 2.12.1; README says so).
 */
async function capturingOutput<T>(fn: () => Promise<T>): Promise<{ result: T; printed: string }> {
  let printed = '';
  // The client's own dependency (not one of this project's): resolved from @platformatic/kafka.
  const { createRequire } = await import('node:module');
  const fromClient = createRequire(createRequire(import.meta.url).resolve('@platformatic/kafka'));
  const debug = fromClient('debug') as Debug;
  const savedLog = debug.log;
  const savedNamespaces = debug.disable();
  debug.enable('plt:kafka:*,-plt:kafka:protocol');
  debug.log = (...args: unknown[]) => void (printed += `${inspect(args, { depth: 5 })}\n`);
  const methods = ['log', 'error', 'warn', 'info', 'debug', 'trace'] as const;
  const saved = methods.map((m) => console[m]);
  const out = process.stdout.write;
  const err = process.stderr.write;
  for (const m of methods) console[m] = (...args: unknown[]) => void (printed += `${inspect(args)}\n`);
  const tee =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      printed += String(chunk);
      return (original as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    };
  process.stdout.write = tee(out) as typeof out;
  process.stderr.write = tee(err) as typeof err;
  try {
    return { result: await fn(), printed };
  } finally {
    methods.forEach((m, i) => {
      console[m] = saved[i]!;
    });
    process.stdout.write = out;
    process.stderr.write = err;
    debug.log = savedLog;
    debug.disable();
    if (savedNamespaces) debug.enable(savedNamespaces);
  }
}

/** Every message in an error's cause tree (causes and aggregated errors), with the whole error as printed. */
function allText(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: Number.POSITIVE_INFINITY })];
  const queue = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    const e = queue.shift();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    parts.push(e.message, String(e.stack));
    const nested = e as { cause?: unknown; errors?: unknown[] };
    if (Array.isArray(nested.errors)) queue.push(...nested.errors);
    if (nested.cause !== undefined) queue.push(nested.cause);
  }
  return parts.join('\n');
}

/** Asserts `secret` (and the forms SASL sends it in) shows nowhere in `text`. */
function assertHidden(text: string, secret: string, user: string): void {
  const forms = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(`\0${user}\0${secret}`).toString('base64'),
    Buffer.from(secret).toString('hex'),
  ];
  for (const f of forms) assert.ok(!text.includes(f), `a form of the password appears in:\n${text.slice(0, 3000)}`);
}

/** Asserts an OAUTHBEARER token, or its claims part (what identifies it), shows nowhere in `text`. */
function assertTokenHidden(text: string, token: string): void {
  const claims = token.split('.')[1];
  for (const f of [token, ...(claims && claims.length > 8 ? [claims] : [])]) {
    assert.ok(!text.includes(f), `the token appears in:\n${text.slice(0, 3000)}`);
  }
}

for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
  test(`a wrong ${mechanism} password fails fast with TS_KAFKA_AUTH and shows nowhere`, async () => {
    const user = mechanism === 'PLAIN' ? kafka.plainUser : kafka.scramUser;
    const wrong = `not-${user.password}`;
    const connection: KafkaConnection = {
      brokers: kafka.listeners.saslPlaintext,
      sasl: { mechanism, username: user.username, password: wrong },
      timeout: '5s',
      retries: 1,
    };
    const consumerErrors: TwinstreamError[] = [];
    const { result: errors, printed } = await capturingOutput(async () => {
      const failures: { what: string; error: unknown; ms: number }[] = [];
      const timed = async (what: string, fn: () => Promise<unknown>) => {
        const t0 = performance.now();
        try {
          await fn();
          failures.push({ what, error: null, ms: performance.now() - t0 });
        } catch (error) {
          failures.push({ what, error, ms: performance.now() - t0 });
        }
      };
      await timed('admin', async () => {
        const admin = new KafkaAdmin(connection);
        try {
          await admin.ensureTopics([{ name: uniqueName('never') }]);
        } finally {
          await admin.close();
        }
      });
      await timed('source', async () => {
        const source = Stream.fromKafka(uniqueName('never'), {
          ...connection,
          groupId: uniqueName('never'),
          onConsumerError: (e) => consumerErrors.push(e),
        });
        source.sink(() => {});
        source.start();
        await source.done;
      });
      // acks 'leader': the client's plain producer reports the failed authentication itself.
      await timed('sink', () => write({ ...connection, acks: 'leader' }, uniqueName('never'), [1]));
      return failures;
    });
    for (const f of errors) {
      assert.ok(f.error instanceof TwinstreamError, `${f.what} should fail with a TwinstreamError, got ${f.error}`);
      assert.equal(f.error.code, 'TS_KAFKA_AUTH', `${f.what}: ${f.error.message}`);
      assert.match(f.error.message, new RegExp(`SASL authentication failed \\(mechanism ${mechanism}\\)`));
      assert.match(f.error.message, /sasl\.password/);
      assert.ok(f.ms < 15_000, `${f.what} took ${Math.round(f.ms)} ms`);
      assertHidden(allText(f.error), wrong, user.username);
    }
    for (const e of consumerErrors) assertHidden(allText(e), wrong, user.username);
    assert.match(printed, /plt:kafka:client .*performWithRetry/, "the client's debug log was captured");
    assertHidden(printed, wrong, user.username);
  });
}

/** A wrong SCRAM-SHA-256 password for the SASL_PLAINTEXT listener, with the connection's other options. */
function wrongScram(options: Partial<KafkaConnection> = {}): { connection: KafkaConnection; wrong: string } {
  const wrong = `not-${kafka.scramUser.password}`;
  return {
    wrong,
    connection: {
      brokers: kafka.listeners.saslPlaintext,
      sasl: { mechanism: 'SCRAM-SHA-256', username: kafka.scramUser.username, password: wrong },
      ...options,
    },
  };
}

/** Runs `fn`, which must fail; returns the error and how long it took, with everything printed meanwhile. */
async function failure(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number; printed: string }> {
  const t0 = performance.now();
  const { result: error, printed } = await capturingOutput(() =>
    fn().then(
      () => null,
      (e: unknown) => e,
    ),
  );
  return { error, ms: performance.now() - t0, printed };
}

test('a wrong password fails an idempotent sink (the default) with TS_KAFKA_AUTH at once, whatever its retries', async () => {
  // The client retries a refused authentication like a lost connection, and its idempotent producer raises 0 or 1
  // retries to Number.MAX_SAFE_INTEGER: without final-auth-failure.ts the first case fails only at the 30 s
  // timeout and the second after ten rounds. The timeout stays at its default so that it cannot be what ends them.
  for (const retries of [0, undefined]) {
    const { connection, wrong } = wrongScram(retries === undefined ? {} : { retries });
    const { error, ms, printed } = await failure(() => write(connection, uniqueName('never'), [1]));
    assert.ok(error instanceof TwinstreamError, `retries ${retries}: ${error}`);
    assert.equal(error.code, 'TS_KAFKA_AUTH', `retries ${retries}: ${error.message}`);
    assert.equal(error.context?.operation, 'TS_KAFKA_PRODUCE');
    assert.match(error.message, /SASL authentication failed \(mechanism SCRAM-SHA-256\)/);
    assert.match(error.message, /invalid credentials/, "the broker's reason is kept");
    assert.ok(ms < 3_000, `retries ${retries}: took ${Math.round(ms)} ms`);
    assertHidden(allText(error), wrong, kafka.scramUser.username);
    assert.match(printed, /plt:kafka:client[^\n]*\n?[^\n]*event: 'performWithRetry'/, "the client's log was captured");
    assertHidden(printed, wrong, kafka.scramUser.username);
  }
});

test('a wrong password fails a transactional producer at initTransactions with TS_KAFKA_AUTH at once', async () => {
  const { connection, wrong } = wrongScram({ retries: 1 });
  const producer = new KafkaProducer({ ...connection, transactionalId: uniqueName('never') });
  const { error, ms } = await failure(() => producer.initTransactions());
  await producer.close();
  assert.ok(error instanceof TwinstreamError, String(error));
  assert.equal(error.code, 'TS_KAFKA_AUTH', error.message);
  assert.equal(error.context?.operation, 'TS_KAFKA_TRANSACTION');
  assert.ok(ms < 3_000, `took ${Math.round(ms)} ms`);
  assertHidden(allText(error), wrong, kafka.scramUser.username);
});

test('a wrong password fails an Avro sink with TS_KAFKA_AUTH at once (the schema registered, the send refused)', async () => {
  const registry = await startSchemaRegistry({ unref: true });
  try {
    const topic = uniqueName('never');
    const schema = { type: 'record', name: 'Reading', fields: [{ name: 'value', type: 'double' }] };
    const value = await avro<{ value: number }>({ registry: { url: registry.url }, subject: `${topic}-value`, schema });
    assert.ok(Number.isInteger(value.schemaId), 'the registry (unsecured) took the schema');
    const { connection, wrong } = wrongScram();
    const input = new Stream<{ value: number }>();
    const sink = input.toKafka(topic, { ...connection, valueSerializer: value });
    const { error, ms, printed } = await failure(async () => {
      const r = input.emit({ value: 1.5 });
      if (r) await r;
      await sink.close();
    });
    assert.ok(error instanceof TwinstreamError, String(error));
    assert.equal(error.code, 'TS_KAFKA_AUTH', error.message);
    assert.equal(sink.sent, 0);
    assert.ok(ms < 3_000, `took ${Math.round(ms)} ms`);
    assertHidden(allText(error), wrong, kafka.scramUser.username);
    assertHidden(printed, wrong, kafka.scramUser.username);
  } finally {
    await registry.stop();
  }
});

for (const [what, bad, reason] of [
  [
    'an expired OAUTHBEARER token',
    () => token({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
    /invalid_token/,
  ],
  [
    'an OAUTHBEARER token without the required scope',
    () => token({ scope: 'another-service' }),
    /insufficient_scope, scope wanted: \[twinstream\]/,
  ],
  ['a malformed OAUTHBEARER token', () => `not-a-jwt-${crypto.randomUUID()}`, /invalid_token/],
] as const) {
  test(`${what} fails admin, source and sink with TS_KAFKA_AUTH at once and shows nowhere`, async () => {
    const refused = bad();
    const connection: KafkaConnection = {
      brokers: kafka.listeners.saslPlaintext,
      sasl: { mechanism: 'OAUTHBEARER', token: refused },
      retries: 1,
    };
    const failures: { what: string; error: unknown; ms: number }[] = [];
    const { printed } = await capturingOutput(async () => {
      const timed = async (what: string, fn: () => Promise<unknown>) => {
        const t0 = performance.now();
        const error = await fn().then(
          () => null,
          (e: unknown) => e,
        );
        failures.push({ what, error, ms: performance.now() - t0 });
      };
      await timed('admin', async () => {
        const admin = new KafkaAdmin(connection);
        try {
          await admin.ensureTopics([{ name: uniqueName('never') }]);
        } finally {
          await admin.close();
        }
      });
      await timed('source', async () => {
        const source = Stream.fromKafka(uniqueName('never'), { ...connection, groupId: uniqueName('never') });
        source.sink(() => {});
        source.start();
        await source.done;
      });
      // The default sink: an idempotent producer.
      await timed('sink', () => write(connection, uniqueName('never'), [1]));
    });
    for (const f of failures) {
      assert.ok(f.error instanceof TwinstreamError, `${f.what} should fail with a TwinstreamError, got ${f.error}`);
      assert.equal(f.error.code, 'TS_KAFKA_AUTH', `${f.what}: ${f.error.message}`);
      assert.match(f.error.message, /SASL authentication failed \(mechanism OAUTHBEARER\); the broker refused/);
      assert.match(f.error.message, reason);
      assert.match(f.error.message, /check sasl\.token/);
      assert.ok(f.ms < 3_000, `${f.what} took ${Math.round(f.ms)} ms`);
      assertTokenHidden(allText(f.error), refused);
    }
    assert.match(printed, /plt:kafka:client[^\n]*\n?[^\n]*event: 'performWithRetry/, "the client's log was captured");
    assertTokenHidden(printed, refused);
  });
}

test('TLS without the CA fails with TS_KAFKA_TLS saying to give tls.ca', async () => {
  const admin = new KafkaAdmin({ brokers: kafka.listeners.ssl, tls: true, timeout: '5s', retries: 1 });
  const t0 = performance.now();
  const error = await admin.topicNames().then(
    () => null,
    (e: unknown) => e,
  );
  await admin.close();
  assert.ok(error instanceof TwinstreamError);
  assert.equal(error.code, 'TS_KAFKA_TLS', error.message);
  assert.match(error.message, /certificate/);
  assert.match(error.message, /tls\.ca/);
  assert.ok(performance.now() - t0 < 15_000);
});

test('the secured listeners refuse clients without credentials', async () => {
  const admin = new KafkaAdmin({ brokers: kafka.listeners.saslPlaintext, timeout: '3s', retries: 0 });
  const error = await admin.topicNames().then(
    () => null,
    (e: unknown) => e,
  );
  await admin.close();
  assert.ok(error instanceof TwinstreamError, 'a client without SASL must not get through');
  assert.match(error.message, /listing topics failed: .*Connection closed/);
});

test('TLS to a plaintext listener, and plaintext to a TLS one, fail fast with TS_KAFKA_TLS saying which', async () => {
  const attempts = [
    { brokers: kafka.listeners.plaintext, tls: { ca: kafka.ca }, expect: /is this a TLS listener\?/ },
    { brokers: kafka.listeners.ssl, expect: /the listener speaks TLS and the connection does not; set tls/ },
  ];
  for (const { expect, ...connection } of attempts) {
    const admin = new KafkaAdmin({ ...connection, timeout: '5s', retries: 1 });
    const t0 = performance.now();
    const error = await admin.topicNames().then(
      () => null,
      (e: unknown) => e,
    );
    await admin.close();
    assert.ok(error instanceof TwinstreamError);
    assert.equal(error.code, 'TS_KAFKA_TLS', error.message);
    assert.match(error.message, expect);
    assert.ok(performance.now() - t0 < 10_000);
  }
});
