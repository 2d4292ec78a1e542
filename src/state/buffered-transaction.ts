import { badArgument, TwinstreamError } from '../errors.ts';
import type { SetOptions, StateReader, Transaction } from './state-store.ts';

/** @internal One pending write: a value to set, or `undefined` with `deleted` for a delete. */
export interface PendingWrite {
  readonly namespace: string;
  readonly partition: number;
  readonly key: string;
  readonly value: unknown;
  readonly expiresAt: number | undefined;
  readonly deleted: boolean;
}

/**
 * A transaction that keeps its writes in memory and hands them to the store in one piece on `commit`. Both
 * stores use it: the memory store applies the batch, the lmdb store writes it in one lmdb write transaction.
 *
 * @example
 * const tx = new BufferedTransaction(store, (writes) => apply(writes));
 * tx.set('window', 0, 'k"a"', { sum: 1 });
 * tx.commit();
 * @internal
 */
export class BufferedTransaction implements Transaction {
  private readonly base: StateReader;
  private readonly apply: (writes: PendingWrite[]) => void;
  private readonly writes = new Map<string, PendingWrite>();
  private open = true;

  constructor(base: StateReader, apply: (writes: PendingWrite[]) => void) {
    this.base = base;
    this.apply = apply;
  }

  private check(): void {
    if (!this.open)
      throw new TwinstreamError('TS_TX_CLOSED', 'this state transaction was already committed or aborted');
  }

  private id(namespace: string, partition: number, key: string): string {
    return `${namespace}\u0000${partition}\u0000${key}`;
  }

  get(namespace: string, partition: number, key: string): unknown {
    const w = this.writes.get(this.id(namespace, partition, key));
    if (w !== undefined) return w.deleted ? undefined : structuredClone(w.value);
    return this.base.get(namespace, partition, key);
  }

  has(namespace: string, partition: number, key: string): boolean {
    const w = this.writes.get(this.id(namespace, partition, key));
    if (w !== undefined) return !w.deleted;
    return this.base.has(namespace, partition, key);
  }

  *entries(namespace: string, partition: number): Iterable<readonly [string, unknown]> {
    const seen = new Set<string>();
    const pending = [...this.writes.values()].filter((w) => w.namespace === namespace && w.partition === partition);
    for (const w of pending) seen.add(w.key);
    const merged: [string, unknown][] = [];
    for (const [k, v] of this.base.entries(namespace, partition)) if (!seen.has(k)) merged.push([k, v]);
    for (const w of pending) if (!w.deleted) merged.push([w.key, structuredClone(w.value)]);
    merged.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    yield* merged;
  }

  partitions(namespace: string): Iterable<number> {
    const out = new Set<number>(this.base.partitions(namespace));
    for (const w of this.writes.values()) if (w.namespace === namespace && !w.deleted) out.add(w.partition);
    return [...out].sort((a, b) => a - b);
  }

  set(namespace: string, partition: number, key: string, value: unknown, options?: SetOptions): void {
    this.check();
    checkAddress(namespace, partition, key);
    // Copied now: the caller may go on mutating its object, the transaction keeps what was written.
    this.writes.set(this.id(namespace, partition, key), {
      namespace,
      partition,
      key,
      value: structuredClone(value),
      expiresAt: options?.expiresAt,
      deleted: false,
    });
  }

  delete(namespace: string, partition: number, key: string): void {
    this.check();
    checkAddress(namespace, partition, key);
    this.writes.set(this.id(namespace, partition, key), {
      namespace,
      partition,
      key,
      value: undefined,
      expiresAt: undefined,
      deleted: true,
    });
  }

  commit(): void {
    this.check();
    this.open = false;
    this.apply([...this.writes.values()]);
    this.writes.clear();
  }

  abort(): void {
    this.open = false;
    this.writes.clear();
  }
}

/** @internal Runs `fn` in `tx`, committing when it returns and aborting when it throws. */
export function runTransaction<R>(tx: Transaction, fn: (tx: Transaction) => R): R {
  let r: R;
  try {
    r = fn(tx);
  } catch (e) {
    tx.abort();
    throw e;
  }
  tx.commit();
  return r;
}

/** @internal Checks the address of an entry (shared by both stores). */
export function checkAddress(namespace: unknown, partition: unknown, key: unknown): void {
  if (typeof namespace !== 'string' || namespace === '')
    badArgument('StateStore', 'namespace', namespace, 'a non-empty string');
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0) {
    badArgument('StateStore', 'partition', partition, 'an integer >= 0');
  }
  if (typeof key !== 'string') badArgument('StateStore', 'key', key, 'a string');
}
