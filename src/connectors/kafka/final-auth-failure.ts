// A refused SASL authentication is final: the same credentials will be refused again, so retrying only delays the
// error (Kafka's Java client treats SaslAuthenticationException as fatal too). @platformatic/kafka 2.12.1 reports
// the refusal as a NetworkError "Connection to host:port failed." that is marked retriable (`canRetry: true`) and
// holds the AuthenticationError (`canRetry: false`) as its `cause`; its retry loop looks at `canRetry` of the errors
// in an aggregate but never at causes, so it retries `retries` times (~0.8 s each: a handshake and `retryDelay`).
// An idempotent producer is worse off: the client raises its `retries` of 0 or 1 to Number.MAX_SAFE_INTEGER, and a
// send with wrong credentials then never settles. This hands such a connection failure on as a (not retriable)
// AuthenticationError where the client gets its connections (every request of a client goes through these two
// methods), so the operation fails at the first refusal (`kafkaError` makes it TS_KAFKA_AUTH).

import { findSymbol } from './fast-produce.ts';

type Kafka = typeof import('@platformatic/kafka');
type Callback = (error: unknown, result?: unknown) => void;

/** Whether `error` or an error in its cause chain is the client's AuthenticationError. */
function causedByAuthentication(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if ((e as { code?: unknown }).code === 'PLT_KFK_AUTHENTICATION') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The error to hand on for a failed connection: when it (or an error of its aggregate, "Cannot connect to any
 * broker.") was caused by a refused authentication, the client's own AuthenticationError wrapping it, which is not
 * retriable; otherwise the error itself. (The client's errors are frozen: `canRetry` cannot be changed in place.)
 */
function finalError(kafka: Kafka, error: unknown): unknown {
  const errors = (error as { errors?: unknown } | null)?.errors;
  const all = Array.isArray(errors) ? [error, ...errors] : [error];
  if (!all.some(causedByAuthentication)) return error;
  return new kafka.AuthenticationError('SASL authentication failed.', { cause: error as Error });
}

/**
 * Makes a @platformatic/kafka client (producer, consumer or admin) fail at the first refused SASL authentication
 * instead of retrying it; returns whether it could (another client version without these methods keeps retrying,
 * and the caller's timeout still bounds the wait).
 *
 * @example
 * const producer = new Producer(options);
 * failOnRefusedAuthentication(kafka, producer);
 */
export function failOnRefusedAuthentication(kafka: Kafka, client: object): boolean {
  const getConnection = findSymbol(client, 'plt.kafka.base.getConnection');
  const getBootstrap = findSymbol(client, 'plt.kafka.base.getBootstrapConnection');
  if (getConnection === undefined || getBootstrap === undefined) return false;
  const c = client as Record<symbol, (...args: any[]) => void>;
  const connection = c[getConnection]!;
  const bootstrap = c[getBootstrap]!;
  if (typeof connection !== 'function' || typeof bootstrap !== 'function') return false;
  c[getConnection] = function (this: unknown, broker: unknown, callback: Callback): void {
    connection.call(this, broker, (error: unknown, result?: unknown) => {
      callback(error ? finalError(kafka, error) : error, result);
    });
  };
  c[getBootstrap] = function (this: unknown, callback: Callback, attempt?: number): void {
    bootstrap.call(
      this,
      (error: unknown, result?: unknown) => {
        callback(error ? finalError(kafka, error) : error, result);
      },
      attempt,
    );
  };
  return true;
}
