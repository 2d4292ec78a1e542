import { KafkaAdmin } from '../connectors/kafka/admin.ts';
import type { DeadLetter } from '../connectors/kafka/dead-letter.ts';
import type { KafkaTransaction } from '../connectors/kafka/producer.ts';
import { KafkaProducer } from '../connectors/kafka/producer.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import type { SinkHooks, SourceHooks } from '../connectors/source/owner-hooks.ts';
import { graphNodes, nodesAbove, nodesBelow } from '../core/graph.ts';
import { whenGraphIdle } from '../core/idle.ts';
import { Stream } from '../core/stream.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import type { Clock, Timer } from '../time/clock.ts';
import { toMillis } from '../time/duration.ts';
import { AppTransactions, type CommitScope, commitWithChangelog } from './app-commit.ts';
import type { ApplicationConfig, ApplicationOptions, AppRunOptions, Produced } from './app-config.ts';
import { AppSource } from './app-source.ts';
import {
  AppState,
  refuseMergedState,
  refuseStateWithoutChangelog,
  refuseUnsafe,
  stateNodesBelow,
  type TopicJoin,
} from './app-state.ts';
import { Topic, type TopicConfig } from './topic.ts';

export * from './app-commit.ts';
export * from './app-config.ts';

const owners = new WeakMap<Topic<any, any>, Application>();
const roots = new WeakMap<Stream<any>, Application>();

/** @internal The application a topic belongs to (for `toTopic`). */
export function applicationOf(topic: Topic<any, any>): Application {
  const app = owners.get(topic);
  if (!app) badArgument('toTopic', 'topic', topic?.name, 'a topic made by app.topic(...)');
  return app;
}

/**
 * @internal The application a stream of it belongs to (found through its upstreams), for the operators that need one
 * (`groupBy`, `concat`); refused with a message naming `where` otherwise.
 */
export function applicationOfStream(stream: Stream<any>, where: string): Application {
  const seen = new Set<Stream<any>>();
  const stack = [stream];
  while (stack.length > 0) {
    const s = stack.pop()!;
    const app = roots.get(s);
    if (app) return app;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...nodesAbove(s));
  }
  return badArgument(
    where,
    'stream',
    stream?.name ?? stream?.kind,
    'a stream of an application (below app.stream(topic))',
  );
}

/**
 * A Kafka stream-processing application: a consumer group, its topics, the stream graphs built on them, and the
 * commits that tie them together. At-least-once by default (offsets commit when every node downstream is done
 * with a record); exactly-once with Kafka transactions. Messages that cannot be read or processed are
 * dead-lettered with the reason, and the application goes on.
 *
 * @example
 * const app = new Application({ brokers: 'localhost:9092', groupId: 'temps', autoOffsetReset: 'earliest' });
 * const input = app.topic('raw-temperature', { value: 'json', timestamp: (v) => v.ts });
 * const output = app.topic('agg-temperature', { value: 'json' });
 * app.stream(input)
 *   .tumblingWindow('10s', { grace: '1s', value: (r) => r.value.value })
 *   .agg({ count: count(), mean: mean() })
 *   .final()
 *   .toTopic(output);
 * await app.run();
 */
export class Application {
  /** The configuration, with the consumer group as `groupId` whichever spelling was given. */
  readonly config: ApplicationOptions & { readonly groupId: string };
  /** Shared by every `toTopic` of the application (transactional in exactly-once mode). */
  readonly producer: KafkaProducer;
  readonly counters = { processed: 0, deadLettered: 0, processingErrors: 0, consumerErrors: 0, producerErrors: 0 };
  private readonly topics = new Map<string, Topic<any, any>>();
  private readonly inputs = new Map<string, Stream<KafkaRecord<any, any>>>();
  /** Repartition topics (`groupBy`), each with the input topics whose partition count it takes. */
  private readonly repartitions = new Map<string, string[]>();
  /** Topic joins (`joinLookup`; `joinAsof` across topics, found at `run`): co-partitioned topics. */
  private readonly joins = new Map<Stream<any>, TopicJoin>();
  private readonly sinks: { flush(): Promise<void>; flushSent?(): Promise<void> }[] = [];
  private readonly root: Stream<KafkaRecord<any, any>>;
  private source: AppSource | null = null;
  private readonly transactions: AppTransactions;
  private fatal: unknown = null;
  private collected: Produced[] | null = null;
  private state: AppState | null = null;
  private readonly stateTotals = { restored: 0, changelogged: 0 };

