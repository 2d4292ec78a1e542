import type { OffsetToCommit } from '../connectors/kafka/kafka-source-config.ts';
import type { KafkaProducer, KafkaTransaction } from '../connectors/kafka/producer.ts';
import { TwinstreamError } from '../errors.ts';
import type { Clock } from '../time/clock.ts';
import type { AppSource } from './app-source.ts';
import type { AppState } from './app-state.ts';
import { type ChangelogSpan, writeChangelog } from './changelog.ts';

/** @internal What a commit of a run works with. */
export interface CommitScope {
  readonly source: AppSource;
  /** The run's state (windows with a changelog), or null. */
  readonly state: AppState | null;
  readonly producer: KafkaProducer;
  /** Flushes every `toTopic` sink; stops the application when that fails (and rethrows). */
  flushSinks(): Promise<void>;
  /** As `flushSinks`, waiting only for what the sinks were handed until now. */
  flushSent(): Promise<void>;
  /** Settles once no node of the application's graph holds an element it will hand on later (`whenGraphIdle`). */
  whenIdle(): Promise<void>;
  /** A produce failed: counted and reported (`onProducerError`), and the application stops. */
  producerFailed(error: TwinstreamError): void;
  /** Processing cannot go on safely: the application stops, and `run` rejects with `error`. */
  fail(error: unknown): void;
}

/**
 * The Kafka transactions of an exactly-once application: the one open transaction its sinks write into, and the
 * commit that ties those outputs, the state changelog and the input offsets together.
 * @internal
 */
export class AppTransactions {
  private transaction: Promise<KafkaTransaction> | null = null;
  private readonly producer: KafkaProducer;
  private readonly timeout: number;
  private readonly clock: Clock;

