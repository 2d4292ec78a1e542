import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';

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
}

/** Brokers as a list. */
export function brokerList(brokers: string | readonly string[], where: string): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : [...(brokers ?? [])];
  const out = list.map((b) => String(b).trim()).filter((b) => b !== '');
  if (out.length === 0 || out.some((b) => !/^[^\s:]+:\d+$|^\[[^\]]+\]:\d+$/.test(b))) {
    badArgument(where, 'brokers', brokers, "'host:port', a comma-separated list of them, or an array");
  }
  return out;
}

/** The options @platformatic/kafka's clients share, built from a connection. */
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
  }
  if (connection.tls) options.tls = connection.tls === true ? {} : connection.tls;
  return options;
}

/** The timeout of a connection, in ms. */
export function timeoutOf(connection: KafkaConnection, where: string): number {
  return toMillis(connection.timeout ?? 30_000, `${where}: timeout`);
}

/** The secrets of a connection (to scrub from any text that leaves twinstream). */
function secretsOf(connection: KafkaConnection | undefined): string[] {
  const s = connection?.sasl;
  if (!s) return [];
  return [s.password, s.token, s.username].filter((v): v is string => typeof v === 'string' && v.length >= 3);
}

/** Replaces every secret of `connection` in `text` with `***`. */
export function scrub(text: string, connection: KafkaConnection | undefined): string {
  let out = text;
  for (const secret of secretsOf(connection)) out = out.split(secret).join('***');
  return out;
}

/**
 * A `TwinstreamError` for a failed Kafka operation: the message names what failed and where, the cause is kept
 * unless its text holds a credential (then a scrubbed copy replaces it).
 *
 * @example
 * throw kafkaError('TS_KAFKA_PRODUCE', 'producing to "out" failed', error, config);
 */
export function kafkaError(
  code: string,
  message: string,
  cause: unknown,
  connection: KafkaConnection | undefined,
  context: Record<string, unknown> = {},
): TwinstreamError {
  const causeText = describeCause(cause);
  const clean = scrub(causeText, connection);
  const safeCause = clean === causeText ? cause : new Error(clean);
  return new TwinstreamError(code, scrub(`${message}${clean ? `: ${clean}` : ''}`, connection), {
    ...(safeCause === undefined ? {} : { cause: safeCause }),
    context,
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

/**
 * Waits for `promise` at most `ms`; past that, fails with `TS_KAFKA_TIMEOUT` naming `what`. The promise itself is
 * not cancelled (the client's own request timeout ends it).
 *
 * @example
 * await withTimeout(admin.metadata({ topics: [] }), 30_000, 'fetching metadata from 127.0.0.1:9092');
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
            scrub(`${what} did not finish within ${ms} ms; is the broker reachable?`, connection),
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
