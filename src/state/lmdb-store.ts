// lmdb is a native module: imported when a store is opened, so the package root stays importable in a browser.

import type { Database, RootDatabase } from 'lmdb';
import { badArgument, TwinstreamError } from '../errors.ts';
import { importOptional } from '../import-optional.ts';
import { BufferedTransaction, type PendingWrite, runTransaction } from './buffered-transaction.ts';
import type { SetOptions, StateStore, Transaction } from './state-store.ts';

export interface LmdbStateStoreOptions {
  /** The directory of the database (created if missing). */
  path: string;
}

interface Stored {
  v: unknown;
  e?: number;
}

type Key = [string, number, string];

/**
 * A state store on disk in lmdb: a transaction is one lmdb write transaction, durable when `commit` returns, so a
 * process that dies loses nothing that was committed and sees none of what was not.
 *
 * @example
 * const store = await LmdbStateStore.open({ path: './state' });
 * const w = source.tumblingWindow('1m', { key: 'sensor', store, namespace: 'temps' }).mean().final();
 * store.transaction((tx) => { w.persist(tx); tx.set('offsets', 0, 'raw', offset); });
 */
export class LmdbStateStore implements StateStore {
  private readonly db: RootDatabase<Stored, Key>;
  private closed = false;

  private constructor(db: RootDatabase<Stored, Key>) {
    this.db = db;
  }

  /** Opens (or creates) the database at `options.path`. */
  static async open(options: LmdbStateStoreOptions): Promise<LmdbStateStore> {
    if (typeof options?.path !== 'string' || options.path === '') {
      badArgument('LmdbStateStore.open', 'path', options?.path, 'a directory path');
    }
    const { open } = await importOptional('lmdb', 'LmdbStateStore', () => import('lmdb'));
    try {
      return new LmdbStateStore(open<Stored, Key>({ path: options.path, compression: false }));
    } catch (e) {
      throw new TwinstreamError(
        'TS_STATE_OPEN',
        `LmdbStateStore.open: cannot open "${options.path}": ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  private get database(): Database<Stored, Key> {
    if (this.closed) throw new TwinstreamError('TS_STATE_CLOSED', 'LmdbStateStore: the store is closed');
    return this.db;
  }

  get(namespace: string, partition: number, key: string): unknown {
    return this.database.get([namespace, partition, key])?.v;
  }

  has(namespace: string, partition: number, key: string): boolean {
    return this.database.doesExist([namespace, partition, key]);
  }

  *entries(namespace: string, partition: number): Iterable<readonly [string, unknown]> {
    for (const { key, value } of this.database.getRange({
      start: [namespace, partition],
      end: [namespace, partition + 1],
    })) {
      yield [(key as Key)[2], value.v];
    }
  }

  partitions(namespace: string): Iterable<number> {
    const out: number[] = [];
    let last = -1;
    for (const key of this.database.getKeys({
      start: [namespace] as unknown as Key,
      end: [`${namespace}\u0000`] as unknown as Key,
    })) {
      const p = (key as Key)[1];
      if (p !== last) {
        out.push(p);
        last = p;
      }
    }
    return out;
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
    const db = this.database;
    db.transactionSync(() => {
      for (const w of writes) {
        const k: Key = [w.namespace, w.partition, w.key];
        if (w.deleted) db.removeSync(k);
        else db.putSync(k, w.expiresAt === undefined ? { v: w.value } : { v: w.value, e: w.expiresAt });
      }
    });
  }

  expire(namespace: string, partition: number, watermark: number): number {
    const db = this.database;
    const due: Key[] = [];
    for (const { key, value } of db.getRange({ start: [namespace, partition], end: [namespace, partition + 1] })) {
      if (value.e !== undefined && value.e <= watermark) due.push(key as Key);
    }
    if (due.length > 0)
      db.transactionSync(() => {
        for (const k of due) db.removeSync(k);
      });
    return due.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
