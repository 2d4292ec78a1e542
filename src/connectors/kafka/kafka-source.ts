import { RefCounter } from '../../core/refcount.ts';
import { Source } from '../../core/source.ts';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, TwinstreamError } from '../../errors.ts';
import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import type { SourceHooks } from '../source/owner-hooks.ts';
import { KafkaAdmin } from './admin.ts';
import { portOf } from './broker-port.ts';
import { clientOptions, kafkaError, timeoutOf, withTimeout } from './connection.ts';
import { deadLetterMessage, deadLetterOf } from './dead-letter.ts';
import type { PortConsumer, PortMessages } from './kafka-port.ts';
import { consumerOptions, type KafkaSourceConfig, type OffsetToCommit } from './kafka-source-config.ts';
import { pump } from './message-pump.ts';
import { withOffsetStore } from './offset-store.ts';
import { MessageEntry, PartitionOffsets, PartitionPreparer, type TrackedMessage } from './partition-offsets.ts';
import { KafkaProducer } from './producer.ts';
import type { KafkaRecord } from './record.ts';
import { type RawMessage, RecordDecoder } from './record-decoder.ts';

export * from './kafka-source-config.ts';
export * from './partition-offsets.ts';
export * from './read-committed.ts';

/**
 * A source of Kafka records. Each message becomes one element (or, batched, each poll of a partition one array)
 * carrying a reference counter; its offset is committed once every node downstream is done with it and with every
 * earlier message of its partition: at-least-once. Messages that cannot be read are dead-lettered and skipped.
 */
export class KafkaSource<K = unknown, V = unknown, T = KafkaRecord<K, V>> extends Source<T> {
  override kind = 'fromKafka';
  readonly topics: string[];
  readonly config: KafkaSourceConfig<K, V>;
  readonly decoder: RecordDecoder<K, V>;
  /** Messages consumed, dead-lettered, and offsets commits made. */
  readonly counters = { consumed: 0, deadLettered: 0, commits: 0, reconnects: 0 };
  protected consumer: PortConsumer | null = null;
  private messages: PortMessages | null = null;
  private readonly offsets = new PartitionOffsets();
  private deadLetters: KafkaProducer | null = null;
  private readonly timeout: number;
  protected readonly batch: { maxBatchSize: number; pollInterval: number } | null;
  /** What the owner (an application) gave at construction: its commit, drain and partition hooks. */
  readonly hooks: SourceHooks;
  private readonly preparer: PartitionPreparer;
  private barrier: Promise<void> | null = null;
  private committing: Promise<void> | null = null;
  private rewinding: Promise<void> | null = null;
  private assignment: { topic: string; partitions: number[] }[] | undefined = undefined;
  private sinceCommit = 0;
  /**
   * The group generation of the assignment this source works on (-1 before the first): a transactional commit
   * carries it, so that one begun before a rebalance is refused by the group once its partitions may have moved.
   */
  generation = -1;

