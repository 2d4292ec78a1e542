import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { inspect } from 'node:util';
import { badArgument, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import type { KafkaPort } from './kafka-port.ts';

/** SASL credentials, passed to the client as they are; they never appear in errors or logs. */
export interface KafkaSasl {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
  username?: string | (() => string | Promise<string>);
  password?: string | (() => string | Promise<string>);
  token?: string | (() => string | Promise<string>);
}

/** Where the brokers are and how to talk to them: what every Kafka source, sink and client shares. */
export interface KafkaConnection {
  /** Bootstrap brokers: `'host:port'`, a comma-separated list, or an array. */
  brokers: string | readonly string[];
  /** The client id the brokers see. Default `'twinstream'`. */
  clientId?: string;
  /** SASL (PLAIN, SCRAM, OAUTHBEARER). */
  sasl?: KafkaSasl;
  /** TLS: `true` for the system's CAs, or Node's TLS options (ca, cert, key...). */
  tls?: boolean | TlsOptions;
  /** How long any single network wait of twinstream may take before it fails with `TS_KAFKA_TIMEOUT`. Default 30 s. */
  timeout?: Duration;
  /** Time to open a connection. Default 10 s. */
  connectTimeout?: Duration;
  /** Retries of a failed request before it fails (the client's own; default 10, 500 ms apart). */
  retries?: number;
  retryDelay?: Duration;
  /**
   * The Kafka client to work through: real brokers by default, or an in-memory cluster (`new MemoryKafka()`) to
   * test an application without a broker, in virtual time.
   */
  client?: KafkaPort;
}

/** @internal Brokers as a list. */
export function brokerList(brokers: string | readonly string[], where: string): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : [...(brokers ?? [])];
  const out = list.map((b) => String(b).trim()).filter((b) => b !== '');
  if (out.length === 0 || out.some((b) => !/^[^\s:]+:\d+$|^\[[^\]]+\]:\d+$/.test(b))) {
    badArgument(where, 'brokers', brokers, "'host:port', a comma-separated list of them, or an array");
  }
  return out;
}

/** @internal The options @platformatic/kafka's clients share, built from a connection. */
export function clientOptions(connection: KafkaConnection, where: string, suffix: string): Record<string, unknown> {
  if (connection === null || typeof connection !== 'object')
    badArgument(where, 'config', connection, 'an object with brokers');
  const options: Record<string, unknown> = {
    clientId: `${connection.clientId ?? 'twinstream'}-${suffix}`,
    bootstrapBrokers: brokerList(connection.brokers, where),
    connectTimeout: toMillis(connection.connectTimeout ?? 10_000, `${where}: connectTimeout`),
    requestTimeout: toMillis(connection.timeout ?? 30_000, `${where}: timeout`),
    retries: connection.retries ?? 10,
    retryDelay: toMillis(connection.retryDelay ?? 500, `${where}: retryDelay`),
  };
  if (connection.sasl !== undefined) {
    const m = connection.sasl?.mechanism;
    if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'].includes(m)) {
      badArgument(where, 'sasl.mechanism', m, "'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512' or 'OAUTHBEARER'");
    }
    options.sasl = { ...connection.sasl };
    if (m === 'OAUTHBEARER') (options.sasl as Record<string, unknown>).authBytesValidator ??= oauthBearerAnswer;
  }
  if (connection.tls) options.tls = connection.tls === true ? {} : connection.tls;
  return options;
}

/**
 * Reads the broker's answer to an OAUTHBEARER token. A broker that refuses the token does not fail the exchange
 * at once: it answers with an RFC 7628 error (`{"status":"invalid_token"}`, or `insufficient_scope` with the
 * scope it wants) and waits for the client to end it. @platformatic/kafka 2.12.1 takes any answer for a success,
 * and its next request is then refused as "not valid given the current SASL state", which says nothing of the
 * token. An error here makes it the authentication failure it is (the client wraps it in its AuthenticationError).
 */
