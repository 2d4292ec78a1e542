import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { abortableSleep } from '../source/abortable-sleep.ts';
import { openPostgres, type PostgresConnection, postgresError, quoteIdent, type Sql } from './connection.ts';

/** What `Stream.fromPostgres` reads. */
export interface FromPostgresOptions {
  /** A table name or a `select …` query. */
  query: string;
  /**
   * A column that grows with every new row (an id, an insertion time): the query is polled for rows past the last
   * one seen, in its order. Without it the query runs once and the source ends.
   */
  cursor?: string;
  /** The cursor value to start after. Default: from the first row. */
  after?: unknown;
  /** How often to poll when a cursor is given. Default `'1s'`. */
  pollInterval?: Duration;
  /** Most rows per poll. Default 10 000. */
  batchSize?: number;
}

/**
 * A source of the rows of a PostgreSQL query: once, or incrementally by a cursor column, polled. Each row is
 * emitted as the client returns it (numbers of `bigint` columns as strings, `timestamptz` as `Date`).
 */
export class PostgresSource<T = Record<string, unknown>> extends Source<T> {
  override kind = 'fromPostgres';
  /** The last cursor value emitted: where a restarted source resumes (pass it as `after`). */
  position: unknown;
  private readonly connection: PostgresConnection;
  private readonly options: FromPostgresOptions;
  private readonly pollMs: number;
  private readonly batchSize: number;

  constructor(connection: PostgresConnection, options: FromPostgresOptions, streamOptions: StreamOptions = {}) {
    if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
      badArgument(
        'fromPostgres',
        'connection',
        connection,
        'a postgres:// URL or { host, port, user, password, database }',
      );
    }
    if (typeof options?.query !== 'string' || options.query.trim() === '') {
      badArgument('fromPostgres', 'query', options?.query, 'a table name or a select query');
    }
    if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor === '')) {
      badArgument('fromPostgres', 'cursor', options.cursor, 'a column name');
    }
    const batchSize = options.batchSize ?? 10_000;
    requireInteger('fromPostgres', 'batchSize', batchSize, 1);
    const pollMs = toMillis(options.pollInterval ?? '1s', 'fromPostgres: pollInterval');
    super(streamOptions);
    this.connection = connection;
    this.options = options;
    this.pollMs = pollMs;
    this.batchSize = batchSize;
    this.position = options.after;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const sql: Sql = await openPostgres(this.connection, 'fromPostgres', 1);
    const q = this.options.query.trim();
    const from = /^select\s/i.test(q) || /^with\s/i.test(q) ? `(${q}) as q` : quoteIdent(q);
    try {
      if (this.options.cursor === undefined) {
        const rows = await this.query(sql, `select * from ${from}`, []);
        for (const row of rows) {
          if (this.stopping) return;
          const r = this.emit(row);
          if (r !== undefined) await r;
        }
        return;
      }
      const c = quoteIdent(this.options.cursor);
      while (!this.stopping) {
        const rows =
          this.position === undefined
            ? await this.query(sql, `select * from ${from} order by ${c} limit ${this.batchSize}`, [])
            : await this.query(sql, `select * from ${from} where ${c} > $1 order by ${c} limit ${this.batchSize}`, [
                this.position,
              ]);
        for (const row of rows) {
          if (this.stopping) return;
          this.position = (row as Record<string, unknown>)[this.options.cursor];
          const r = this.emit(row);
          if (r !== undefined) await r;
        }
        if (rows.length < this.batchSize) await abortableSleep(this.pollMs, signal);
      }
    } finally {
      await sql.end();
    }
  }

  private async query(sql: Sql, text: string, params: unknown[]): Promise<T[]> {
    try {
      return await sql.unsafe(text, params);
    } catch (error) {
      throw postgresError(error, this.connection, `fromPostgres: ${this.options.query}`);
    }
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the rows of a PostgreSQL table or query: once, or polled for new rows by a cursor column.
     * @example
     * const rows = Stream.fromPostgres('postgres://user:pw@localhost/db', { query: 'readings', cursor: 'id' });
     * rows.sink(console.log);
     * rows.start();
     */
    function fromPostgres<T = Record<string, unknown>>(
      connection: PostgresConnection,
      options: FromPostgresOptions,
      streamOptions?: StreamOptions,
    ): PostgresSource<T>;
  }
}

Object.assign(Stream, {
  fromPostgres<T>(connection: PostgresConnection, options: FromPostgresOptions, streamOptions: StreamOptions = {}) {
    return new PostgresSource<T>(connection, options, streamOptions);
  },
});