  constructor(
    topics: string | readonly string[],
    config: KafkaSourceConfig<K, V>,
    batch: { maxBatchSize?: number; pollInterval?: Duration } | null = null,
    options: StreamOptions = {},
    hooks: SourceHooks = {},
  ) {
    super(options);
    this.hooks = hooks;
    this.preparer = new PartitionPreparer(this.offsets, withOffsetStore(hooks, config.offsetStore));
    const where = batch ? 'Stream.fromKafkaBatched' : 'Stream.fromKafka';
    const list = typeof topics === 'string' ? [topics] : [...(topics ?? [])];
    if (list.length === 0 || list.some((t) => typeof t !== 'string' || t === '')) {
      badArgument(where, 'topics', topics, 'a topic name or a non-empty list of them');
    }
    clientOptions(config, where, 'consumer');
    if (typeof config.groupId !== 'string' || config.groupId === '')
      badArgument(where, 'groupId', config.groupId, 'a consumer group name');
    if (
      config.autoOffsetReset !== undefined &&
      config.autoOffsetReset !== 'earliest' &&
      config.autoOffsetReset !== 'latest'
    ) {
      badArgument(where, 'autoOffsetReset', config.autoOffsetReset, "'earliest' or 'latest'");
    }
    const store = config.offsetStore;
    if (store !== undefined && (typeof store?.position !== 'function' || store.groupId !== config.groupId)) {
      badArgument(where, 'offsetStore', store?.groupId, `an offset store of group "${config.groupId}"`);
    }
    this.topics = list;
    this.config = config;
    this.decoder = new RecordDecoder(config, where);
    this.timeout = timeoutOf(config, where);
    this.batch = batch
      ? {
          maxBatchSize: batch.maxBatchSize ?? 10_000,
          pollInterval: toMillis(batch.pollInterval ?? '1s', `${where}: pollInterval`),
        }
      : null;
    if (batch) this.kind = 'fromKafkaBatched';
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const c = this.config;
    if (c.deadLetterTopic !== undefined) await this.ensureDeadLetterTopic(c.deadLetterTopic);
    const consumer = await portOf(c).consumer(consumerOptions(c, this.kind), c.isolationLevel === 'read_committed');
    this.consumer = consumer;
    consumer.on(
      'consumer:group:join',
      (payload: { generationId?: number; assignments?: { topic: string; partitions: number[] }[] }) =>
        this.onGroupJoin(payload?.assignments, payload?.generationId ?? consumer.generationId),
    );
    // A failed group rejoin is emitted as 'error': unheard, it would end the process. The stream's own failure
    // (and the reconnect below) handles what follows; a rejoin failing while stopping is expected.
    consumer.on('error', (error: unknown) => {
      if (!signal.aborted) this.report(error);
    });
    const commitEvery = toMillis(c.commitInterval ?? '1s', 'commitInterval');
    // On the graph's clock (a VirtualClock in tests): re-armed after each commit began.
    let commitTimer: Timer | null = null;
    const armCommit = () => {
      commitTimer = this.clock.setTimer(commitEvery, () => {
        void this.commitNow().catch((e) => this.report(e));
        if (!signal.aborted) armCommit();
      });
    };
    armCommit();
    try {
      const reconnectFor = toMillis(c.reconnectTimeout ?? '60s', 'reconnectTimeout');
      let failingSince = 0;
      while (!signal.aborted) {
        try {
          await this.consumeUntilError(consumer, signal);
          failingSince = 0;
        } catch (error) {
          if (signal.aborted) break;
          if (error instanceof TwinstreamError && error.code !== 'TS_KAFKA_CONSUME') throw error;
          failingSince ||= this.clock.now();
          if (this.clock.now() - failingSince > reconnectFor) throw error;
          this.counters.reconnects++;
          this.report(error);
          await new Promise<void>((r) => this.clock.setTimer(500, r));
        }
      }
    } finally {
      (commitTimer as Timer | null)?.cancel();
      await this.closeConsumer();
    }
  }

  /** Consumes until `signal` aborts (resolves) or the message stream fails (rejects with `TS_KAFKA_CONSUME`). */
  private async consumeUntilError(consumer: PortConsumer, signal: AbortSignal): Promise<void> {
    const c = this.config;
    let messages: PortMessages;
    try {
      messages = await withTimeout(
        consumer.consume({
          topics: this.topics,
          mode: 'committed',
          fallbackMode: c.autoOffsetReset ?? 'latest',
          autocommit: false,
        }),
        this.timeout,
        `joining group "${c.groupId}" for ${this.topics.join(', ')}`,
        c,
      );
    } catch (error) {
      if (error instanceof TwinstreamError && error.code === 'TS_KAFKA_CONNECT') throw error;
      throw kafkaError('TS_KAFKA_CONSUME', `consuming ${this.topics.join(', ')} failed`, error, c);
    }
    this.messages = messages;
    const where = `consuming ${this.topics.join(', ')}`;
    await pump(messages, signal, this.clock, {
      message: (m) => this.onMessage(m),
      failure: (error) => kafkaError('TS_KAFKA_CONSUME', `${where} failed`, error, c),
      ...(this.batch ? { tick: { interval: this.batch.pollInterval, fn: () => this.flushBatches() } } : {}),
    });
    this.messages = null;
    await messages.close().catch(() => {});
  }

  private readonly pendingBatches = new Map<string, { records: KafkaRecord<K, V>[]; entries: TrackedMessage[] }>();

  /** The greatest offset handled per partition (`topic:partition`), since it was assigned here. */
  handledOffsets(): ReadonlyMap<string, number> {
    return this.offsets.handled();
  }

