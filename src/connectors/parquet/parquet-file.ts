import { importOptional } from '../../import-optional.ts';
import { localDisk, type Storage } from '../files/storage.ts';

/** @internal The part of hyparquet-writer's `ParquetWriter` the sinks use. */
export interface ParquetRowGroups {
  /** Encodes a row group; a promise back when the storage asks the writer to wait before the next. */
  write(o: { columnData: unknown[]; rowGroupSize: number }): void | Promise<void>;
  /** Writes the footer and closes the file (renamed, uploaded); settles once it is complete at its path. */
  finish(): Promise<void>;
}

/** @internal A schema element as hyparquet-writer takes it. */
export type ParquetSchemaElement = Record<string, unknown>;

// Bytes are handed to the file once this many are buffered: few large writeSync calls.
const CHUNK = 1 << 20;

/**
 * Opens a Parquet file written atomically: hyparquet-writer encodes into a growing buffer that is flushed to a
 * storage file (local disk by default: an `AtomicFile`) every MiB, and `finish()` writes the footer and completes
 * the file at `path` (renamed, or uploaded). A SIGINT or
 * SIGTERM before that runs `onSignal` (the owner flushes what it holds and finishes the file) or finishes the file
 * alone, so no run leaves a Parquet file without a footer.
 *
 * @example
 * const pw = await openParquetFile('out/a.parquet', schema, 'SNAPPY');
 * pw.write({ columnData, rowGroupSize: 1000 });
 * await pw.finish();
 * @internal
 */
export async function openParquetFile(
  path: string,
  schema: ParquetSchemaElement[],
  codec: 'SNAPPY' | 'UNCOMPRESSED',
  onSignal?: () => void | Promise<void>,
  storage: Storage = localDisk,
): Promise<ParquetRowGroups> {
  const { ByteWriter, ParquetWriter } = await importOptional(
    'hyparquet-writer',
    'Parquet writer',
    () => import('hyparquet-writer'),
  );
  let parquet: ParquetRowGroups | null = null;
  // On SIGINT/SIGTERM: the owner's close (which writes what it holds first), or the footer alone.
  const file = storage.create(path, onSignal ?? (() => parquet?.finish()));
  const bytes = new ByteWriter(CHUNK + (CHUNK >> 1)) as any;
  // The last wait the storage asked for while a row group was encoded (flushes happen inside the encoder).
  let wait: Promise<void> | undefined;
  const flush = () => {
    if (bytes.index > 0) {
      const r = file.write(new Uint8Array(bytes.buffer, 0, bytes.index));
      if (r !== undefined) wait = r;
    }
    bytes.index = 0;
  };
  const grow = bytes.ensure.bind(bytes);
  bytes.ensure = (size: number) => {
    if (bytes.index > CHUNK) flush();
    grow(size);
  };
  bytes.finish = flush;
  const writer = new ParquetWriter({ writer: bytes, schema: schema as never, codec });
  let finished: Promise<void> | null = null;
  parquet = {
    write: (o) => {
      writer.write(o as never);
      const r = wait;
      wait = undefined;
      return r;
    },
    finish: () => {
      finished ??= (async () => {
        writer.finish();
        await file.close();
      })();
      return finished;
    },
  };
  return parquet;
}
