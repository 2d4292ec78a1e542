import { KafkaAdmin } from '../connectors/kafka/admin.ts';
import type { KafkaConnection } from '../connectors/kafka/connection.ts';
import type { DeadLetter } from '../connectors/kafka/dead-letter.ts';
import { KafkaProducer, type KafkaProducerConfig, type KafkaTransaction } from '../connectors/kafka/producer.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import type { KafkaSinkNode } from '../connectors/kafka/to-kafka.ts';
import { Stream } from '../core/stream.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { AppSource } from './app-source.ts';
import { AppState, type AppWindow, windowsBelow } from './app-state.ts';
import { Topic, type TopicConfig } from './topic.ts';

/** How an application consumes, processes and produces (Quix's `Application` options). */
export interface ApplicationConfig extends KafkaConnection {
  /** The consumer group: start more processes with the same group and they share the partitions. */
  consumerGroup: string;
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
  /** Where unreadable or failing messages go; `false` for nowhere (skipped, counted). Default `<consumerGroup>-dead-letters`. */
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
  /** Per-partition state stores (lmdb) under `stateDir/<group>/<topic>-<partition>`; memory when not given. */
  stateDir?: string;
  /**
   * Windows keep their state per input partition and mirror every committed write to a compacted changelog topic
   * `<consumerGroup>-changelog-<namespace>`; a partition assigned to this process restores its windows from there
   * before its first record. Default: on when `stateDir` is given. Off: open windows are rebuilt by replaying the
   * records they hold (their offsets stay uncommitted until the window closes).
   */
  changelog?: boolean;
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

const owners = new WeakMap<Topic<any, any>, Application>();

/** The application a topic belongs to (for `toTopic`). */
export function applicationOf(topic: Topic<any, any>): Application {
  const app = owners.get(topic);
  if (!app) badArgument('toTopic', 'topic', topic?.name, 'a topic made by app.topic(...)');
  return app;
}

/**
 * A Kafka stream-processing application: a consumer group, its topics, the stream graphs built on them, and the
 * commits that tie them together. At-least-once by default (offsets commit when every node downstream is done
 * with a record); exactly-once with Kafka transactions. Messages that cannot be read or processed are
 * dead-lettered with the reason, and the application goes on.
 *
 * @example
 * const app = new Application({ brokers: 'localhost:9092', consumerGroup: 'temps', autoOffsetReset: 'earliest' });
 * const input = app.topic('raw-temperature', { value: 'json', timestampExtractor: (v) => v.ts });
 * const output = app.topic('agg-temperature', { value: 'json' });
 * app.stream(input)
 *   .tumblingWindow('10s', { grace: '1s', value: (r) => r.value.value })
 *   .agg({ count: count(), mean: mean() })
 *   .final()
 *   .toTopic(output);
 * await app.run();
 */
export class Application {
  readonly config: ApplicationConfig;
  /** Shared by every `toTopic` of the application (transactional in exactly-once mode). */
  readonly producer: KafkaProducer;
  readonly counters = { processed: 0, deadLettered: 0, processingErrors: 0, consumerErrors: 0, producerErrors: 0 };
  private readonly topics = new Map<string, Topic<any, any>>();
  private readonly inputs = new Map<string, Stream<KafkaRecord<any, any>>>();
  private readonly sinks: KafkaSinkNode<any>[] = [];
  private readonly root = new Stream<KafkaRecord<any, any>>({ name: 'application' });
  private source: AppSource | null = null;
  private transaction: Promise<KafkaTransaction> | null = null;
  private fatal: unknown = null;
  private collected: Produced[] | null = null;
  private state: AppState | null = null;
  /** Entries restored from changelogs and changelog records written (state with a changelog only). */
  readonly stateCounters = { restored: 0, changelogged: 0 };