  // The `topic:partition` key of the last message: consecutive messages mostly share it (no string per message).
  // `owned`: the partition is in the group's last assignment to this member.
  private lastKey = { topic: '', partition: -1, key: '', owned: true };
  /** The partitions (`topic:partition`) the group's last join gave this member; null before one (or without a group). */
  private owned: Set<string> | null = null;

  /**
   * A group join. With an owner that abandons work (exactly-once), a partition taken away may have outputs in the
   * open transaction, which would commit without their offsets while the new owner reads those records again: the
   * work since the last commit is given up and read again here, and the partition revoked after the abort. As a
   * Kafka client commits in its revocation callback, but after the fact: this client rejoins on its own.
   */
  private onGroupJoin(assignments: { topic: string; partitions: number[] }[] | undefined, generation: number): void {
    this.generation = generation;
    this.assignment = assignments;
    if (Array.isArray(assignments)) {
      const owned = new Set<string>();
      for (const a of assignments) for (const p of a.partitions ?? []) owned.add(`${a.topic}:${p}`);
      const before = this.owned;
      this.owned = owned;
      this.lastKey = { topic: '', partition: -1, key: '', owned: true };
      // The client keeps its fetch position of a partition taken away (a fetch under way may even move it on).
      // Given the partition back with no offset committed for it meanwhile, it would go on from there, past the
      // records it had fetched and this source dropped as not owned (onMessage): nobody would ever read those.
      // Forgotten, the position of a partition this member did not own before is set again by the client's refresh
      // after the join: from the committed offset, or from autoOffsetReset when there is none.
      const positions = this.messages?.offsetsToFetch;
      if (positions !== undefined) {
        for (const key of [...positions.keys()]) {
          if (!owned.has(key) || before === null || !before.has(key)) positions.delete(key);
        }
      }
    }
    if (this.hooks.abandon === undefined || !Array.isArray(assignments)) {
      this.preparer.assigned(assignments);
      return;
    }
    const now = new Set<string>();
    for (const a of assignments) for (const p of a.partitions ?? []) now.add(`${a.topic}:${p}`);
    let revoked = false;
    for (const key of [...this.offsets.keys(), ...this.preparer.keys()]) if (!now.has(key)) revoked = true;
    if (revoked) void this.rewind().catch((e) => this.report(e));
  }

  /**
   * Gives up the work since the last commit (`hooks.abandon`: the open transaction aborted) and reads it again:
   * each partition back to its committed offset, its state dropped and restored as of the last commit; partitions
   * the group took away meanwhile are revoked. Input waits meanwhile; a commit asked for waits for the end.
   */
  rewind(): Promise<void> {
    if (this.rewinding !== null) return this.rewinding;
    const abandon = this.hooks.abandon;
    if (abandon === undefined) return Promise.resolve();
    // A commit under way began before: let it end (refused by the group, it aborts and asks for this rewind).
    const before = this.committing;
    const r: Promise<void> = (async () => {
      if (before !== null) await before.catch(() => {});
      await abandon();
      this.preparer.assigned(this.assignment);
      const now = new Set<string>();
      for (const a of this.assignment ?? []) for (const p of a.partitions ?? []) now.add(`${a.topic}:${p}`);
      for (const key of new Set([...this.offsets.keys(), ...this.preparer.keys()])) {
        if (this.assignment !== undefined && !now.has(key)) {
          this.offsets.revoke(key);
          continue;
        }
        this.offsets.rewind(key);
        // Every partition with state: a window closed by the clock since the last commit had its output aborted too.
        this.preparer.forget(key, true);
      }
      this.lastKey = { topic: '', partition: -1, key: '', owned: true };
    })().finally(() => {
      if (this.rewinding === r) this.rewinding = null;
    });
    this.rewinding = r;
    this.holdUntil(r);
    return r;
  }

