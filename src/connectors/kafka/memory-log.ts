import { TwinstreamError } from '../../errors.ts';
import type { RawMessage } from './record-decoder.ts';

/**
 * @internal What the in-memory cluster throws where a broker answers with an error (the broker's name for it in
 * the message): the client operations above wrap it as they wrap the real client's errors.
 */
export function refused(message: string): TwinstreamError {
  return new TwinstreamError('TS_KAFKA_REFUSED', message);
}

/** @internal A transaction's fate, shared by every record it wrote. */
export interface TxState {
  state: 'open' | 'committed' | 'aborted';
}

/** @internal One record of an in-memory partition. */
export interface LogEntry {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Map<Buffer | string, Buffer>;
  readonly timestamp: number;
  /** The transaction that wrote it (null: a plain write). */
  readonly tx: TxState | null;
}

/**
 * One partition of an in-memory topic: its records in offset order (never compacted or deleted), and where each
 * open transaction began in it, which bounds what read_committed readers see (the last stable offset).
 *
 * @example
 * const log = new PartitionLog();
 * log.append({ key: null, value: Buffer.from('1'), headers: new Map(), timestamp: 0, tx: null }); // offset 0
 * log.end(true); // 1
 * @internal
 */
export class PartitionLog {
  readonly entries: LogEntry[] = [];
  private readonly openAt = new Map<TxState, number>();

  /** Appends a record; returns its offset. */
  append(entry: LogEntry): number {
    const offset = this.entries.length;
    if (entry.tx !== null && entry.tx.state === 'open' && !this.openAt.has(entry.tx)) this.openAt.set(entry.tx, offset);
    this.entries.push(entry);
    return offset;
  }

  /** A transaction that wrote here ended (committed or aborted). */
  ended(tx: TxState): void {
    this.openAt.delete(tx);
  }

  /** The end offset: the high watermark, or for read_committed the first record of the oldest open transaction. */
  end(readCommitted: boolean): number {
    if (!readCommitted || this.openAt.size === 0) return this.entries.length;
    let first = this.entries.length;
    for (const at of this.openAt.values()) if (at < first) first = at;
    return first;
  }

  /** Whether a reader sees the record at `offset` (below the end): read_committed skips aborted transactions. */
  visible(offset: number, readCommitted: boolean): boolean {
    const tx = this.entries[offset]!.tx;
    return !readCommitted || tx === null || tx.state === 'committed';
  }

  /** The record at `offset` as a consumer delivers it. */
  message(topic: string, partition: number, offset: number): RawMessage {
    const e = this.entries[offset]!;
    return {
      topic,
      partition,
      offset: BigInt(offset),
      key: e.key,
      value: e.value,
      timestamp: BigInt(e.timestamp),
      headers: new Map(e.headers),
    };
  }
}