function oauthBearerAnswer(bytes: Buffer, callback: (error: Error | null, bytes?: Buffer) => void): void {
  let answer: { status?: unknown; scope?: unknown } = {};
  try {
    if (bytes.length > 0) answer = JSON.parse(bytes.toString('utf8'));
  } catch {
    answer = { status: 'an answer that is not JSON' };
  }
  if (answer?.status === undefined) {
    callback(null, bytes);
    return;
  }
  const scope = typeof answer.scope === 'string' ? `, scope wanted: ${answer.scope}` : '';
  const error = new Error(`the broker refused the OAUTHBEARER token (${String(answer.status)}${scope})`);
  callback(Object.assign(error, { oauthBearerStatus: String(answer.status) }));
}

/** @internal The timeout of a connection, in ms. */
export function timeoutOf(connection: KafkaConnection, where: string): number {
  return toMillis(connection.timeout ?? 30_000, `${where}: timeout`);
}

/** The secrets of a connection (to scrub from any text that leaves twinstream). */
function secretsOf(connection: KafkaConnection | undefined): string[] {
  const s = connection?.sasl;
  if (!s) return [];
  return [s.password, s.token, s.username].filter((v): v is string => typeof v === 'string' && v.length >= 3);
}

/** @internal Replaces every secret of `connection` in `text` with `***`. */
export function scrub(text: string, connection: KafkaConnection | undefined): string {
  let out = text;
  for (const secret of secretsOf(connection)) out = out.split(secret).join('***');
  return out;
}

/** Node's codes for a broker certificate that does not verify. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Every error in a cause tree (causes and the errors of aggregates), breadth first, at most 64. */
function errorTree(root: unknown): Error[] {
  const out: Error[] = [];
  const queue: unknown[] = [root];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < 64) {
    const e = queue.shift();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    out.push(e);
    const nested = e as { cause?: unknown; errors?: unknown[] };
    if (Array.isArray(nested.errors)) queue.push(...nested.errors);
    if (nested.cause !== undefined) queue.push(nested.cause);
  }
  return out;
}

/**
 * What a failure of authentication or of TLS looks like, found anywhere in the cause tree: the client reports it
 * deep inside "Cannot connect to any broker" and retry aggregates. `null` for any other failure.
 */
function securityFailure(
  cause: unknown,
  connection: KafkaConnection | undefined,
): { code: 'TS_KAFKA_AUTH' | 'TS_KAFKA_TLS'; text: string } | null {
  const tree = errorTree(cause);
  for (const e of tree) {
    const code = (e as { code?: unknown }).code;
    if (code === 'PLT_KFK_AUTHENTICATION' || /SASL authentication failed/i.test(e.message)) {
      const said = tree
        .map((x) => (x as { response?: { errorMessage?: unknown } }).response?.errorMessage)
        .find((m): m is string => typeof m === 'string' && m !== '');
      const sasl = connection?.sasl;
      const refusedToken = tree.find(
        (x) => typeof (x as { oauthBearerStatus?: unknown }).oauthBearerStatus === 'string',
      );
      const reason = said ?? refusedToken?.message;
      const check =
        sasl?.mechanism === 'OAUTHBEARER'
          ? 'check sasl.token (its expiry, scope and signature)'
          : 'check sasl.username and sasl.password';
      return {
        code: 'TS_KAFKA_AUTH',
        text: `SASL authentication failed (mechanism ${sasl?.mechanism ?? 'unknown'})${reason ? `; ${said ? 'the broker says: ' : ''}${reason}` : ''}; ${check}`,
      };
    }
    if (/^Broker requires TLS/.test(e.message)) {
      return {
        code: 'TS_KAFKA_TLS',
        text: 'the listener speaks TLS and the connection does not; set tls (true, or { ca } for a private CA)',
      };
    }
    if (
      /^TLS handshake failed/.test(e.message) &&
      !tree.some((x) => TLS_CODES.has(String((x as { code?: unknown }).code)))
    ) {
      return {
        code: 'TS_KAFKA_TLS',
        text: `TLS failed: ${e.message} (is this a TLS listener? a PLAINTEXT or SASL_PLAINTEXT port does not speak TLS)`,
      };
    }
    if (typeof code === 'string' && TLS_CODES.has(code)) {
      const hint =
        code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER'
          ? 'is this a TLS listener? (tls is set; a PLAINTEXT or SASL_PLAINTEXT port does not speak TLS)'
          : "the broker's certificate did not verify; give its CA as tls.ca (PEM)";
      return { code: 'TS_KAFKA_TLS', text: `TLS failed: ${e.message} (${code}); ${hint}` };
    }
  }
  return null;
}