  /** Handles one raw message: decode, track, emit (or dead-letter). */
  private onMessage(m: RawMessage): void | Promise<void> {
    if (this.barrier) return this.barrier.then(() => this.resume(m));
    const last = this.lastKey;
    if (m.partition !== last.partition || m.topic !== last.topic) {
      const k = `${m.topic}:${m.partition}`;
      this.lastKey = { topic: m.topic, partition: m.partition, key: k, owned: this.owned?.has(k) ?? true };
    }
    // Fetched before the group took the partition away (the client delivers what it holds): its new owner reads
    // it. Handled here, it would count twice, and under exactly-once its offsets would commit from two members.
    if (!this.lastKey.owned) return;
    const key = this.lastKey.key;
    const wait = this.preparer.ready(key, m.topic, m.partition);
    if (wait !== null) return wait.then(() => this.resume(m));
    const fetching = this.prepareDecode(m); // a schema to fetch first (Avro)
    if (fetching !== null) return fetching.then(() => this.resume(m));
    // The element's metadata entry, offset entry and reference counter in one (marks the offset done when the
    // last node holding the element lets go).
    const entry = new MessageEntry(Number(m.offset), m.topic, m.partition, m.key ?? undefined);
    if (!this.offsets.track(key, entry, m)) return; // handled already, before a rejoin (see PartitionOffsets)
    this.counters.consumed++;
    let record: KafkaRecord<K, V>;
    try {
      record = this.decode(m);
    } catch (error) {
      return this.deadLetter(m, error).then(() => {
        entry.done = true;
      });
    }
    if (this.batch) {
      let b = this.pendingBatches.get(key);
      if (!b) this.pendingBatches.set(key, (b = { records: [], entries: [] }));
      b.records.push(record);
      b.entries.push(entry);
      if (b.records.length >= this.batch.maxBatchSize) return this.emitBatch(key, b);
      return;
    }
    let r: void | Promise<void>;
    try {
      r = this.emit(record as unknown as T, [entry]);
    } catch (error) {
      return this.processingFailed(error, m, record, entry);
    }
    // After the record went through (not before): a commit's checkpoint then holds its effect on the state, and
    // its outputs are in the sinks the commit flushes. Begun before, the commit took the state with this record
    // but its outputs into the next transaction, lost with it if the process died in between.
    const every = this.config.commitEvery;
    if (every !== undefined && every > 0 && ++this.sinceCommit >= every) {
      this.sinceCommit = 0;
      void this.commitNow().catch((e) => this.report(e));
    }
    if (r === undefined) return;
    return r.catch((error) => this.processingFailed(error, m, record, entry));
  }

  /** After a wait (commit, restore, schema): once stopping, the message is left for a restart to read again. */
  private resume(m: RawMessage): void | Promise<void> {
    return this.stopping ? undefined : this.onMessage(m);
  }

  /** The pipeline threw on a record: dead-letter it and go on if `onProcessingError` says so, else stop. */
  private processingFailed(
    error: unknown,
    m: RawMessage,
    record: KafkaRecord<K, V>,
    entry: TrackedMessage,
  ): void | Promise<void> {
    const handler = this.config.onProcessingError;
    entry.failed = true; // never committed unless dead-lettered below: the message is read again after a restart
    if (handler === undefined) throw error;
    return Promise.resolve(handler(error, record)).then((skip) => {
      if (!skip) throw error;
      return this.deadLetter(m, error).then(() => {
        entry.failed = false;
        entry.done = true;
      });
    });
  }

  private emitBatch(key: string, b: { records: KafkaRecord<K, V>[]; entries: TrackedMessage[] }): void | Promise<void> {
    this.pendingBatches.delete(key);
    const entries = b.entries;
    const first = b.records[0]!;
    const ref = new RefCounter(() => {
      for (const e of entries) e.done = true;
    });
    const meta = { ref, topic: first.topic, partition: first.partition, offset: first.offset, kafkaKey: undefined };
    const fail = (error: unknown) => {
      for (const e of entries) e.failed = true;
      throw error;
    };
    let r: void | Promise<void>;
    try {
      r = this.emit(b.records as unknown as T, [meta]);
    } catch (error) {
      return fail(error);
    }
    return r === undefined ? undefined : r.catch(fail);
  }

  private flushBatches(): void | Promise<void> {
    const pending: Promise<void>[] = [];
    for (const [key, b] of [...this.pendingBatches]) {
      const r = this.emitBatch(key, b);
      if (r !== undefined) pending.push(r);
    }
    return pending.length ? Promise.all(pending).then(() => {}) : undefined;
  }

  /**
   * A topic has no end: stopping the source must not tell the graph its input ended, or windows would emit their
   * open (partial) windows, whose records are not committed and come back after a restart.
   */
  override end(): void {}

