import type { KafkaConnection } from '../connectors/kafka/connection.ts';
import type { OffsetStore } from '../connectors/kafka/offset-store.ts';
import type { KafkaProducerConfig } from '../connectors/kafka/producer.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import type { TwinstreamError } from '../errors.ts';
import type { Clock } from '../time/clock.ts';
import type { Duration } from '../time/duration.ts';

/**
 * How an application consumes, processes and produces (Quix's `Application` options). The consumer group is
 * `groupId`, as in `Stream.fromKafka` and in Kafka itself; `consumerGroup` (Quix's name) is still accepted.
 */
export type ApplicationConfig = ApplicationOptions &
  (
    | {
        /** The consumer group: start more processes with the same group and they share the partitions. */
        groupId: string;
        consumerGroup?: undefined;
      }
    | {
        /** @deprecated The consumer group under Quix's name: use `groupId`. */
        consumerGroup: string;
        groupId?: undefined;
      }
  );

/** The options of `ApplicationConfig` other than the consumer group. */
export interface ApplicationOptions extends KafkaConnection {
  /** Where a group without committed offsets starts. Default `'latest'`. */
  autoOffsetReset?: 'earliest' | 'latest';
  /** How often finished work is committed. Default `'1s'`. */
  commitInterval?: Duration;
  /** Also commit after this many messages. Default: off. */
  commitEvery?: number;
  /** `'at-least-once'` (default) or `'exactly-once'` (Kafka transactions, read_committed input). */
  processingGuarantee?: 'at-least-once' | 'exactly-once';
  /** Names this process in its transactional id (exactly-once): give each concurrent instance its own. Default `'0'`. */
  instanceId?: string;
  /** Create missing topics (inputs, outputs, dead letters) before running. Default true. */
  autoCreateTopics?: boolean;
  /** Where unreadable or failing messages go; `false` for nowhere (skipped, counted). Default `<groupId>-dead-letters`. */
  deadLetterTopic?: string | false;
  /** Errors the consumer survives (a failed commit, a reconnect). */
  onConsumerError?: (error: TwinstreamError) => void;
  /** A record the pipeline threw on: return true to dead-letter it and go on (the default), false to stop. */
  onProcessingError?: (error: unknown, record: KafkaRecord) => boolean;
  /** A failed produce (the application then stops: nothing past it is committed). */
  onProducerError?: (error: TwinstreamError) => void;
  /** Producer settings for `toTopic` (compression, acks, partitioner). */
  producer?: Pick<KafkaProducerConfig, 'compression' | 'acks' | 'partitioner' | 'idempotent'>;
  /** Consumer group session timeout. Default `'10s'`. */
  sessionTimeout?: Duration;
  /**
   * Per-partition state stores (lmdb) under `stateDir/<group>/<topic>-<partition>`, kept across restarts: a
   * restart reads only the changelog written after the copy's checkpoint. Memory when not given (a partition is
   * then restored from its whole changelog).
   */
  stateDir?: string;
  /**
   * Windows keep their state per input partition and mirror every committed write to a compacted changelog topic
   * `<groupId>-changelog-<namespace>`; a partition assigned to this process restores its windows from there
   * before its first record. Default: on (with or without `stateDir`). Off: open windows are rebuilt by replaying
   * the records they hold (their offsets stay uncommitted until the window closes).
   */
  changelog?: boolean;
  /**
   * Positions kept with the outputs (`PostgresOffsets`, which `toPostgres` writes in the transaction of each
   * batch): an assigned partition starts from the stored position, so each output row exists once even when the
   * process died between the write and the Kafka commit. For stateless pipelines (no windows).
   */
  offsetStore?: OffsetStore;
  /**
   * The clock the application's timers read (commit interval, idle and count checks of `run`, reconnection and
   * retry waits, the sinks' linger) and its windows' idle timeouts: a `VirtualClock` with an in-memory `client`
   * runs an application in virtual time. Default: the real clock.
   */
  clock?: Clock;
}

/** What `run` stops on. */
export interface AppRunOptions {
  /** Stop after this many records were processed. */
  count?: number;
  /** Stop when no record arrived for this long. */
  timeout?: Duration;
  /** Drain and stop on SIGTERM/SIGINT. Default: true when neither count nor timeout is given. */
  handleSignals?: boolean;
}

/** One element handed to `toTopic` during a run (what `run` returns when it stops on a count or a timeout). */
export interface Produced {
  topic: string;
  value: unknown;
}
