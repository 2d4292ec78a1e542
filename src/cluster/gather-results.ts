import type { PortMessages } from '../connectors/kafka/kafka-port.ts';
import type { RawMessage } from '../connectors/kafka/record-decoder.ts';
import { TwinstreamError } from '../errors.ts';
import type { ReplicationOutcome } from '../sim/replicate/run-replication.ts';
import { realClock, type Timer } from '../time/clock.ts';
import { type ReplicationResultMessage, replicationSerde } from './replication-messages.ts';

/** What `gatherResults` waits for, and where it reports. @internal */
export interface GatherOptions {
  job: string;
  total: number;
  /** Milliseconds without a new result before giving up. */
  silence: number;
  resultTopic: string;
  workTopic: string;
  onResult: ((result: ReplicationResultMessage, received: number, total: number) => void) | undefined;
  /** Aborted when the coordinator failed elsewhere: nobody waits for the results any more. */
  abandoned: AbortSignal;
}

/** What came back: each replication's outcome by index, the replications per worker, and the repeats dropped. */
export interface GatheredResults {
  runs: ReplicationOutcome[];
  byWorker: Record<string, number>;
  duplicates: number;
}

/**
 * Reads the results of `job` from the results topic until all `total` are in (each index once; a repeat is
 * counted and dropped), a replication failed on its worker (`TS_SIM_REPLICATION_FAILED`), or `silence` ms passed
 * without a new one (`TS_SIM_REPLICATION_TIMEOUT`). Results of other jobs, and records that are not results, are
 * passed over: the topic is shared.
 *
 * @example
 * const { runs, byWorker } = await gatherResults(messages, { job, total: 20, silence: 300_000, ... });
 * @internal
 */
export function gatherResults(messages: PortMessages, o: GatherOptions): Promise<GatheredResults> {
  const { job, total, silence, resultTopic, workTopic, onResult, abandoned } = o;
  const runs: (ReplicationOutcome | undefined)[] = new Array(total);
  const byWorker: Record<string, number> = {};
  let received = 0;
  let duplicates = 0;
  let lastNews = realClock.now();
  return new Promise((resolve, reject) => {
    const finish = (error?: unknown) => {
      timer?.cancel();
      messages.removeAllListeners('data');
      abandoned.removeEventListener('abort', onAbandon);
      if (error !== undefined) reject(error);
      else resolve({ runs: runs as ReplicationOutcome[], byWorker, duplicates });
    };
    // The coordinator failed elsewhere (a send): stop the timer, nobody waits for the results any more.
    const onAbandon = () => finish(new TwinstreamError('TS_SIM_REPLICATION_FAILED', 'the replications were abandoned'));
    abandoned.addEventListener('abort', onAbandon);
    // On the wall clock: a timer re-armed until the results are in.
    let timer: Timer | null = null;
    const check = () => {
      timer = realClock.setTimer(Math.min(1000, Math.max(10, silence / 10)), check);
      if (realClock.now() - lastNews < silence) return;
      finish(
        new TwinstreamError(
          'TS_SIM_REPLICATION_TIMEOUT',
          `${received} of ${total} replications came back on ${resultTopic}, and none for ${silence} ms: start workers (twinstream sim worker --kafka <brokers>) reading ${workTopic} on the same brokers, or give a longer timeout`,
          { context: { job, received, total, resultTopic, workTopic } },
        ),
      );
    };
    check();
    messages.on('error', (e) => finish(e));
    messages.on('data', (m: RawMessage) => {
      if (m.value === null || m.value === undefined) return;
      let r: ReplicationResultMessage;
      try {
        r = replicationSerde.deserialize(m.value) as ReplicationResultMessage;
      } catch {
        return; // not a result of ours: the topic is shared
      }
      if (r?.job !== job || !Number.isInteger(r.index) || r.index < 0 || r.index >= total) return;
      if ('error' in r) {
        finish(
          new TwinstreamError(
            'TS_SIM_REPLICATION_FAILED',
            `replication ${r.index} (seed ${r.seed}) failed on worker ${r.worker}: ${r.error}`,
            { context: { job, index: r.index, seed: r.seed, worker: r.worker, code: r.code } },
          ),
        );
        return;
      }
      if (runs[r.index] !== undefined) {
        duplicates++;
        return;
      }
      runs[r.index] = { seed: r.seed, statistics: r.statistics, events: r.events };
      byWorker[r.worker] = (byWorker[r.worker] ?? 0) + 1;
      received++;
      lastNews = realClock.now();
      onResult?.(r, received, total);
      if (received === total) finish();
    });
  });
}
