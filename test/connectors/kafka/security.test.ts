// Kafka over SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER), TLS and SASL_SSL, against a broker this file
// starts with those listeners (scripts/kafka-secure.ts: random passwords, unsigned tokens for Kafka's development
// OAUTHBEARER validator, a keytool-made certificate): toKafka, fromKafka and an Application round trip on each; a
// wrong password or an untrusted certificate fails within a bounded time with a clear error, and the password
// shows nowhere: not in the message, the cause chain, or anything printed. security-refusals.test.ts has the
// producers' refusals and refused tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SecureKafka, startSecureKafka } from '../../../scripts/kafka-secure.ts';
import { Application } from '../../../src/app/index.ts';
import {
  KafkaAdmin,
  type KafkaConnection,
  type KafkaRecord,
  type KafkaSource,
} from '../../../src/connectors/kafka/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';
import { uniqueName } from '../../kafka-setup.ts';
import {
  allText,
  assertHidden,
  capturingOutput,
  ensureTopicOn,
  failure,
  runSourceOn,
  token,
  write,
} from './secure-output.ts';

let kafka: SecureKafka;

before(async () => {
  kafka = await startSecureKafka({ unref: true });
});
after(() => kafka?.stop());

type Case = { name: string; connection: () => KafkaConnection; secret: () => string | null };

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
    connection: () => ({
      brokers: kafka.listeners.saslPlaintext,
      sasl: { mechanism: 'OAUTHBEARER', token: token(kafka) },
    }),
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
      sasl: { mechanism: 'OAUTHBEARER', token: async () => token(kafka) },
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
      await timed('admin', () => ensureTopicOn(connection, uniqueName('never')));
      await timed('source', () => runSourceOn(connection, uniqueName('never'), (e) => consumerErrors.push(e)));
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

test('TLS without the CA fails with TS_KAFKA_TLS saying to give tls.ca', async () => {
  const admin = new KafkaAdmin({ brokers: kafka.listeners.ssl, tls: true, timeout: '5s', retries: 1 });
  const { error, ms } = await failure(() => admin.topicNames());
  await admin.close();
  assert.ok(error instanceof TwinstreamError);
  assert.equal(error.code, 'TS_KAFKA_TLS', error.message);
  assert.match(error.message, /certificate/);
  assert.match(error.message, /tls\.ca/);
  assert.ok(ms < 15_000);
});

test('the secured listeners refuse clients without credentials', async () => {
  const admin = new KafkaAdmin({ brokers: kafka.listeners.saslPlaintext, timeout: '3s', retries: 0 });
  const { error } = await failure(() => admin.topicNames());
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
    const { error, ms } = await failure(() => admin.topicNames());
    await admin.close();
    assert.ok(error instanceof TwinstreamError);
    assert.equal(error.code, 'TS_KAFKA_TLS', error.message);
    assert.match(error.message, expect);
    assert.ok(ms < 10_000);
  }
});