  /** `timeout` (ms): how long a fenced producer is made anew and tried again, on `clock`. */
  constructor(producer: KafkaProducer, timeout: number, clock: Clock) {
    this.producer = producer;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** Settles when the transaction being committed is over (null while none is). */
  private ending: Promise<void> | null = null;

  /**
   * The open transaction, begun on first use. While one commits, the next one: an output a timer hands to a sink
   * meanwhile (a window closed by the clock) goes into the next transaction, as its record's offset will (the
   * sink holds the record until the send is acknowledged, so its offset is not in the committing one).
   */
  current(): Promise<KafkaTransaction> {
    if (this.ending !== null) return this.ending.then(() => this.current());
    this.transaction ??= this.begin();
    return this.transaction;
  }

  /** Forgets the open transaction (the run ended). */
  reset(): void {
    this.transaction = null;
  }

  /**
   * Begins a transaction. InitProducerId may answer "fenced" although no other instance runs: a killed
   * predecessor's transaction still being aborted, or the epoch the broker bumped at the last commit (transactions
   * v2) not seen by the client. No transaction is open in this process when one begins (the last one committed or
   * aborted), so the producer is made anew and tried again, up to the connection's timeout. Two live instances
   * sharing an `instanceId` would fence each other in turn: give each its own.
   */
  private begin(): Promise<KafkaTransaction> {
    return this.retryFenced(() => this.producer.beginTransaction());
  }

  /** Runs `fn`, making the producer anew and trying again while it fails, up to the timeout. */
  async retryFenced<R>(fn: () => Promise<R>): Promise<R> {
    const deadline = this.clock.now() + this.timeout;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        // Nothing listens at the address: retrying will not change that.
        if (this.clock.now() > deadline || (error as TwinstreamError)?.code === 'TS_KAFKA_CONNECT') throw error;
        await this.producer.close().catch(() => {});
        await new Promise<void>((r) => this.clock.setTimer(Math.min(2000, 200 * attempt), r));
      }
    }
  }

  /** Exactly-once: the outputs since the last commit and the offsets they cover commit together, or not at all. */
  async commit(scope: CommitScope): Promise<void> {
    const release = holdSource(scope.source);
    // The generation of the assignment whose work this commits: a rebalance after it, and the group refuses the
    // offsets (the partitions may be another member's by then).
    const generation = scope.source.generation;
    let ended = (): void => {};
    try {
      const { offsets, checkpoint } = await takeCheckpoint(scope);
      if (offsets.length === 0 && this.transaction === null && !checkpoint?.records.length) return;
      const tx = await this.current();
      this.ending = new Promise<void>((r) => (ended = r));
      const next = checkpoint?.records.length
        ? await writeChangelog(scope.producer, checkpoint.records, tx)
        : new Map();
      const consumer = scope.source.client;
      if (consumer && offsets.length > 0) await tx.addConsumer(consumer);
      // The generation of the assignment the source works on, not the one a partition's last message was fetched
      // in, nor the client's (it takes the next one while rejoining, before the source knows what it lost).
      const group = consumer
        ? {
            consumer: {
              groupId: consumer.groupId,
              generationId: generation,
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
      // After the transaction: a local store never holds what the changelog may not (a crash in between leaves it
      // behind, and the next restore reads the rest).
      // Fenced transactions: no other owner's writes committed between this copy's checkpoint and these.
      checkpoint?.commit(next, false);
      scope.source.markCommitted(offsets);
    } catch (error) {
      const tx = this.transaction;
      this.transaction = null;
      await tx?.then((t) => t.abort()).catch(() => {});
      if (scope.source.generation !== generation || refusedByRebalance(error)) {
        // The group moved on: the aborted work is read again, from the committed offsets, by whoever owns each
        // partition now (this source for those it keeps).
        void scope.source.rewind().catch((e) => scope.fail(e));
        return;
      }
      // The aborted outputs are gone while their records count as done: going on would lose them. Stop; a restart
      // reads again from the last committed offsets.
      const e = new TwinstreamError(
        'TS_KAFKA_TRANSACTION',
        `exactly-once commit failed: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
      scope.fail(e);
      throw e;
    } finally {
      this.ending = null;
      ended();
      release();
    }
  }

  /**
   * Gives up the work since the last commit (the source then reads it again): what is in flight reaches the sinks,
   * which send it into the open transaction, and that transaction is aborted.
   */
  async abandon(scope: CommitScope): Promise<void> {
    await scope.whenIdle();
    await scope.flushSinks();
    const tx = this.transaction;
    this.transaction = null;
    if (tx === null) return;
    try {
      await (await tx).abort();
    } catch (error) {
      const e = new TwinstreamError(
        'TS_KAFKA_TRANSACTION',
        `aborting the transaction of partitions given up in a rebalance failed: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
      scope.fail(e);
      throw e;
    }
  }
}

/** The group refused a commit because it rebalanced (a new generation, or a member it no longer knows). */
function refusedByRebalance(error: unknown): boolean {
  const seen = new Set<unknown>();
  const stack = [error];
  while (stack.length > 0) {
    const e = stack.pop() as { message?: unknown; apiId?: unknown; cause?: unknown; errors?: unknown } | null;
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const text = `${String(e.apiId ?? '')} ${String(e.message ?? '')}`;
    if (/ILLEGAL_GENERATION|REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|FENCED_MEMBER_EPOCH/.test(text)) return true;
    stack.push(e.cause);
    if (Array.isArray(e.errors)) stack.push(...e.errors);
  }
  return false;
}

/** Makes the source wait before its next record; returns what lets it go on. */
function holdSource(source: AppSource): () => void {
  let release!: () => void;
  source.holdUntil(new Promise<void>((r) => (release = r)));
  return release;
}

/**
 * The prologue both commit paths share, run with the source held. The nodes that hold records asynchronously (a
 * `mapAsync`, `buffer`, `delay`, `rateLimit`, a `timedWindow` until its tick) first hand them all on:
 * - a checkpoint then covers exactly the records the source has handed on, each of them in the windows or past
 *   them (taken while such a node still held some, it counted them as covered, and a restore from it skipped them
 *   without their being in the windows);
 * - and, exactly-once, with or without state, no output reaches a sink while its transaction commits (it went
 *   into the committing transaction without its record's offset, or failed the send).
 * Then the sinks flush, and the finished offsets and the checkpoint are taken.
 */
async function takeCheckpoint(scope: CommitScope): Promise<{
  offsets: OffsetToCommit[];
  checkpoint: ReturnType<AppState['checkpoint']> | null;
}> {
  const { source, state } = scope;
  await scope.whenIdle();
  await scope.flushSinks();
  const offsets = source.finishedOffsets();
  return { offsets, checkpoint: state?.checkpoint(source.handledOffsets()) ?? null };
}

/**
 * At-least-once with a changelog: the state written since the last commit goes to the changelog (acknowledged)
 * and the local stores, then the offsets commit. The source waits only while the checkpoint is taken (what is in
 * flight first reaches the windows or the sinks): the state then covers exactly the records handled, and the
 * offsets are those finished, at that instant. The sinks' sends up to then are acknowledged before the changelog
 * is written (a state covering a record whose output was lost would skip it after a restart); the input goes on
 * meanwhile, and its messages do not wait in the client's buffer, where they outlived the young generation.
 * @internal
 */
export async function commitWithChangelog(scope: CommitScope & { readonly state: AppState }): Promise<void> {
  const release = holdSource(scope.source);
  let offsets: OffsetToCommit[];
  let checkpoint: ReturnType<AppState['checkpoint']>;
  let flushed: Promise<void>;
  try {
    await scope.whenIdle();
    offsets = scope.source.finishedOffsets();
    checkpoint = scope.state.checkpoint(scope.source.handledOffsets());
    flushed = scope.flushSent();
  } finally {
    release();
  }
  await flushed;
  let next: Map<string, ChangelogSpan>;
  try {
    next = await writeChangelog(scope.producer, checkpoint.records);
  } catch (error) {
    // The windows' changes were taken out and not written: going on would leave them out of the changelog.
    const e = new TwinstreamError(
      'TS_KAFKA_PRODUCE',
      `writing the state changelog failed: ${(error as Error)?.message ?? error}`,
      { cause: error },
    );
    scope.producerFailed(e);
    throw e;
  }
  // After the changelog acknowledged: a local store is never ahead of it. Without transactions another process (a
  // zombie the group took the partition from) may have written between: the copy's checkpoint then stays.
  checkpoint.commit(next, true);
  if (offsets.length > 0) await scope.source.commitOffsets(offsets);
}