  /** Changelog records read to restore state, and written (state with a changelog only); live during a run. */
  get stateCounters(): { restored: number; changelogged: number } {
    const live = this.state?.counters;
    return {
      restored: this.stateTotals.restored + (live?.restored ?? 0),
      changelogged: this.stateTotals.changelogged + (live?.changelogged ?? 0),
    };
  }

  constructor(config: ApplicationConfig) {
    const groupId = config?.groupId ?? config?.consumerGroup;
    if (typeof groupId !== 'string' || groupId === '') {
      badArgument('Application', 'groupId', groupId, 'a consumer group name (groupId, or consumerGroup as in Quix)');
    }
    const guarantee = config.processingGuarantee ?? 'at-least-once';
    if (guarantee !== 'at-least-once' && guarantee !== 'exactly-once') {
      badArgument('Application', 'processingGuarantee', guarantee, "'at-least-once' or 'exactly-once'");
    }
    this.config = { ...config, groupId };
    this.root = new Stream<KafkaRecord<any, any>>({
      name: 'application',
      ...(config.clock ? { clock: config.clock } : {}),
    });
    roots.set(this.root, this);
    const exactlyOnce = guarantee === 'exactly-once';
    this.producer = new KafkaProducer({
      ...config,
      ...config.producer,
      ...(exactlyOnce ? { transactionalId: `${groupId}-tx-${config.instanceId ?? '0'}` } : {}),
    });
    this.transactions = new AppTransactions(
      this.producer,
      toMillis(config.timeout ?? 30_000, 'Application: timeout'),
      this.root.clock,
    );
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
   * @example const input = app.topic('raw', { value: 'json', timestamp: (v) => v.ts });
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

  /** @internal The input topics `stream` reads from (those whose `app.stream(topic)` is above it). */
  inputsAbove(stream: Stream<any>): string[] {
    const byStream = new Map([...this.inputs].map(([name, s]) => [s as Stream<any>, name]));
    const found = new Set<string>();
    const seen = new Set<Stream<any>>();
    const stack = [stream];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const name = byStream.get(s);
      if (name !== undefined) found.add(name);
      else stack.push(...nodesAbove(s));
    }
    return [...found].sort();
  }

  /**
   * @internal Declares the repartition topic of a `groupBy` (`repartition__<group>--<inputs>--<name>`, JSON keys and
   * values, created at run with the greatest partition count of `inputs`) and returns it.
   */
  repartitionTopic(inputs: readonly string[], name: string): Topic<unknown, unknown> {
    const topic = `repartition__${this.config.groupId}--${inputs.join('--')}--${name}`;
    if (this.repartitions.has(topic)) {
      badArgument('groupBy', 'name', name, `a name not used by another groupBy of ${inputs.join(', ')}`);
    }
    this.repartitions.set(topic, [...inputs]);
    return this.topic<unknown, unknown>(topic, { key: 'json', value: 'json' });
  }

  /** The clock the application's timers read (commits, idle waits, reconnections): `config.clock`, else the real one. */
  get clock(): Clock {
    return this.root.clock;
  }

  /**
   * @internal What a sink writing to `topic` gets at construction (`toTopic`): the open transaction when exactly-once,
   * and a tap that collects its elements for a finite run's result.
   */
  sinkHooks(topic: Topic<any, any>): SinkHooks<KafkaTransaction> {
    return {
      ...(this.exactlyOnce ? { transaction: () => this.transactions.current() } : {}),
      tap: (x) => this.collected?.push({ topic: topic.name, value: x }),
    };
  }

  /**
   * @internal Called by a topic join: at `run`, the topics must have the same partition count (partition p of the
   * left is joined with partition p of the right), and the left ones' partitions wait for the right ones' restore.
   */
  addJoin(node: Stream<any>, join: TopicJoin): void {
    this.joins.set(node, join);
  }

