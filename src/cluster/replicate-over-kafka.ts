import { randomUUID } from 'node:crypto';
import { KafkaAdmin } from '../connectors/kafka/admin.ts';
import { portOf } from '../connectors/kafka/broker-port.ts';
import { clientOptions, type KafkaConnection, timeoutOf, withTimeout } from '../connectors/kafka/connection.ts';
import type { PortConsumer, PortMessages } from '../connectors/kafka/kafka-port.ts';
import { KafkaProducer, type OutgoingMessage } from '../connectors/kafka/producer.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import type { ModelSpec } from '../sim/model/spec.ts';
import {
  planReplications,
  type ReplicateOptions,
  type ReplicationSummary,
  summariseReplications,
} from '../sim/replicate/replicate.ts';
import { realClock } from '../time/clock.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { gatherResults } from './gather-results.ts';
import {
  REPLICATION_TOPICS,
  type ReplicationResultMessage,
  type ReplicationWorkItem,
  replicationSerde,
} from './replication-messages.ts';

/** How to replicate a model on the workers of a Kafka cluster. */
export interface KafkaReplicateOptions extends Omit<ReplicateOptions, 'workers'>, KafkaConnection {
  /** The topic of work items the workers read (default `twinstream-replications`). */
  workTopic?: string;
  /** The topic the workers write results to (default `twinstream-replication-results`). */
  resultTopic?: string;
  /** Partitions of the work topic when it is created here (default 8; the workers' default too). */
  partitions?: number;
  /** Give up when no new result came for this long (default `'5m'`): no worker is running, or all are stuck. */
  resultTimeout?: Duration;
  /** Work items not started by then are skipped by the workers (default: none expire). */
  expireAfter?: Duration;
  /** Called with each new result (repeats of a replication are not reported), and how many are in. */
  onResult?: (result: ReplicationResultMessage, received: number, total: number) => void;
}

/** What `replicateOverKafka` found: `replicate`'s summary, and who ran what. */
export interface KafkaReplicationSummary extends ReplicationSummary {
  /** The job id the work items and results carry. */
  job: string;
  /** Replications per worker (`host:pid`). */
  byWorker: Record<string, number>;
  /** Results of a replication received again (a worker died after writing it, before committing): dropped. */
  duplicates: number;
}

const MAX_ITEM_BYTES = 900_000; // under Kafka's default message limit (1 MB), with room for the record framing

/**
 * Runs the replications of `replicate` on the workers of a Kafka cluster (`runReplicationWorker`,
 * `twinstream sim worker`): one work item per replication (the model, its seed, its index) to the work topic, the
 * results gathered from the results topic until all are in. The seeds are spawned as `replicate` spawns them, so
 * the summary is the one `replicate` gives for the same seed, whatever ran where. A result received twice (a
 * worker died after writing it) counts once. Fails with `TS_SIM_REPLICATION_TIMEOUT` when no result came for
 * `resultTimeout`, and with `TS_SIM_REPLICATION_FAILED` when a replication failed on its worker.
 *
 * @example
 * const r = await replicateOverKafka('examples/models/line-a.yaml', {
 *   brokers: 'localhost:9092',
 *   replications: 20,
 *   until: 3600,
 * });
 * for (const m of r.measures) console.log(m.name, m.mean, '±', m.halfWidth);
 */
export async function replicateOverKafka(
  model: string | ModelSpec,
  options: KafkaReplicateOptions,
): Promise<KafkaReplicationSummary> {
  const where = 'replicateOverKafka';
  const workTopic = options.workTopic ?? REPLICATION_TOPICS.work;
  const resultTopic = options.resultTopic ?? REPLICATION_TOPICS.results;
  for (const [name, v] of [
    ['workTopic', workTopic],
    ['resultTopic', resultTopic],
  ] as const) {
    if (typeof v !== 'string' || v === '') badArgument(where, name, v, 'a topic name');
  }
  if (workTopic === resultTopic) badArgument(where, 'resultTopic', resultTopic, 'a topic other than workTopic');
  const partitions = options.partitions ?? 8;
  if (!Number.isInteger(partitions) || partitions < 1) badArgument(where, 'partitions', partitions, 'an integer >= 1');
  const silence = toMillis(options.resultTimeout ?? '5m', `${where}: resultTimeout`);
  const expire = options.expireAfter === undefined ? null : toMillis(options.expireAfter, `${where}: expireAfter`);
  clientOptions(options, where, 'coordinator');
  const plan = await planReplications(model, options, where);
  const job = randomUUID();
  const t0 = performance.now();
  const deadline = expire === null ? null : realClock.now() + expire;
  const items: OutgoingMessage[] = plan.tasks.map((t, index) => {
    const item: ReplicationWorkItem = {
      job,
      index,
      of: plan.tasks.length,
      seed: t.seed,
      until: t.until,
      stats: t.stats,
      deadline,
      spec: t.spec,
    };
    return { topic: workTopic, key: Buffer.from(`${job}:${index}`), value: replicationSerde.serialize(item) };
  });
  const size = items[0]!.value!.length;
  if (size > MAX_ITEM_BYTES) {
    throw new TwinstreamError(
      'TS_SIM_WORK_ITEM_TOO_LARGE',
      `${where}: a work item of ${plan.spec.simId} is ${size} bytes, more than ${MAX_ITEM_BYTES} a Kafka message holds by default (replayed arrivals travel in it); replicate on one machine with --workers, or replay fewer rows`,
      { context: { bytes: size } },
    );
  }

  const admin = new KafkaAdmin(options);
  let workPartitions: number;
  try {
    await admin.ensureTopics([
      { name: workTopic, partitions },
      { name: resultTopic, partitions: 1 },
    ]);
    workPartitions = await admin.partitions(workTopic);
  } finally {
    await admin.close();
  }
  const consumer: PortConsumer = await portOf(options).consumer(
    {
      ...clientOptions(options, where, 'results'),
      groupId: `twinstream-replication-coordinator-${job}`,
      autocommit: false,
      maxWaitTime: 100,
    },
    false,
  );
  const producer = new KafkaProducer(options);
  let messages: PortMessages | null = null;
  const abandon = new AbortController();
  try {
    const timeout = timeoutOf(options, where);
    // The results written from now on: the end of each partition, read before the first item goes out.
    const ends = await withTimeout(
      consumer.listOffsets({ topics: [resultTopic] }),
      timeout,
      `listing the offsets of ${resultTopic}`,
      options,
    );
    messages = await consumer.consume({
      topics: [resultTopic],
      mode: 'manual',
      offsets: (ends.get(resultTopic) ?? [0n]).map((offset, partition) => ({ topic: resultTopic, partition, offset })),
      autocommit: false,
    });
    const gathered = gatherResults(messages, {
      job,
      total: plan.tasks.length,
      silence,
      resultTopic,
      workTopic,
      onResult: options.onResult,
      abandoned: abandon.signal,
    });
    // Awaited below; a failed send must not leave it to reject unheard.
    gathered.catch(() => {});
    // Spread over the partitions in turn, so that every worker of the group gets a share.
    await producer.send(items.map((m, i) => ({ ...m, partition: i % workPartitions })));
    const { runs, byWorker, duplicates } = await gathered;
    return {
      ...summariseReplications(plan, runs, (performance.now() - t0) / 1000),
      job,
      byWorker,
      duplicates,
    };
  } finally {
    abandon.abort();
    await messages?.close().catch(() => {});
    await consumer.close(true).catch(() => {});
    await producer.close().catch(() => {});
  }
}
