import { BufferedTransaction, type PendingWrite, runTransaction } from './buffered-transaction.ts';
import type { SetOptions, StateStore, Transaction } from './state-store.ts';

interface Entry {
  value: unknown;
  expiresAt: number | undefined;
}

/**
 * A state store in memory: fast, and gone when the process ends. Values are copied in and out
 * (`structuredClone`), so callers can mutate what they hold without touching committed state.
 *
 * @example
 * const store = new MemoryStateStore();
 * store.transaction((tx) => tx.set('counts', 0, 'sensor-1', 42));
 * store.get('counts', 0, 'sensor-1'); // 42
 */
export class MemoryStateStore implements StateStore {
  private readonly data = new Map<string, Map<number, Map<string, Entry>>>();

  private table(namespace: string, partition: number, create: boolean): Map<string, Entry> | undefined {
    let ns = this.data.get(namespace);
    if (ns === undefined) {
      if (!create) return undefined;
      ns = new Map();
      this.data.set(namespace, ns);
    }
    let t = ns.get(partition);
    if (t === undefined && create) {
      t = new Map();
      ns.set(partition, t);
    }
    return t;
  }

  get(namespace: string, partition: number, key: string): unknown {
    const e = this.table(namespace, partition, false)?.get(key);
    return e === undefined ? undefined : structuredClone(e.value);
  }

  has(namespace: string, partition: number, key: string): boolean {
    return this.table(namespace, partition, false)?.has(key) ?? false;
  }

  *entries(namespace: string, partition: number): Iterable<readonly [string, unknown]> {
    const t = this.table(namespace, partition, false);
    if (t === undefined) return;
    const keys = [...t.keys()].sort();
    for (const k of keys) yield [k, structuredClone(t.get(k)!.value)];
  }

  partitions(namespace: string): Iterable<number> {
    const ns = this.data.get(namespace);
    if (ns === undefined) return [];
    return [...ns.entries()]
      .filter(([, t]) => t.size > 0)
      .map(([p]) => p)
      .sort((a, b) => a - b);
  }

  set(namespace: string, partition: number, key: string, value: unknown, options?: SetOptions): void {
    this.transaction((tx) => tx.set(namespace, partition, key, value, options));
  }

  delete(namespace: string, partition: number, key: string): void {
    this.transaction((tx) => tx.delete(namespace, partition, key));
  }

  begin(): Transaction {
    return new BufferedTransaction(this, (writes) => this.apply(writes));
  }

  transaction<R>(fn: (tx: Transaction) => R): R {
    return runTransaction(this.begin(), fn);
  }

  private apply(writes: PendingWrite[]): void {
    for (const w of writes) {
      const t = this.table(w.namespace, w.partition, true)!;
      if (w.deleted) t.delete(w.key);
      else t.set(w.key, { value: w.value, expiresAt: w.expiresAt });
    }
  }

  expire(namespace: string, partition: number, watermark: number): number {
    const t = this.table(namespace, partition, false);
    if (t === undefined) return 0;
    let n = 0;
    for (const [k, e] of t) {
      if (e.expiresAt !== undefined && e.expiresAt <= watermark) {
        t.delete(k);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    this.data.clear();
  }
}
