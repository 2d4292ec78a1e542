// Files: atomic writes, files closed on SIGINT/SIGTERM. Re-exports only, by name.

import '../../core/index.ts';

export { AtomicFile } from './atomic-file.ts';
export { closeAllFiles, closeOnSignal } from './close-on-signal.ts';
export type { FilenamesOptions } from './filenames.ts';
export { FilenamesSource } from './filenames.ts';
export type { FromCsvOptions } from './from-csv.ts';
export { CsvSource } from './from-csv.ts';
export type { FromJsonlOptions } from './from-jsonl.ts';
export { JsonlSource } from './from-jsonl.ts';
export type { FromTextFileOptions } from './from-text-file.ts';
export { TextFileSource } from './from-text-file.ts';
export type { Storage, StorageFile } from './storage.ts';
export { LocalStorage } from './storage.ts';
export type { ToJsonlOptions } from './to-jsonl.ts';
export { ToJsonlNode } from './to-jsonl.ts';
