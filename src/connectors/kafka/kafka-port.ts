// What twinstream asks of a Kafka client, and nothing more: a consumer in a group (consume, commit, assignments),
// a producer (produce, transactions) and topic administration. The broker port (broker-port.ts) implements it with
// @platformatic/kafka against real brokers; `MemoryKafka` (memory-kafka.ts) in memory, for tests in virtual time.
// The shapes follow the client's own, so that its objects pass as they are.
import type { RawMessage } from './record-decoder.ts';

/** A topic and partition with an offset (the next one to read, when committed). */
export interface PortOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

/** What a consumer's group membership looks like to a transaction (its offsets commit in the member's generation). */
export interface PortGroupMember {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string | null;
  readonly coordinatorId: number;
}

/** The partitions a group join gave a member (`consumer:group:join`). */
export interface PortAssignment {
  topic: string;
  partitions: number[];
}

/**
 * Messages as a consumer reads them: `data` per message, paused and resumed for back pressure, `error` and
 * `close` when reading ends by itself, `fetch` after each fetch is taken in.
 */
export interface PortMessages {
  on(event: 'data', fn: (m: RawMessage) => void): unknown;
  on(event: 'fetch' | 'error', fn: (e?: unknown) => void): unknown;
  once(event: 'error' | 'close', fn: (e?: unknown) => void): unknown;
  removeAllListeners(event: 'data'): unknown;
  pause(): unknown;
  resume(): unknown;
  close(): Promise<void>;
  /** The next offset to fetch per `topic:partition`. */
  readonly offsetsToFetch: Map<string, bigint>;
  /** Messages taken in and not yet handed to `data`. */
  readonly readableLength: number;
}

/** How a consumer reads: from the group's committed offsets (falling back to earliest or latest), or from given ones. */
export type PortConsumeOptions =
  | { topics: string[]; mode: 'committed'; fallbackMode: 'earliest' | 'latest'; autocommit: false }
  | { topics: string[]; mode: 'manual'; offsets: PortOffset[]; autocommit: false };

/** A consumer: a member of a group once it consumes. */
export interface PortConsumer extends PortGroupMember {
  consume(options: PortConsumeOptions): Promise<PortMessages>;
  commit(options: { offsets: (PortOffset & { leaderEpoch: number })[] }): Promise<unknown>;
  /** The offsets of each partition of `topics`: the end (read_committed: the last stable offset), or the earliest (`timestamp: -2n`). */
  listOffsets(options: {
    topics: string[];
    isolationLevel?: 0 | 1;
    timestamp?: bigint;
  }): Promise<Map<string, bigint[]>>;
  on(event: 'consumer:group:join', fn: (payload: { assignments?: PortAssignment[] }) => void): unknown;
  on(event: 'error', fn: (error: unknown) => void): unknown;
  close(force?: boolean): Promise<void>;
}

/** A message ready to produce (see `PreparedMessage`). */
export interface PortMessage {
  topic: string;
  key?: Buffer | undefined;
  value?: Buffer | string | null | undefined;
  headers?: Map<Buffer | string, Buffer> | undefined;
  partition?: number | undefined;
  timestamp?: number | bigint | undefined;
}

/** What a produce request reports: per partition written, the base offset of its batch. */
export interface PortProduceResult {
  offsets?: PortOffset[];
}

/** A Kafka transaction: sends, the group offsets it commits, and its end. */
export interface PortTransaction {
  send(options: { messages: PortMessage[] }): Promise<PortProduceResult>;
  addConsumer(consumer: PortConsumer): Promise<unknown>;
  addOffset(offset: PortOffset & { metadata?: unknown }): Promise<unknown>;
  commit(): Promise<unknown>;
  abort(): Promise<unknown>;
  /** Ends a transaction nothing was sent in. */
  cancel(): Promise<unknown>;
}

/** A producer: plain sends, or transactions when made with a transactional id. */
export interface PortProducer {
  send(options: { messages: PortMessage[]; acks?: number }): Promise<PortProduceResult>;
  beginTransaction(): Promise<PortTransaction>;
  close(force?: boolean): Promise<void>;
}

/** Topic administration. */
export interface PortAdmin {
  createTopics(options: {
    topics: string[];
    partitions: number;
    replicas: number;
    configs: { name: string; value: string }[];
  }): Promise<unknown>;
  listTopics(): Promise<string[]>;
  metadata(options: { topics: string[] }): Promise<{ topics: Map<string, { partitionsCount: number }> }>;
  deleteTopics(options: { topics: string[] }): Promise<unknown>;
  /** Topic configurations (`resourceType` 2: a topic), with the keys asked for. */
  describeConfigs(options: {
    resources: { resourceType: number; resourceName: string; configurationKeys?: string[] }[];
  }): Promise<{ resourceName: string; configs: { name: string; value: string | null }[] }[]>;
  close(): Promise<void>;
}

/**
 * The clients twinstream works through. `options` are the client's (bootstrap brokers, group id, timeouts...,
 * built by `clientOptions`); an in-memory port reads the few it needs.
 *
 * @example
 * const kafka = new MemoryKafka();
 * const app = new Application({ brokers: kafka.brokers, client: kafka, groupId: 'g' });
 */
export interface KafkaPort {
  /** `'broker'` (real brokers) or `'memory'`. */
  readonly kind: string;
  /** A consumer; `readCommitted` reads committed transactions only (exactly-once inputs, changelog restores). */
  consumer(options: Record<string, unknown>, readCommitted: boolean): Promise<PortConsumer>;
  producer(options: Record<string, unknown>): Promise<PortProducer>;
  admin(options: Record<string, unknown>): Promise<PortAdmin>;
}
