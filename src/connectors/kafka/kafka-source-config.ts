import { badArgument, type TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { clientOptions, type KafkaConnection } from './connection.ts';
import { copartitionedAssigner } from './copartitioned-assigner.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { OffsetStore } from './offset-store.ts';
import type { KafkaRecord } from './record.ts';
import type { DecodeOptions } from './record-decoder.ts';

/** How a Kafka source consumes. */
export interface KafkaSourceConfig<K = unknown, V = unknown> extends KafkaConnection, DecodeOptions<K, V> {
  /** The consumer group: sources sharing it share the partitions. */
  groupId: string;
  /** Where a group without a committed offset starts: `'latest'` (default, as Kafka) or `'earliest'`. */
  autoOffsetReset?: 'earliest' | 'latest';
  /** How often finished offsets are committed. Default `'1s'`. */
  commitInterval?: Duration;
  /** Where messages that cannot become records go (with headers naming why). Default: none (skipped, counted). */
  deadLetterTopic?: string;
  /** Called for every dead-lettered message (after it was written to the dead-letter topic, if any). */
  onDeadLetter?: (letter: DeadLetter) => void;
  /** Called for errors the source survives (a failed commit, a lost connection it re-establishes). */
  onConsumerError?: (error: TwinstreamError) => void;
  /** `'read_committed'` to skip aborted transactions (exactly-once pipelines); default `'read_uncommitted'`. */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** Group session timeout. Default `'10s'`. */
  sessionTimeout?: Duration;
  /** Heartbeat interval. Default `'1s'`. */
  heartbeatInterval?: Duration;
  /** How long the broker may hold a fetch waiting for data. Default `'200ms'`. */
  maxWaitTime?: Duration;
  /**
   * Messages fetched ahead of processing (the client's buffer bound). Default 65 536: above the messages of one
   * fetch (see `fetchMaxBytes`), so that the next fetch is under way while these are handled; at 1024 the source
   * waited for each fetch (measured in bench/kafka.ts). Memory is bounded by about two fetches.
   */
  highWaterMark?: number;
  /**
   * Most bytes of records one fetch response holds (Kafka's `fetch.max.bytes`; a larger first batch still comes).
   * Default 1 MiB: the client reads a response across its network chunks at a cost that grows with its size, so
   * with its own 50 MB default a backlog cost about twice the CPU per message (measured in bench/kafka.ts).
   */
  fetchMaxBytes?: number;
  /** How long to keep trying to re-establish consumption after the connection failed. Default `'60s'`. */
  reconnectTimeout?: Duration;
  /** Also commit after this many messages (besides every `commitInterval`). Default: off. */
  commitEvery?: number;
  /**
   * Called when the pipeline throws on a record. Return `true` to dead-letter the message and go on; `false` (or
   * throw) to stop the source with the error. Default: stop (the message is not committed).
   */
  onProcessingError?: (error: unknown, record: KafkaRecord<K, V>) => boolean | Promise<boolean>;
  /**
   * Positions kept where the outputs are (`PostgresOffsets`): a partition's messages before the stored position
   * are skipped when it is assigned, so outputs written in one transaction with their offsets exist once.
   */
  offsetStore?: OffsetStore;
}

/** What a committer receives: for each partition, the next offset to read and the last message's group metadata. */
export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  message: unknown;
}

/** @internal The options of the client's consumer for a source (`kind` names the source in errors). */
export function consumerOptions(c: KafkaSourceConfig<any, any>, kind: string): Record<string, unknown> {
  return {
    ...clientOptions(c, kind, 'consumer'),
    groupId: c.groupId,
    autocommit: false,
    // Co-partitioned: partition p of every topic on one member (topic joins read p of both on one instance).
    partitionAssigner: copartitionedAssigner,
    sessionTimeout: toMillis(c.sessionTimeout ?? '10s', 'sessionTimeout'),
    heartbeatInterval: toMillis(c.heartbeatInterval ?? '1s', 'heartbeatInterval'),
    rebalanceTimeout: toMillis(c.sessionTimeout ?? '10s', 'sessionTimeout') * 2,
    maxWaitTime: toMillis(c.maxWaitTime ?? '200ms', 'maxWaitTime'),
    highWaterMark: c.highWaterMark ?? 65_536,
    maxBytes: fetchMaxBytes(c, kind),
    // Never the client's read_committed (its default, with a filter that drops committed records): a
    // read_committed source asks the broker itself (readCommittedConsumer).
    isolationLevel: 0,
  };
}

function fetchMaxBytes(c: KafkaSourceConfig<any, any>, kind: string): number {
  const n = c.fetchMaxBytes ?? 1024 * 1024;
  if (!Number.isInteger(n) || n < 1) badArgument(kind, 'fetchMaxBytes', c.fetchMaxBytes, 'a positive integer (bytes)');
  return n;
}