  constructor(config: ApplicationConfig) {
    if (typeof config?.consumerGroup !== 'string' || config.consumerGroup === '') {
      badArgument('Application', 'consumerGroup', config?.consumerGroup, 'a consumer group name');
    }
    const guarantee = config.processingGuarantee ?? 'at-least-once';
    if (guarantee !== 'at-least-once' && guarantee !== 'exactly-once') {
      badArgument('Application', 'processingGuarantee', guarantee, "'at-least-once' or 'exactly-once'");
    }
    this.config = config;
    const exactlyOnce = guarantee === 'exactly-once';
    this.producer = new KafkaProducer({
      ...config,
      ...config.producer,
      ...(exactlyOnce ? { transactionalId: `${config.consumerGroup}-tx-${config.instanceId ?? '0'}` } : {}),
    });
    // Counted before the graph sees the record; the count stop waits for the element to finish.
    this.root.sink(() => {
      this.counters.processed++;
    });
  }

  /** True when processing is exactly-once. */
  get exactlyOnce(): boolean {
    return this.config.processingGuarantee === 'exactly-once';
  }

  /**
   * Declares a topic with its serializers and timestamp extractor.
   * @example const input = app.topic('raw', { value: 'json', timestampExtractor: (v) => v.ts });
   */
  topic<K = string, V = unknown>(name: string, config: TopicConfig<K, V> = {}): Topic<K, V> {
    const t = new Topic<K, V>(name, config);
    this.topics.set(name, t);
    owners.set(t, this);
    return t;
  }

  /**
   * The records of a topic as a stream: `{ key, value, timestamp, headers, partition, offset, topic }`.
   * @example app.stream(input).map((r) => r.value.temperature).sink(console.log);
   */
  stream<K, V>(topic: Topic<K, V>): Stream<KafkaRecord<K, V>> {
    if (owners.get(topic) !== this) badArgument('app.stream', 'topic', topic?.name, 'a topic made by this application');
    let s = this.inputs.get(topic.name);
    if (!s) {
      const name = topic.name;
      s = this.root.filter((r) => r.topic === name).named(`topic ${name}`);
      this.inputs.set(name, s);
    }
    return s as Stream<KafkaRecord<K, V>>;
  }

  /** @internal Called by `toTopic`. */
  addSink(sink: KafkaSinkNode<any>, topic: Topic<any, any>): void {
    this.sinks.push(sink);
    if (this.exactlyOnce) sink.transaction = () => this.currentTransaction();
    sink.tap = (x) => this.collected?.push({ topic: topic.name, value: x });
  }

  private deadLetterTopic(): string | undefined {
    const d = this.config.deadLetterTopic;
    return d === false ? undefined : (d ?? `${this.config.consumerGroup}-dead-letters`);
  }

