/**
 * Keyed state, per namespace (an operator: a window, a join) and partition (a Kafka partition: the unit that
 * moves between processes when a consumer group rebalances). Entries may carry an event-time expiry: `expire`
 * drops those the watermark has passed. Writes made through a transaction become visible together, or not at all.
 */
export interface StateStore extends StateReader {
  /** Writes one entry at once (a transaction of one write). */
  set(namespace: string, partition: number, key: string, value: unknown, options?: SetOptions): void;
  /** Deletes one entry at once. */
  delete(namespace: string, partition: number, key: string): void;
  /** Starts a transaction: reads see its own writes; nothing is visible outside until `commit`. */
  begin(): Transaction;
  /**
   * Runs `fn` in a transaction and commits when it returns (aborts when it throws).
   * @example store.transaction((tx) => { window.persist(tx); tx.set('offsets', 0, 'raw', 42); });
   */
  transaction<R>(fn: (tx: Transaction) => R): R;
  /** Deletes the entries of a namespace and partition whose `expiresAt` is at or before `watermark`. Returns how many. */
  expire(namespace: string, partition: number, watermark: number): number;
  /** Releases the store (an lmdb store closes its files). */
  close(): Promise<void>;
}

/** What reading state needs. */
export interface StateReader {
  /** The value, or `undefined`. The value is a copy: mutating it changes nothing in the store. */
  get(namespace: string, partition: number, key: string): unknown;
  has(namespace: string, partition: number, key: string): boolean;
  /** Every entry of a namespace and partition, in key order. */
  entries(namespace: string, partition: number): Iterable<readonly [string, unknown]>;
  /** The partitions that hold entries in `namespace`, ascending. */
  partitions(namespace: string): Iterable<number>;
}

export interface SetOptions {
  /** An event time (ms) after which the entry may be dropped by `expire`. */
  expiresAt?: number;
}

/** A set of writes that commit together. Reads see the transaction's own writes. */
export interface Transaction extends StateReader {
  set(namespace: string, partition: number, key: string, value: unknown, options?: SetOptions): void;
  delete(namespace: string, partition: number, key: string): void;
  /** Makes every write visible, atomically. A committed or aborted transaction cannot be used again. */
  commit(): void;
  /** Forgets every write. */
  abort(): void;
}
