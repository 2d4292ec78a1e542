// Parquet files: a sink writing rows to Parquet (hyparquet-writer) and a source reading them (hyparquet), both
// loaded on first use. Importing this entry adds `toParquet` and `Stream.fromParquet`. Re-exports only, by name.

import '../../core/index.ts';

export type { FromParquetOptions } from './from-parquet.ts';
export { ParquetSource } from './from-parquet.ts';
export type { ToParquetOptions } from './to-parquet.ts';
export { ToParquetNode } from './to-parquet.ts';
