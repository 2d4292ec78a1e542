// PostgreSQL sources and sinks. Re-exports only, by name. The `postgres` client is imported lazily, on first use.

import '../../core/index.ts';
import './to-postgres.ts';
import './from-postgres.ts';

export type { PostgresColumnType } from './columns.ts';
export type { PostgresConnection } from './connection.ts';
export type { FromPostgresOptions } from './from-postgres.ts';
export { PostgresSource } from './from-postgres.ts';
export type { PostgresOffsetsOptions } from './postgres-offsets.ts';
export { PostgresOffsets } from './postgres-offsets.ts';
export type { PostgresDeadLetter, ToPostgresOptions } from './to-postgres.ts';
export { PostgresSinkNode } from './to-postgres.ts';
