// Keyed state stores. Re-exports only.
export * from './buffered-transaction.ts';
export * from './lmdb-store.ts';
export * from './memory-store.ts';
export * from './state-store.ts';