  /**
   * Creates the dead-letter topic when missing, before the first message (as an application does): found missing
   * at the first bad record, the send would fail and stop the source there. A topic that cannot be created fails
   * the start with `TS_KAFKA_ADMIN` naming it. An application creates its topics itself and skips this.
   */
  protected async ensureDeadLetterTopic(topic: string): Promise<void> {
    const admin = new KafkaAdmin(this.config);
    try {
      await admin.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
  }

  /** What `decode` needs fetched first (an application decodes per topic). */
  protected prepareDecode(m: RawMessage): Promise<void> | null {
    return this.decoder.prepare(m);
  }

  /** Turns a raw message into a record (an application decodes per topic). */
  protected decode(m: RawMessage): KafkaRecord<K, V> {
    return this.decoder.decode(m);
  }

  /** The consumer, while running (an application adds it to its transactions). */
  get client(): PortConsumer | null {
    return this.consumer;
  }

  private async deadLetter(m: RawMessage, error: unknown): Promise<void> {
    const letter = deadLetterOf(error, m);
    const topic = this.config.deadLetterTopic;
    if (topic !== undefined) {
      this.deadLetters ??= new KafkaProducer({ ...this.config, acks: 'all' });
      await this.deadLetters.send([deadLetterMessage(topic, m, letter)]);
    }
    this.counters.deadLettered++;
    this.config.onDeadLetter?.(letter);
  }

  /** Makes the source wait (before its next element) until `p` settles: an application commits meanwhile. */
  holdUntil(p: Promise<void>): void {
    // Held already (a commit and a rewind): the input waits for both.
    // Settles, never rejects: whoever holds reports its own failure.
    const b: Promise<void> = Promise.allSettled([this.barrier, p]).then(() => {
      if (this.barrier === b) this.barrier = null;
    });
    this.barrier = b;
  }

  /** The offsets finished since the last commit, per partition. */
  finishedOffsets(): OffsetToCommit[] {
    return this.offsets.finished();
  }

  /** Records that `offsets` were committed (by a custom committer). */
  markCommitted(offsets: readonly OffsetToCommit[]): void {
    this.offsets.markCommitted(offsets);
    this.counters.commits++;
  }

  /** Commits every finished offset now (the timer does this every `commitInterval`); one commit at a time. */
  commitNow(): Promise<void> {
    const rewinding = this.rewinding;
    this.committing ??= (rewinding === null ? this.commitOnce() : rewinding.then(() => this.commitOnce())).finally(
      () => {
        this.committing = null;
      },
    );
    return this.committing;
  }

  private async commitOnce(): Promise<void> {
    if (this.hooks.committer) return this.hooks.committer();
    return this.commitOffsets(this.finishedOffsets());
  }

  /** Commits `offsets` for the group (outside any transaction). */
  async commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    const consumer = this.consumer;
    if (!consumer) return;
    const request = offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: BigInt(o.offset),
      leaderEpoch: -1,
    }));
    try {
      await withTimeout(
        consumer.commit({ offsets: request }),
        this.timeout,
        `committing offsets of group "${this.config.groupId}"`,
        this.config,
      );
    } catch (error) {
      throw kafkaError(
        'TS_KAFKA_COMMIT',
        `committing offsets of group "${this.config.groupId}" failed`,
        error,
        this.config,
      );
    }
    this.markCommitted(offsets);
  }

  private report(error: unknown): void {
    const e =
      error instanceof TwinstreamError ? error : kafkaError('TS_KAFKA_CONSUME', 'consumer error', error, this.config);
    this.config.onConsumerError?.(e);
  }

  private async closeConsumer(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    try {
      if (this.batch) await this.flushBatches();
      if (this.hooks.drain) await this.hooks.drain();
      // A commit under way began before the drain: its outputs and offsets stop short of the last records. Wait for
      // it, then commit what is left (exactly-once otherwise exited with the last outputs in an open transaction).
      if (this.committing !== null) await this.committing.catch(() => {});
      await this.commitNow();
    } catch (error) {
      this.report(error);
    }
    await this.messages?.close().catch(() => {});
    this.consumer = null;
    await consumer.close(true).catch(() => {});
    await this.deadLetters?.close().catch(() => {});
  }
}
