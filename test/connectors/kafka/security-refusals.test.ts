// Refused credentials against a broker with secured listeners (scripts/kafka-secure.ts): a wrong password fails the
// producers whose sends the client would otherwise retry (the idempotent default, a transactional one, an Avro
// sink), and refused OAUTHBEARER tokens (expired, without the required scope, malformed) fail admin, source and
// sink, all with TS_KAFKA_AUTH within 3 s, the secret in no error and nothing printed or logged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SecureKafka, startSecureKafka } from '../../../scripts/kafka-secure.ts';
import { startSchemaRegistry } from '../../../scripts/schema-registry.ts';
import { avro, type KafkaConnection, KafkaProducer } from '../../../src/connectors/kafka/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';
import { uniqueName } from '../../kafka-setup.ts';
import {
  allText,
  assertHidden,
  assertTokenHidden,
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

test('a wrong password fails admin and a source with TS_KAFKA_AUTH at once with the default retries', async () => {
  // Without final-auth-failure.ts on their clients, each retried the refusal 10 times (about 8 s).
  const { connection, wrong } = wrongScram();
  const viaAdmin = await failure(() => ensureTopicOn(connection, uniqueName('never')));
  const viaSource = await failure(() => runSourceOn(connection, uniqueName('never')));
  for (const [what, { error, ms }] of [
    ['admin', viaAdmin],
    ['source', viaSource],
  ] as const) {
    assert.ok(error instanceof TwinstreamError, `${what}: ${error}`);
    assert.equal(error.code, 'TS_KAFKA_AUTH', `${what}: ${error.message}`);
    assert.match(error.message, /invalid credentials/, `${what}: the broker's reason is kept`);
    assert.ok(ms < 3_000, `${what} took ${Math.round(ms)} ms`);
    assertHidden(allText(error), wrong, kafka.scramUser.username);
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
    () => token(kafka, { iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
    /invalid_token/,
  ],
  [
    'an OAUTHBEARER token without the required scope',
    () => token(kafka, { scope: 'another-service' }),
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
      await timed('admin', () => ensureTopicOn(connection, uniqueName('never')));
      await timed('source', () => runSourceOn(connection, uniqueName('never')));
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