  /**
   * The joins of two topics made with an operator of the stream graph (`joinAsof`): a node that offers its
   * `stateSide` (the upstream its state is kept with) and reads more input topics than that side's one.
   */
  private findJoins(): void {
    const seen = new Set<Stream<any>>();
    const stack = [...this.inputs.values()];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...nodesBelow(s));
      const side = (s as { stateSide?: unknown }).stateSide;
      if (!(side instanceof Stream) || this.joins.has(s)) continue;
      const all = this.inputsAbove(s);
      if (all.length < 2) continue;
      const own = this.inputsAbove(side);
      if (own.length !== 1) {
        throw new TwinstreamError(
          'TS_APP_STATE',
          `Application: the left side of "${s.name ?? s.kind}" reads ${own.length} topics (${own.join(', ')}); a join of topics keeps its state per partition of one left topic: re-key the merged stream first with .groupBy(...)`,
        );
      }
      this.joins.set(s, { op: s.kind, state: own[0]!, partners: all.filter((t) => t !== own[0]), flow: 'state' });
    }
  }

  /** @internal Called by `toTopic` with the sink it made: flushed before every commit. */
  addSink(sink: { flush(): Promise<void>; flushSent?(): Promise<void> }): void {
    this.sinks.push(sink);
  }

  private deadLetterTopic(): string | undefined {
    const d = this.config.deadLetterTopic;
    return d === false ? undefined : (d ?? `${this.config.groupId}-dead-letters`);
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
    // State is found by the Checkpointable contract; a node keeping records without it is refused, and so is a
    // state node below two inputs (a concat) (see app-state).
    this.findJoins();
    const found = (c.changelog ?? true) ? stateNodesBelow(this.inputs, this.joins) : null;
    if (this.exactlyOnce && c.changelog === false) refuseStateWithoutChangelog(this.inputs, this.joins);
    if (found && found.checkpointable.length > 0) {
      refuseUnsafe(found.unsafe);
      refuseMergedState(this.inputs, this.joins);
    }
    // Every input comes from the one consumer: a node that would wait for one input to catch up with another
    // (a zip past its maxsize) would wait forever, the records it waits for being behind it. It stops the run.
    for (const node of graphNodes([this.root])) {
      const f = (node as { failWhenFull?: unknown }).failWhenFull;
      if (typeof f === 'function') f.call(node, (e: TwinstreamError) => this.fail(e));
    }
    const lookups = new Map<string, string[]>();
    for (const j of this.joins.values()) {
      for (const p of j.partners) lookups.set(p, [...(lookups.get(p) ?? []), j.state]);
    }
    const state = found?.checkpointable.length
      ? new AppState(found.checkpointable, c.groupId, c, c.stateDir, lookups, this.root.clock)
      : null;
    this.state = state;
    await this.createTopics(state, dlq);
    const finite = options.count !== undefined || options.timeout !== undefined;
    this.collected = finite ? [] : null;
    this.fatal = null;
    // The source and the commit scope refer to each other: the hooks read `scope` when called, after both exist.
    let scope: CommitScope;
    const hooks: SourceHooks = {
      drain: () => this.flushSinks(),
      ...(this.exactlyOnce
        ? { committer: () => this.transactions.commit(scope), abandon: () => this.transactions.abandon(scope) }
        : state
          ? { committer: () => commitWithChangelog({ ...scope, state }) }
          : {}),
      ...(state
        ? {
            beforePartition: (topic: string, partition: number) => state.restore(topic, partition),
            onRevoke: (topic: string, partition: number) => state.revoke(topic, partition),
          }
        : {}),
    };
    const source = new AppSource(
      [...this.inputs.keys()].map((n) => this.topics.get(n)!),
      {
        ...c,
        groupId: c.groupId,
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
      hooks,
    );
    this.source = source;
    source.connect(this.root);
    scope = {
      source,
      state,
      producer: this.producer,
      flushSinks: () => this.flushSinks(),
      flushSent: () => this.flushSinks(true),
      // The whole graph, windows' outputs included: an output still in a mapAsync after its window was
      // checkpointed closed would be lost with the process.
      whenIdle: () => whenGraphIdle([this.root]),
      producerFailed: (e) => {
        this.counters.producerErrors++;
        this.config.onProducerError?.(e);
        this.fail(e);
      },
      fail: (e) => this.fail(e),
    };
    const stops = this.stopConditions(options, finite);
    try {
      // Before reading offsets: fence a predecessor and let its last transaction finish, or the group's offsets
      // would wait on that transaction's pending offsets (read_committed consumers ask for stable ones).
      if (this.exactlyOnce) await this.transactions.retryFenced(() => this.producer.initTransactions());
      source.start();
      await source.done;
      if (this.fatal) throw this.fatal;
      return this.collected ?? [];
    } finally {
      stops();
      if (state) {
        this.stateTotals.restored += state.counters.restored;
        this.stateTotals.changelogged += state.counters.changelogged;
        this.state = null;
        await state.close();
      }
      source.disconnect(this.root);
      this.source = null;
      this.transactions.reset();
      await this.producer.close().catch(() => {});
    }
  }

  /**
   * Creates missing topics: the application's own (with `autoCreateTopics`) and always the state changelogs, each
   * with the partitions of its input topic (partition p of one holds the state of the other's p) and compacted.
   */
  private async createTopics(state: AppState | null, dlq: string | undefined): Promise<void> {
    const c = this.config;
    const own = c.autoCreateTopics ?? true;
    if (!own && !state && this.repartitions.size === 0 && this.joins.size === 0) return;
    const admin = new KafkaAdmin(c);
    try {
      if (own) {
        const specs = [...this.topics.values()]
          .filter((t) => !this.repartitions.has(t.name))
          .map((t) => ({
            name: t.name,
            partitions: t.config.partitions ?? 1,
            replicationFactor: t.config.replicationFactor ?? 1,
            ...(t.config.config ? { config: t.config.config } : {}),
          }));
        if (dlq) specs.push({ name: dlq, partitions: 1, replicationFactor: 1 });
        await admin.ensureTopics(specs);
      }
      // Repartition topics always (they are the application's own), with their inputs' partition count: one at a
      // time, in the order declared (a groupBy after a groupBy reads the count of the one before).
      for (const [name, inputs] of this.repartitions) {
        let partitions = 1;
        for (const input of inputs) partitions = Math.max(partitions, await admin.partitions(input));
        const replicationFactor = this.topics.get(inputs[0]!)?.config.replicationFactor ?? 1;
        await admin.ensureTopics([{ name, partitions, replicationFactor }]);
      }
      for (const j of this.joins.values()) {
        const own = await admin.partitions(j.state);
        for (const other of j.partners) {
          const n = await admin.partitions(other);
          if (n === own) continue;
          const [l, r] = j.flow === 'state' ? [j.state, other] : [other, j.state];
          const [ln, rn] = j.flow === 'state' ? [own, n] : [n, own];
          throw new TwinstreamError(
            'TS_APP_COPARTITION',
            `Application: ${j.op} joins "${l}" (${ln} partitions) with "${r}" (${rn} partitions); the topics must be co-partitioned (the same partition count, records keyed alike), as partition p of one is joined with partition p of the other. Re-key one side with .groupBy(...) or give both topics the same partitions`,
            { context: { left: l, right: r, leftPartitions: ln, rightPartitions: rn } },
          );
        }
      }
      if (state) {
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
        // How long a tombstone stays in each changelog: how far behind a local copy may catch up from.
        const retention = new Map<string, number>();
        const names = changelogs.map((cl) => cl.name);
        for (const [name, value] of await admin.topicConfig(names, 'delete.retention.ms')) {
          const ms = Number(value);
          if (value !== undefined && Number.isFinite(ms) && ms >= 0) retention.set(name, ms);
        }
        state.setRetention(retention);
      }
    } finally {
      await admin.close();
    }
  }

  /** Arms what ends a run (count, silence, signals); returns what disarms it. */
  private stopConditions(options: AppRunOptions, finite: boolean): () => void {
    const cleanups: (() => void)[] = [];
    const clock = this.root.clock;
    // A check every `ms` on the application's clock, until disarmed.
    const every = (ms: number, check: () => void) => {
      let timer: Timer;
      let armed = true;
      const arm = () => {
        timer = clock.setTimer(ms, () => {
          if (!armed) return;
          arm();
          check();
        });
      };
      arm();
      cleanups.push(() => {
        armed = false;
        timer.cancel();
      });
    };
    if (options.count !== undefined) {
      const target = options.count;
      const start = this.counters.processed;
      every(10, () => {
        if (this.counters.processed - start >= target) void this.stop();
      });
    }
    if (options.timeout !== undefined) {
      const quiet = toMillis(options.timeout, 'Application.run: timeout');
      let seen = this.counters.processed;
      let since = clock.now();
      every(Math.min(100, Math.max(10, quiet / 10)), () => {
        // A partition being restored is not silence (a large state takes a while).
        if (this.counters.processed !== seen || this.state?.busy) {
          seen = this.counters.processed;
          since = clock.now();
        } else if (clock.now() - since >= quiet) void this.stop();
      });
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

  /** Flushes every sink: until nothing is in flight, or (`sent`) what was sent until now. */
  private async flushSinks(sent = false): Promise<void> {
    try {
      await Promise.all(this.sinks.map((s) => (sent && s.flushSent ? s.flushSent() : s.flush())));
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

  private fail(error: unknown): void {
    this.fatal ??= error;
    this.source?.stop();
  }
}
