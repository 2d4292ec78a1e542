// Keyed state stores. Re-exports only, by name.

export type { LmdbStateStoreOptions } from './lmdb-store.ts';
export { LmdbStateStore } from './lmdb-store.ts';
export { MemoryStateStore } from './memory-store.ts';
export type { SetOptions, StateReader, StateStore, Transaction } from './state-store.ts';
