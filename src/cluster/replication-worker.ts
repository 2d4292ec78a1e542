import { hostname } from 'node:os';
// The entry point, so that the operators the graph below uses are on Stream.
import { Application } from '../app/index.ts';
import type { KafkaConnection } from '../connectors/kafka/connection.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import { validateModel } from '../sim/model/validate.ts';
import { runReplication } from '../sim/replicate/run-replication.ts';
import { realClock } from '../time/clock.ts';
import type { Duration } from '../time/duration.ts';
import {
  REPLICATION_TOPICS,
  type ReplicationResultMessage,
  type ReplicationWorkItem,
  replicationSerde,
} from './replication-messages.ts';

/** How a replication worker reads its work and where it writes the results. */
export interface ReplicationWorkerOptions extends KafkaConnection {
  /** The consumer group the workers share (default `twinstream-replication-workers`). */
  groupId?: string;
  /** The topic of work items (default `twinstream-replications`). */
  workTopic?: string;
  /** The topic results go to (default `twinstream-replication-results`). */
  resultTopic?: string;
  /**
   * Partitions of the work topic when this worker creates it (default 8): the most workers that get work at once,
   * as each partition is read by one member of the group.
   */
  partitions?: number;
  /** How long the group waits for a silent worker before its items go to another (default `'10s'`). */
  sessionTimeout?: Duration;
  /** Stops the worker: the replication under way finishes and its result is written first. */
  signal?: AbortSignal;
  /** Drain and stop on SIGTERM/SIGINT (default false; the command line turns it on). */
  handleSignals?: boolean;
  /** Called with each result as it is handed to the producer. */
  onResult?: (result: ReplicationResultMessage) => void;
}

/** What a worker did before it stopped. */
export interface ReplicationWorkerCounts {
  /** Replications run and written. */
  replications: number;
  /** Replications that failed (their error written as the result). */
  failed: number;
  /** Work items skipped: past their deadline, or not work items. */
  skipped: number;
}

/**
 * Runs replications for coordinators (`replicateOverKafka`, `twinstream sim run --kafka`) until stopped: a Kafka
 * application in a consumer group that reads work items, runs each as `replicate` would run it on a worker thread
 * (unpaced, no I/O), and writes its statistics to the results topic. Start as many as there are cores, on as many
 * machines: the group spreads the work topic's partitions among them. At-least-once: an item's offset is committed
 * once its result is written, so the items of a worker that dies go to another (the coordinator drops repeats).
 *
 * @example
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * const counts = await runReplicationWorker({ brokers: 'localhost:9092', signal: stop.signal });
 */
export async function runReplicationWorker(options: ReplicationWorkerOptions): Promise<ReplicationWorkerCounts> {
  const where = 'runReplicationWorker';
  const partitions = options.partitions ?? 8;
  if (!Number.isInteger(partitions) || partitions < 1) {
    badArgument(where, 'partitions', partitions, 'an integer >= 1');
  }
  const groupId = options.groupId ?? REPLICATION_TOPICS.group;
  if (typeof groupId !== 'string' || groupId === '') badArgument(where, 'groupId', groupId, 'a consumer group name');
  const {
    workTopic = REPLICATION_TOPICS.work,
    resultTopic = REPLICATION_TOPICS.results,
    signal,
    onResult,
    handleSignals,
    partitions: _p,
    groupId: _g,
    ...connection
  } = options;
  const worker = `${hostname()}:${process.pid}`;
  const counts: ReplicationWorkerCounts = { replications: 0, failed: 0, skipped: 0 };
  const app = new Application({
    ...connection,
    groupId,
    autoOffsetReset: 'earliest',
    // Each result is committed as soon as it is written: a worker killed later redoes nothing it finished.
    commitEvery: 1,
    changelog: false,
  });
  const work = app.topic<string, ReplicationWorkItem>(workTopic, { value: replicationSerde, partitions });
  const results = app.topic<string, ReplicationResultMessage>(resultTopic, { value: replicationSerde });
  app
    .stream(work)
    .filter((r: KafkaRecord<string, ReplicationWorkItem>) => {
      const ok = isWorkItem(r.value) && (r.value.deadline === null || r.value.deadline > realClock.now());
      if (!ok) counts.skipped++;
      return ok;
    })
    // One replication at a time: they are CPU-bound, and more processes use more cores.
    .mapAsync((r) => run(r.value, worker, counts))
    .toTopic(results, { key: (m) => m.job });
  let stopped: Promise<void> | null = null;
  const onAbort = () => {
    stopped ??= app.stop();
  };
  if (signal?.aborted) return counts;
  signal?.addEventListener('abort', onAbort);
  try {
    await app.run({ handleSignals: handleSignals ?? false });
    await stopped;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return counts;

  async function run(item: ReplicationWorkItem, who: string, c: ReplicationWorkerCounts) {
    const t0 = performance.now();
    let out: ReplicationResultMessage;
    try {
      // Read from a topic: validated again, as any model from outside is.
      const spec = await validateModel(item.spec, `the model of work item ${item.index} of job ${item.job}`);
      const o = await runReplication({ spec, seed: item.seed, until: item.until, stats: item.stats });
      c.replications++;
      out = {
        job: item.job,
        index: item.index,
        seed: item.seed,
        worker: who,
        wallSeconds: (performance.now() - t0) / 1000,
        statistics: o.statistics,
        events: o.events,
      };
    } catch (error) {
      c.failed++;
      out = {
        job: item.job,
        index: item.index,
        seed: item.seed,
        worker: who,
        wallSeconds: (performance.now() - t0) / 1000,
        error: (error as Error)?.message ?? String(error),
        code: error instanceof TwinstreamError ? error.code : 'TS_SIM_REPLICATION_FAILED',
      };
    }
    onResult?.(out);
    return out;
  }
}

// A record of the work topic that is not a work item (written by something else) is skipped, not run.
function isWorkItem(v: unknown): v is ReplicationWorkItem {
  const w = v as ReplicationWorkItem;
  return (
    w !== null &&
    typeof w === 'object' &&
    typeof w.job === 'string' &&
    Number.isInteger(w.index) &&
    Number.isInteger(w.seed) &&
    typeof w.until === 'number' &&
    (w.deadline === null || typeof w.deadline === 'number') &&
    w.spec !== null &&
    typeof w.spec === 'object'
  );
}