  /**
   * Consumes, processes and produces until `stop()`, a signal, `count` records or `timeout` of silence. Resolves
   * with the elements handed to `toTopic` when stopping on a count or a timeout (for tests and scripts); rejects
   * when processing cannot go on safely (a failed produce or transaction).
   */
  async run(options: AppRunOptions = {}): Promise<Produced[]> {
    if (this.source) throw new TwinstreamError('TS_APP_RUNNING', 'Application.run: the application is already running');
    if (this.inputs.size === 0) {
      throw new TwinstreamError('TS_APP_NO_STREAMS', 'Application.run: no input; call app.stream(topic) before run()');
    }
    const c = this.config;
    const dlq = this.deadLetterTopic();
    const windows: AppWindow[] = [];
    if (c.changelog ?? c.stateDir !== undefined) {
      for (const [topic, s] of this.inputs) for (const node of windowsBelow(s)) windows.push({ node, topic });
    }
    const state = windows.length > 0 ? new AppState(windows, c.consumerGroup, c, c.stateDir) : null;
    this.state = state;
    if (c.autoCreateTopics ?? true) {
      const admin = new KafkaAdmin(c);
      try {
        const specs = [...this.topics.values()].map((t) => ({
          name: t.name,
          partitions: t.config.partitions ?? 1,
          replicationFactor: t.config.replicationFactor ?? 1,
          ...(t.config.config ? { config: t.config.config } : {}),
        }));
        if (dlq) specs.push({ name: dlq, partitions: 1, replicationFactor: 1 });
        await admin.ensureTopics(specs);
        if (state) {
          // A changelog has the partitions of its input topic: partition p of one holds the state of the other's p.
          const changelogs = [];
          for (const cl of state.changelogs()) {
            changelogs.push({
              name: cl.topic,
              partitions: await admin.partitions(cl.input),
              replicationFactor: this.topics.get(cl.input)?.config.replicationFactor ?? 1,
              config: { 'cleanup.policy': 'compact' },
            });
          }
          await admin.ensureTopics(changelogs);
        }
      } finally {
        await admin.close();
      }
    }
    const finite = options.count !== undefined || options.timeout !== undefined;
    this.collected = finite ? [] : null;
    this.fatal = null;
    const source = new AppSource(
      [...this.inputs.keys()].map((n) => this.topics.get(n)!),
      {
        ...c,
        groupId: c.consumerGroup,
        deadLetterTopic: dlq,
        isolationLevel: this.exactlyOnce ? 'read_committed' : 'read_uncommitted',
        onDeadLetter: (_letter: DeadLetter) => {
          this.counters.deadLettered++;
        },
        onConsumerError: (e) => {
          this.counters.consumerErrors++;
          c.onConsumerError?.(e);
        },
        onProcessingError: (error, record) => {
          this.counters.processingErrors++;
          return c.onProcessingError ? c.onProcessingError(error, record) : true;
        },
      },
      { clock: this.root.clock },
    );
    this.source = source;
    source.connect(this.root);
    source.drain = () => this.flushSinks();
    if (this.exactlyOnce) {
      source.committer = () => this.commitTransaction();
    } else if (state) {
      source.committer = () => this.commitWithChangelog();
    }
    if (state) {
      source.beforePartition = (topic, partition) => state.restore(topic, partition);
      source.onRevoke = (topic, partition) => state.revoke(topic, partition);
    }
    const stops = this.stopConditions(options, finite);
    try {
      // Before reading offsets: fence a predecessor and let its last transaction finish, or the group's offsets
      // could be read while that transaction's offsets are still pending (the client does not ask for stable ones).
      if (this.exactlyOnce) await this.retryFenced(() => this.producer.initTransactions());
      source.start();
      await source.done;
      if (this.fatal) throw this.fatal;
      return this.collected ?? [];
    } finally {
      stops();
      if (state) {
        this.stateCounters.restored += state.counters.restored;
        this.stateCounters.changelogged += state.counters.changelogged;
        await state.close();
        this.state = null;
      }
      source.disconnect(this.root);
      this.source = null;
      this.transaction = null;
      await this.producer.close().catch(() => {});
    }
  }

  /** Arms what ends a run (count, silence, signals); returns what disarms it. */
  private stopConditions(options: AppRunOptions, finite: boolean): () => void {
    const cleanups: (() => void)[] = [];
    if (options.count !== undefined) {
      const target = options.count;
      const start = this.counters.processed;
      const check = setInterval(() => {
        if (this.counters.processed - start >= target) void this.stop();
      }, 10);
      cleanups.push(() => clearInterval(check));
    }
    if (options.timeout !== undefined) {
      const quiet = toMillis(options.timeout, 'Application.run: timeout');
      let seen = this.counters.processed;
      let since = Date.now();
      const check = setInterval(
        () => {
          if (this.counters.processed !== seen) {
            seen = this.counters.processed;
            since = Date.now();
          } else if (Date.now() - since >= quiet) void this.stop();
        },
        Math.min(100, Math.max(10, quiet / 10)),
      );
      cleanups.push(() => clearInterval(check));
    }
    if (options.handleSignals ?? !finite) {
      const onSignal = () => void this.stop();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      cleanups.push(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      });
    }
    return () => {
      for (const f of cleanups) f();
    };
  }

  /** Stops consuming, finishes in-flight work, commits it and leaves the group. `run()` then resolves. */
  async stop(): Promise<void> {
    const source = this.source;
    if (!source) return;
    source.stop();
    await source.done.catch(() => {});
  }

  private async flushSinks(): Promise<void> {
    try {
      await Promise.all(this.sinks.map((s) => s.flush()));
    } catch (error) {
      this.counters.producerErrors++;
      const e =
        error instanceof TwinstreamError
          ? error
          : new TwinstreamError('TS_KAFKA_PRODUCE', String(error), { cause: error });
      this.config.onProducerError?.(e);
      this.fail(e);
      throw e;
    }
  }

  private currentTransaction(): Promise<KafkaTransaction> {
    this.transaction ??= this.beginTransaction();
    return this.transaction;
  }

