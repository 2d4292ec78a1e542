import { join } from 'node:path';
import { AtomicFile } from './atomic-file.ts';

/** A file being written to a {@link Storage}: it appears at its path, complete, once `close()` settles. */
export interface StorageFile {
  /** Where the file goes, as the storage names it (a local path, an object key). */
  readonly path: string;
  /**
   * Appends bytes or UTF-8 text. A promise back asks the writer to wait before writing more (an upload with as
   * many parts in flight as it allows); what was passed is taken either way. Local files return nothing.
   */
  write(data: Uint8Array | string): void | Promise<void>;
  /** Finishes the file: renamed onto its path, uploaded. Closing twice settles once. */
  close(): Promise<void>;
  /** Drops what was written; the path is left as it was. */
  abort(): void;
}

/**
 * Where the file writers (`toParquet`, `toJsonl`) put their files: local disk ({@link LocalStorage}, the default)
 * or an object store (`S3Storage` in `twinstream/s3`). A file is complete or absent at its path, never partial.
 * `onSignal` is what SIGINT/SIGTERM runs while the file is open (the writer's own close, which flushes first).
 */
export interface Storage {
  create(path: string, onSignal?: () => void | Promise<void>): StorageFile;
}

/**
 * Files on local disk, under `root` when given (paths are joined to it), written with {@link AtomicFile}.
 *
 * @example
 * import { LocalStorage } from 'twinstream/files';
 * const storage = new LocalStorage('/data/twin');
 * const file = storage.create('events/part-0.jsonl');
 * file.write('{"t":1}\n');
 * await file.close(); // /data/twin/events/part-0.jsonl
 */
export class LocalStorage implements Storage {
  readonly root: string | null;

  constructor(root?: string) {
    this.root = root ?? null;
  }

  create(path: string, onSignal?: () => void | Promise<void>): StorageFile {
    const file = new AtomicFile(this.root === null ? path : join(this.root, path), onSignal);
    return {
      path: file.path,
      write: (data) => file.write(data),
      close: async () => file.close(),
      abort: () => file.abort(),
    };
  }
}

/** @internal The storage used when a writer is given none. */
export const localDisk: Storage = new LocalStorage();
