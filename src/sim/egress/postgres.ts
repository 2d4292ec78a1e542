import type { PostgresColumnType } from '../../connectors/postgres/columns.ts';
import type { PostgresConnection } from '../../connectors/postgres/connection.ts';
import { PostgresSinkNode, type ToPostgresOptions } from '../../connectors/postgres/to-postgres.ts';
import { Stream } from '../../core/stream.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';
import { StreamEgress } from './stream.ts';

/** Options of `PostgresEgress`: those of `toPostgres`, with a table of simulation records by default. */
export type PostgresEgressOptions = Partial<ToPostgresOptions>;

/** The columns of a simulation record; `value` as `jsonb` (numbers, states and objects alike). */
const RECORD_COLUMNS: Record<string, PostgresColumnType> = {
  stream_type: 'text',
  path_id: 'text',
  key: 'text',
  value: 'jsonb',
  sim_ts: 'double precision',
  timestamp: 'timestamptz',
};

/**
 * Writes the simulation's records (telemetry and events) to a PostgreSQL table by COPY, a batch of the egress
 * queue per transaction, as desflow writes its events to PostgreSQL. By default the table `sim_records` is created
 * with the columns `stream_type, path_id, key, value (jsonb), sim_ts, timestamp`; `mode: 'upsert'` with a `key`
 * keeps the last state of each key instead.
 *
 * @example
 * env.setupEgress([new PostgresEgress('postgres://user:pw@localhost/plant', { table: 'line_a_records' })]);
 */
export class PostgresEgress implements EgressSink {
  readonly name = 'postgres';
  /** The sink node writing the records (`written`, `deadLetters`). */
  readonly sink: PostgresSinkNode;
  // The records go through a graph of their own into the sink node, with its back pressure.
  private readonly records = new StreamEgress(new Stream<SimRecord>());

  constructor(connection: PostgresConnection, options: PostgresEgressOptions = {}) {
    this.sink = new PostgresSinkNode(this.records.stream, connection, {
      table: 'sim_records',
      createTable: true,
      ...options,
      columns: options.columns ?? RECORD_COLUMNS,
    } as ToPostgresOptions);
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    await this.records.write(batch);
    await this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
