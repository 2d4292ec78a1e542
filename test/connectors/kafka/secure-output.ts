// What the security tests share: a sink writing through a connection, and the checks that a secret shows nowhere
// (everything printed or logged by the Kafka client while a test runs, and every text of an error's cause tree).
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { type JwtClaims, type SecureKafka, unsecuredJwt } from '../../../scripts/kafka-secure.ts';
import { KafkaAdmin, type KafkaConnection } from '../../../src/connectors/kafka/index.ts';
import { Stream, type TwinstreamError } from '../../../src/index.ts';

/** An unsigned token for the broker's OAUTHBEARER validator: valid for an hour, with its scope, unless overridden. */
export function token(kafka: SecureKafka, claims: JwtClaims = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return unsecuredJwt({ sub: 'oauth-user', iat: now, exp: now + 3600, scope: kafka.oauth.scope, ...claims });
}

/** Writes `values` to `topic` through a toKafka sink (keyed 'k'), creating the topic first if asked. */
export async function write(
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

/** The `debug` logger @platformatic/kafka writes its own log through (DEBUG=plt:kafka:*). */
type Debug = { enable(namespaces: string): void; disable(): string; log: (...args: unknown[]) => void };

/**
 * Everything printed through the console or written to stdout/stderr while `fn` runs, and everything the Kafka
 * client logs with its debug logging of events switched on (connections, SASL handshakes, retries, failures). Not
 * its protocol log (`plt:kafka:protocol`): that dumps the first 50 bytes of every request, and a SASL PLAIN
 * request carries the password's first bytes there (@platformatic/kafka 2.12.1; README says so).
 */
export async function capturingOutput<T>(fn: () => Promise<T>): Promise<{ result: T; printed: string }> {
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
export function allText(error: unknown): string {
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
export function assertHidden(text: string, secret: string, user: string): void {
  const forms = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(`\0${user}\0${secret}`).toString('base64'),
    Buffer.from(secret).toString('hex'),
  ];
  for (const f of forms) assert.ok(!text.includes(f), `a form of the password appears in:\n${text.slice(0, 3000)}`);
}

/** Asserts an OAUTHBEARER token, or its claims part (what identifies it), shows nowhere in `text`. */
export function assertTokenHidden(text: string, token: string): void {
  const claims = token.split('.')[1];
  for (const f of [token, ...(claims && claims.length > 8 ? [claims] : [])]) {
    assert.ok(!text.includes(f), `the token appears in:\n${text.slice(0, 3000)}`);
  }
}

/** Runs `fn`, which must fail; returns the error and how long it took, with everything printed meanwhile. */
export async function failure(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number; printed: string }> {
  const t0 = performance.now();
  const { result: error, printed } = await capturingOutput(() =>
    fn().then(
      () => null,
      (e: unknown) => e,
    ),
  );
  return { error, ms: performance.now() - t0, printed };
}

/** Creates a topic through a `KafkaAdmin` on `connection` (closed after): what an admin's refusal looks like. */
export async function ensureTopicOn(connection: KafkaConnection, topic: string): Promise<void> {
  const admin = new KafkaAdmin(connection);
  try {
    await admin.ensureTopics([{ name: topic }]);
  } finally {
    await admin.close();
  }
}

/** Runs a source on `connection` until it ends (it fails when the broker refuses it). */
export async function runSourceOn(
  connection: KafkaConnection,
  topic: string,
  onConsumerError?: (e: TwinstreamError) => void,
): Promise<void> {
  const source = Stream.fromKafka(topic, {
    ...connection,
    groupId: `${topic}-group`,
    ...(onConsumerError ? { onConsumerError } : {}),
  });
  source.sink(() => {});
  source.start();
  await source.done;
}