  /**
   * Begins a transaction. InitProducerId may answer "fenced" although no other instance runs: a killed
   * predecessor's transaction still being aborted, or the epoch the broker bumped at the last commit (transactions
   * v2) not seen by the client. No transaction is open in this process when one begins (the last one committed or
   * aborted), so the producer is made anew and tried again, up to the connection's timeout. Two live instances
   * sharing an `instanceId` would fence each other in turn: give each its own.
   */
  private beginTransaction(): Promise<KafkaTransaction> {
    return this.retryFenced(() => this.producer.beginTransaction());
  }

  private async retryFenced<R>(fn: () => Promise<R>): Promise<R> {
    const deadline = Date.now() + toMillis(this.config.timeout ?? 30_000, 'Application: timeout');
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await this.producer.close().catch(() => {});
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * attempt)));
      }
    }
  }

  /** Exactly-once: the outputs since the last commit and the offsets they cover commit together, or not at all. */
  private async commitTransaction(): Promise<void> {
    const source = this.source;
    if (!source) return;
    let release!: () => void;
    source.holdUntil(new Promise<void>((r) => (release = r)));
    try {
      await this.flushSinks();
      const offsets = source.finishedOffsets();
      const checkpoint = this.state?.checkpoint(source.handledOffsets());
      if (offsets.length === 0 && this.transaction === null && !checkpoint?.records.length) return;
      const tx = await this.currentTransaction();
      if (checkpoint?.records.length) await this.producer.send(checkpoint.records, tx);
      const consumer = source.client;
      if (consumer && offsets.length > 0) await tx.addConsumer(consumer);
      // The group's current generation, not the one a partition's last message was fetched in: a commit with a
      // stale generation is refused after a rebalance.
      const group = consumer
        ? {
            consumer: {
              groupId: consumer.groupId,
              generationId: consumer.generationId,
              memberId: consumer.memberId,
              coordinatorId: consumer.coordinatorId,
            },
          }
        : undefined;
      for (const o of offsets) {
        const meta = group ?? (o.message as { metadata?: unknown } | undefined)?.metadata;
        await tx.addOffset({
          topic: o.topic,
          partition: o.partition,
          offset: BigInt(o.offset - 1),
          metadata: meta,
        } as any);
      }
      await tx.commit();
      this.transaction = null;
      checkpoint?.commit();
      source.markCommitted(offsets);
    } catch (error) {
      const tx = this.transaction;
      this.transaction = null;
      await tx?.then((t) => t.abort()).catch(() => {});
      // The aborted outputs are gone while their records count as done: going on would lose them. Stop; a restart
      // reads again from the last committed offsets.
      const e = new TwinstreamError(
        'TS_KAFKA_TRANSACTION',
        `exactly-once commit failed: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
      this.fail(e);
      throw e;
    } finally {
      release();
    }
  }

  /**
   * At-least-once with a changelog: outputs flushed, then the state written since the last commit goes to the
   * changelog (acknowledged) and the local stores, then the offsets commit. The source waits meanwhile, so the
   * offsets the state covers are exactly those handled when it was written.
   */
  private async commitWithChangelog(): Promise<void> {
    const source = this.source;
    const state = this.state;
    if (!source || !state) return;
    let release!: () => void;
    source.holdUntil(new Promise<void>((r) => (release = r)));
    try {
      await this.flushSinks();
      const offsets = source.finishedOffsets();
      const checkpoint = state.checkpoint(source.handledOffsets());
      try {
        await this.producer.send(checkpoint.records);
      } catch (error) {
        // The windows' changes were taken out and not written: going on would leave them out of the changelog.
        const e = new TwinstreamError(
          'TS_KAFKA_PRODUCE',
          `writing the state changelog failed: ${(error as Error)?.message ?? error}`,
          { cause: error },
        );
        this.counters.producerErrors++;
        this.config.onProducerError?.(e);
        this.fail(e);
        throw e;
      }
      checkpoint.commit();
      if (offsets.length > 0) await source.commitOffsets(offsets);
    } finally {
      release();
    }
  }

  private fail(error: unknown): void {
    this.fatal ??= error;
    this.source?.stop();
  }
}
