import type {
  PortConsumer,
  PortMessage,
  PortOffset,
  PortProduceResult,
  PortProducer,
  PortTransaction,
} from './kafka-port.ts';
import type { MemoryConsumer } from './memory-consumer.ts';
import type { MemoryKafka } from './memory-kafka.ts';
import { refused, type TxState } from './memory-log.ts';

/** The holder of a transactional id: its epoch (each new producer with the id bumps it) and its open transaction. */
export interface TransactionalId {
  epoch: number;
  open: MemoryTransaction | null;
}

/**
 * A transaction of an in-memory producer: its records are written at once but seen by read_committed readers only
 * after `commit`; its group offsets commit with it; a newer producer with the same transactional id aborts it.
 * @internal
 */
export class MemoryTransaction implements PortTransaction, TxState {
  state: 'open' | 'committed' | 'aborted' = 'open';
  private readonly producer: MemoryProducer;
  private readonly kafka: MemoryKafka;
  private readonly offsets: PortOffset[] = [];
  private consumer: MemoryConsumer | null = null;

  constructor(kafka: MemoryKafka, producer: MemoryProducer) {
    this.kafka = kafka;
    this.producer = producer;
  }

  private usable(what: string): void {
    this.producer.current(what);
    if (this.state !== 'open') throw refused(`${what}: the transaction is ${this.state}`);
  }

  async send(options: { messages: PortMessage[] }): Promise<PortProduceResult> {
    this.usable('send');
    return this.kafka.write(options.messages, this, this.producer.partitioner);
  }

  async addConsumer(consumer: PortConsumer): Promise<void> {
    this.usable('addConsumer');
    this.consumer = consumer as MemoryConsumer;
  }

  async addOffset(offset: PortOffset & { metadata?: unknown }): Promise<void> {
    this.usable('addOffset');
    const member = (offset.metadata as { consumer?: { generationId?: number; memberId?: string } } | undefined)
      ?.consumer;
    const consumer = this.consumer;
    if (consumer === null) throw refused('addOffset: no consumer added to the transaction');
    const group = this.kafka.group(consumer.groupId);
    // As the broker does: offsets of a member that left, or of an older generation, are refused.
    if (!group.has(consumer) || (member?.generationId !== undefined && member.generationId !== group.generation)) {
      throw refused(
        `addOffset: generation ${member?.generationId} of "${consumer.groupId}" is stale (ILLEGAL_GENERATION)`,
      );
    }
    // The client commits the offset of the last record handled; the group keeps the next one to read.
    this.offsets.push({ topic: offset.topic, partition: offset.partition, offset: offset.offset + 1n });
  }

  async commit(): Promise<void> {
    this.usable('commit');
    this.end('committed');
    if (this.consumer !== null) {
      const group = this.kafka.group(this.consumer.groupId);
      for (const o of this.offsets) group.committed.set(`${o.topic}:${o.partition}`, o.offset);
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'open') this.end('aborted');
  }

  async cancel(): Promise<void> {
    await this.abort();
  }

  /** Ends the transaction (also when fenced by a newer producer). */
  end(state: 'committed' | 'aborted'): void {
    this.state = state;
    this.producer.holder().open = null;
    this.kafka.ended(this);
  }
}

/**
 * A producer of an in-memory cluster. With a transactional id, its first transaction fences any earlier producer
 * with the id (aborting its open transaction), as InitProducerId does; a fenced producer fails what it is asked.
 * @internal
 */
export class MemoryProducer implements PortProducer {
  readonly partitioner: unknown;
  dead = false;
  private readonly kafka: MemoryKafka;
  private readonly transactionalId: string | undefined;
  private epoch = -1;

  constructor(kafka: MemoryKafka, options: Record<string, unknown>) {
    this.kafka = kafka;
    this.partitioner = options.partitioner;
    this.transactionalId = options.transactionalId as string | undefined;
  }

  /** Fails when this producer was closed, killed, or fenced by a newer one with its transactional id. */
  current(what: string): void {
    if (this.dead) throw refused(`${what}: the producer is closed`);
    if (this.epoch >= 0 && this.holder().epoch !== this.epoch) {
      throw refused(`${what}: a newer producer has the transactional id "${this.transactionalId}" (fenced)`);
    }
  }

  holder(): TransactionalId {
    return this.kafka.transactionalId(this.transactionalId ?? '');
  }

  async send(options: { messages: PortMessage[]; acks?: number }): Promise<PortProduceResult> {
    this.current('send');
    return this.kafka.write(options.messages, null, this.partitioner);
  }

  async beginTransaction(): Promise<PortTransaction> {
    if (this.transactionalId === undefined) throw refused('beginTransaction: the producer has no transactional id');
    this.current('beginTransaction');
    const holder = this.holder();
    if (this.epoch < 0) {
      holder.epoch++;
      this.epoch = holder.epoch;
      holder.open?.end('aborted');
    }
    if (holder.open !== null) throw refused('beginTransaction: a transaction is open already');
    const tx = new MemoryTransaction(this.kafka, this);
    holder.open = tx;
    return tx;
  }

  async close(): Promise<void> {
    this.dead = true;
  }
}
