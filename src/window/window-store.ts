/**
 * What a window needs from a state store to survive a restart: read its namespace back, and write into a
 * transaction. `StateStore` (memory or lmdb, in `state/`) provides it; windows only see this shape, so the window
 * layer does not depend on the store layer.
 *
 * @example
 * const store = new MemoryStateStore();
 * const w = source.tumblingWindow('10s', { key: 'sensor', store, namespace: 'temps' }).mean().final();
 * // at a checkpoint, with the source offsets in the same transaction:
 * store.transaction((tx) => { w.persist(tx); tx.set('offsets', 0, 'raw', 1234); });
 */
export interface WindowStoreReader {
  /** Every entry of one namespace and partition. */
  entries(namespace: string, partition: number): Iterable<readonly [string, unknown]>;
  /** The partitions that hold entries in `namespace`. */
  partitions(namespace: string): Iterable<number>;
}

/** The writing half: a transaction of a state store. */
export interface WindowStoreWriter {
  set(namespace: string, partition: number, key: string, value: unknown, options?: { expiresAt?: number }): void;
  delete(namespace: string, partition: number, key: string): void;
}

/** @internal The key under which a window stores a partition's bookkeeping (its watermark). */
export const PARTITION_ENTRY = '~partition';

/** @internal The store key of a window key: JSON, so any JSON-serializable key survives a restart. */
export function storeKey(key: unknown): string {
  return `k${JSON.stringify(key ?? null)}`;
}