/** Whether any message in the cause tree (or a field the client attached) holds a secret of `connection`. */
function leaksSecret(cause: unknown, connection: KafkaConnection | undefined): boolean {
  const secrets = secretsOf(connection).filter((s) => s !== connection?.sasl?.username);
  if (secrets.length === 0) return false;
  let text: string;
  try {
    text = inspect(cause, { depth: 8, breakLength: Number.POSITIVE_INFINITY });
  } catch {
    return true;
  }
  return secrets.some((s) => text.includes(s));
}

/**
 * A `TwinstreamError` for a failed Kafka operation: the message names what failed and where, the cause is kept
 * unless anything in it holds a credential (then a scrubbed copy of its text replaces it). A failed SASL
 * authentication becomes `TS_KAFKA_AUTH` and a TLS failure `TS_KAFKA_TLS` whatever the operation (`code` is then
 * kept as `context.operation`): retrying either does not help, and the reason is said first.
 *
 * @example
 * throw kafkaError('TS_KAFKA_PRODUCE', 'producing to "out" failed', error, config);
 * @internal
 */
export function kafkaError(
  code: TwinstreamErrorCode,
  message: string,
  cause: unknown,
  connection: KafkaConnection | undefined,
  context: Record<string, unknown> = {},
): TwinstreamError {
  const security = cause === undefined ? null : securityFailure(cause, connection);
  const causeText = security ? security.text : describeCause(cause);
  const clean = scrub(causeText, connection);
  const safeCause = leaksSecret(cause, connection) ? new Error(scrub(describeCause(cause), connection)) : cause;
  return new TwinstreamError(security?.code ?? code, scrub(`${message}${clean ? `: ${clean}` : ''}`, connection), {
    ...(safeCause === undefined ? {} : { cause: safeCause }),
    context: security ? { ...context, operation: code } : context,
  });
}

/** The message of an error and of the first error nested in it (the client wraps failures in AggregateErrors). */
function describeCause(cause: unknown): string {
  if (cause === undefined) return '';
  if (!(cause instanceof Error)) return String(cause);
  let text = cause.message;
  let inner: unknown = cause;
  for (let depth = 0; depth < 4; depth++) {
    const next = (inner as { errors?: unknown[] }).errors?.[0] ?? (inner as { cause?: unknown }).cause;
    if (!(next instanceof Error) || text.includes(next.message)) break;
    text += ` (${next.message})`;
    inner = next;
  }
  return text;
}

/** What to check when a wait times out: reachability, and the credentials or TLS when the connection has them. */
function timeoutHint(connection: KafkaConnection | undefined): string {
  const checks = ['is the broker reachable'];
  if (connection?.sasl) checks.push(`are the SASL credentials (${connection.sasl.mechanism}) accepted`);
  if (connection?.tls) checks.push('is the listener a TLS one whose certificate verifies against tls.ca');
  return `${checks.join(', ')}?`;
}

/**
 * Waits for `promise` at most `ms`; past that, fails with `TS_KAFKA_TIMEOUT` naming `what`. The promise itself is
 * not cancelled (the client's own request timeout ends it).
 *
 * @example
 * await withTimeout(admin.metadata({ topics: [] }), 30_000, 'fetching metadata from 127.0.0.1:9092');
 * @internal
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  connection?: KafkaConnection,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TwinstreamError(
            'TS_KAFKA_TIMEOUT',
            scrub(`${what} did not finish within ${ms} ms; ${timeoutHint(connection)}`, connection),
            {
              context: { timeoutMs: ms },
            },
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
