import { connect } from 'node:net';
import { TwinstreamError } from '../../errors.ts';
import { toMillis } from '../../time/duration.ts';
import { brokerList, type KafkaConnection } from './connection.ts';

/** Causes that no retry within the next seconds will change: nothing listens there, or the name does not resolve. */
const HOPELESS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

/** Bootstrap lists reached once in this process: later connections skip the probe (a broker away is retried). */
const reached = new Set<string>();

type Outcome = 'connected' | 'no answer' | { address: string; code: string };

/** The outcome of one TCP connection attempt. */
function probe(address: string, ms: number): Promise<Outcome> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: Outcome) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(r);
    };
    // No answer in time is not a refusal: the client's own waits (bounded by `timeout`) take it from there.
    const timer = setTimeout(() => done('no answer'), ms);
    socket.once('connect', () => done('connected'));
    socket.once('error', (e: NodeJS.ErrnoException) => done({ address, code: String(e.code ?? e.message) }));
  });
}

/**
 * Before a client's first connection: fails fast with `TS_KAFKA_CONNECT` when no bootstrap broker can be reached
 * because each one refused the connection or does not resolve, naming every address and its cause. The client
 * would otherwise retry for a minute and then report a failed group join that says neither. Once any broker of
 * the list answered in this process, it is not probed again: a broker that goes away later is the client's to
 * retry.
 *
 * @example
 * await probeBrokers({ brokers: '127.0.0.1:1' }); // throws TS_KAFKA_CONNECT: ... 127.0.0.1:1 (ECONNREFUSED: connection refused)
 * @internal
 */
export async function probeBrokers(connection: KafkaConnection, where: string): Promise<void> {
  const list = brokerList(connection.brokers, where);
  const id = list.join(',');
  if (reached.has(id)) return;
  const ms = Math.min(
    toMillis(connection.connectTimeout ?? 10_000, `${where}: connectTimeout`),
    toMillis(connection.timeout ?? 30_000, `${where}: timeout`),
  );
  const outcomes = await Promise.all(list.map((b) => probe(b, ms)));
  if (outcomes.includes('connected')) {
    reached.add(id);
    return;
  }
  const failures = outcomes.filter((f) => typeof f === 'object');
  if (failures.length < outcomes.length || failures.some((f) => HOPELESS[f.code] === undefined)) return;
  const causes = failures.map((f) => `${f.address} (${f.code}: ${HOPELESS[f.code]})`);
  throw new TwinstreamError(
    'TS_KAFKA_CONNECT',
    `${where}: no Kafka broker reachable at ${causes.join(', ')}; check \`brokers\` (host and port of a listener) and that the broker runs`,
    { context: { brokers: list, causes: failures.map((f) => f.code) } },
  );
}
