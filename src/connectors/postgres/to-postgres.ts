import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { Frame } from '../../frame/frame.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { csvField, fromServerType, inferColumns, knownType, type PostgresColumnType } from './columns.ts';
import {
  connectionLost,
  openPostgres,
  type PostgresConnection,
  postgresError,
  quoteIdent,
  type Sql,
  type SqlTx,
} from './connection.ts';
import { freshElements, kafkaRecordOf, type Positions, type PostgresOffsets, positionsOf } from './postgres-offsets.ts';

/** A row `toPostgres` could not write, with the column and the reason. */
export interface PostgresDeadLetter {
  readonly row: Record<string, unknown>;
  readonly column: string;
  readonly reason: string;
}

/** How `toPostgres` writes. */
export interface ToPostgresOptions {
  /** The table (`name` or `schema.name`). */
  table: string;
  /** The columns and their types; without them, the table's own (or, with `createTable`, the first batch's). */
  columns?: Record<string, PostgresColumnType>;
  /** Infer the columns from the first batch (the default when `columns` is absent). */
  infer?: boolean;
  /** `'insert'` (COPY, the default) or `'upsert'` (COPY into a staging table, then INSERT … ON CONFLICT). */
  mode?: 'insert' | 'upsert';
  /** The key column(s) of an upsert: the table's primary key when the sink creates it. */
  key?: string | readonly string[];
  /** Create the table (if absent) from `columns` or the first batch. Default false. */
  createTable?: boolean;
  /** Rows per write. Default 10 000. */
  batchSize?: number;
  /** How long a partly filled batch waits. Default `'1s'`. */
  flushInterval?: Duration;
  /** Times a batch is written again after its connection was lost (it was rolled back). Default 5. */
  retries?: number;
  /** Receives each row that does not fit its table; default: kept in `sink.deadLetters` (the last 1000). */
  deadLetter?: (d: PostgresDeadLetter) => void;
  /**
   * Kafka positions written with each batch, in its transaction (exactly-once from a Kafka application given the
   * same store as `offsetStore`). Rows of records the stored positions already cover are dropped, not written
   * twice. Elements must carry their record's offset (map, filter, flatMap of `app.stream`; not windows).
   */
  offsets?: PostgresOffsets;
}

interface Batch {
  rows: Record<string, unknown>[];
  held: (Metadata | undefined)[];
  /** With `offsets`: the element (index in `held`) of each row. */
  owner: number[] | null;
}

/**
 * A sink writing rows (or the rows of frames) to a PostgreSQL table by COPY, a batch at a time. Each element is
 * held (its reference counter retained) until its batch is committed, so a source commits only what is stored.
 */
export class PostgresSinkNode extends Stream<unknown> {
  override kind = 'toPostgres';
  /** Rows committed. */
  written = 0;
  /** Rows dropped because the stored Kafka positions already covered their records (`offsets`). */
  alreadyStored = 0;
  /** Rows refused (the last 1000, when no `deadLetter` function is given). */
  readonly deadLetters: PostgresDeadLetter[] = [];
  private readonly connection: PostgresConnection;
  private readonly options: ToPostgresOptions;
  private readonly keys: readonly string[];
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly retries: number;
  private sql: Sql | null = null;
  private columns: Map<string, PostgresColumnType> | null = null;
  private readonly offsets: PostgresOffsets | null;
  private current: Batch;
  /** The Kafka entry of the last element (`offsets`): a record's rows are not split between batches. */
  private lastRecord: unknown = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown = null;

  constructor(upstream: Stream<any>, connection: PostgresConnection, options: ToPostgresOptions) {
    if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
      badArgument(
        'toPostgres',
        'connection',
        connection,
        'a postgres:// URL or { host, port, user, password, database }',
      );
    }
    if (typeof options?.table !== 'string' || options.table === '') {
      badArgument('toPostgres', 'table', options?.table, 'a table name');
    }
    const mode = options.mode ?? 'insert';
    if (mode !== 'insert' && mode !== 'upsert') badArgument('toPostgres', 'mode', mode, "'insert' or 'upsert'");
    const keys = options.key === undefined ? [] : typeof options.key === 'string' ? [options.key] : [...options.key];
    if (mode === 'upsert' && (keys.length === 0 || keys.some((k) => typeof k !== 'string' || k === ''))) {
      badArgument('toPostgres', 'key', options.key, 'the key column name(s) of an upsert');
    }
    if (options.columns !== undefined) {
      if (options.columns === null || typeof options.columns !== 'object') {
        badArgument('toPostgres', 'columns', options.columns, 'an object of column name to type');
      }
      for (const [name, type] of Object.entries(options.columns)) {
        if (!knownType(type)) {
          badArgument(
            'toPostgres',
            `columns.${name}`,
            type,
            "'timestamptz', 'double precision', 'bigint', 'text', 'jsonb' or 'boolean'",
          );
        }
      }
    }
    const batchSize = options.batchSize ?? 10_000;
    requireInteger('toPostgres', 'batchSize', batchSize, 1);
    const retries = options.retries ?? 5;
    requireInteger('toPostgres', 'retries', retries, 0);
    const flushMs = toMillis(options.flushInterval ?? '1s', 'toPostgres: flushInterval');
    const offsets = options.offsets;
    if (offsets !== undefined && (typeof offsets?.lock !== 'function' || typeof offsets.groupId !== 'string')) {
      badArgument('toPostgres', 'offsets', offsets, 'a PostgresOffsets');
    }
    if (offsets !== undefined && JSON.stringify(offsets.connection) !== JSON.stringify(connection)) {
      badArgument('toPostgres', 'offsets', offsets.table, "a PostgresOffsets on the sink's own connection");
    }
    super({ clock: upstream.clock });
    this.offsets = offsets ?? null;
    this.current = this.emptyBatch();
    this.connection = connection;
    this.options = { ...options, mode };
    this.keys = keys;
    this.batchSize = batchSize;
    this.flushMs = flushMs;
    this.retries = retries;
    if (options.columns) this.columns = new Map(Object.entries(options.columns));
    upstream.connect(this);
  }

  private emptyBatch(): Batch {
    return { rows: [], held: [], owner: this.offsets === null ? null : [] };
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    let pushed: Pushed | undefined;
    if (this.offsets !== null) {
      const record = kafkaRecordOf(metadata);
      // All rows of a record (a flatMap's) go in one batch, with the record's position: split, a restart after the
      // first batch would skip the record and lose the rest.
      if (this.current.rows.length >= this.batchSize && record !== this.lastRecord) pushed = this.writeCurrent();
      this.lastRecord = record;
    }
    const b = this.current;
    const before = b.rows.length;
    if (x instanceof Frame) for (const row of x.toRows()) b.rows.push(row);
    else if (x !== null && typeof x === 'object') b.rows.push(x as Record<string, unknown>);
    else badArgument('toPostgres', 'element', x, 'a row object or a Frame');
    if (b.owner !== null) for (let i = before; i < b.rows.length; i++) b.owner.push(b.held.length);
    retainRefs(metadata);
    b.held.push(metadata);
    if (b.owner === null && b.rows.length >= this.batchSize) return this.writeCurrent();
    if (this.timer === null) this.timer = setTimeout(() => void this.writeCurrent()?.catch(() => {}), this.flushMs);
    return pushed;
  }

  /** Writes the batch; the returned promise (back pressure) settles when the previous batch is through. */
  private writeCurrent(): Promise<void> | undefined {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const b = this.current;
    if (b.held.length === 0) return undefined;
    this.current = this.emptyBatch();
    const previous = this.writing;
    this.pending++;
    // One batch at a time, in order: an upsert's later value must land last.
    this.writing = previous
      .then(() => this.writeBatch(b))
      .then(
        () => {
          this.pending--;
          for (const md of b.held) releaseRefs(md);
        },
        (error) => {
          this.pending--;
          this.failure ??= error; // the elements stay held: nothing past the failure is committed upstream
          throw this.failure;
        },
      );
    this.writing.catch(() => {});
    return this.pending > 1 ? previous.catch(() => {}) : undefined;
  }

  private async writeBatch(b: Batch): Promise<void> {
    this.sql ??= await openPostgres(this.connection, 'toPostgres');
    if (this.columns === null) await this.prepareColumns(b.rows);
    else if (this.options.createTable && !this.created) await this.createTable();
    const lines = this.encode(b.rows);
    const offsets = this.offsets;
    if (offsets === null && lines.every((l) => l === null)) return;
    for (let attempt = 0; ; attempt++) {
      let count = 0;
      let skipped = 0;
      try {
        this.sql ??= await openPostgres(this.connection, 'toPostgres');
        // Outside the batch's transaction: created there, a rolled-back batch would take the table with it.
        if (offsets !== null) await offsets.ensureTable(this.sql);
        // In a transaction even for a plain COPY: the client ends a transaction whose connection closed, where a
        // COPY alone could wait for ever for the server's answer.
        await this.sql.begin(async (tx: SqlTx) => {
          let stored: Positions | null = null;
          if (offsets !== null) stored = await offsets.lock(tx);
          const owner = b.owner;
          const fresh = stored === null || owner === null ? null : freshElements(b.held, stored);
          const { csv, count: n } = this.assemble(b.rows, lines, fresh === null ? null : (row) => fresh[owner![row]!]!);
          count = n;
          if (fresh !== null) for (let i = 0; i < lines.length; i++) if (!fresh[owner![i]!]) skipped++;
          if (n > 0) {
            const table = quoteIdent(this.options.table);
            await (this.options.mode === 'upsert' ? this.upsert(tx, csv) : this.copy(tx, table, csv));
          }
          if (offsets !== null) await offsets.advance(tx, positionsOf(b.held));
        });
        this.written += count;
        this.alreadyStored += skipped;
        return;
      } catch (error) {
        // A lost connection rolled the transaction back: the same batch again is neither lost nor doubled. The
        // pool is replaced, so that nothing of the broken one (a COPY half sent) reaches the new connection.
        if (attempt < this.retries && connectionLost(error)) {
          const broken = this.sql;
          this.sql = null;
          broken?.end().catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
          continue;
        }
        throw postgresError(
          error,
          this.connection,
          `toPostgres: writing ${lines.length} rows to ${this.options.table}`,
        );
      }
    }
  }

  private created = false;

  private async prepareColumns(rows: readonly Record<string, unknown>[]): Promise<void> {
    if (this.options.createTable) {
      this.columns = inferColumns(rows);
      await this.createTable();
      return;
    }
    const [schema, name] = this.options.table.includes('.')
      ? this.options.table.split('.')
      : [null, this.options.table];
    const found = await (this.sql as Sql).unsafe(
      `select column_name, data_type from information_schema.columns
       where table_name = $1 and table_schema = coalesce($2, current_schema()) order by ordinal_position`,
      [name, schema],
    );
    if (found.length === 0) {
      throw new TwinstreamError(
        'TS_POSTGRES',
        `toPostgres: table ${this.options.table} does not exist; create it or pass createTable: true`,
        { context: { table: this.options.table } },
      );
    }
    this.columns = new Map(found.map((c: any) => [c.column_name, fromServerType(c.data_type)]));
  }

  private async createTable(): Promise<void> {
    const cols = [...(this.columns as Map<string, PostgresColumnType>)].map(([n, t]) => `${quoteIdent(n)} ${t}`);
    if (this.keys.length > 0) cols.push(`primary key (${this.keys.map(quoteIdent).join(', ')})`);
    try {
      await (this.sql as Sql).unsafe(
        `create table if not exists ${quoteIdent(this.options.table)} (${cols.join(', ')})`,
      );
    } catch (error) {
      throw postgresError(error, this.connection, `toPostgres: creating table ${this.options.table}`);
    }
    this.created = true;
  }

  /** The CSV line of each row, null for a row that does not fit (dead-lettered here, once per batch). */
  private encode(rows: readonly Record<string, unknown>[]): (string | null)[] {
    const columns = [...(this.columns as Map<string, PostgresColumnType>)];
    const lines: (string | null)[] = [];
    next: for (const row of rows) {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        const [name, type] = columns[i]!;
        const field = csvField(row[name], type);
        if (typeof field !== 'string') {
          this.deadLetter({ row, column: name, reason: field.reason });
          lines.push(null);
          continue next;
        }
        line += i === 0 ? field : `,${field}`;
      }
      lines.push(`${line}\n`);
    }
    return lines;
  }

  /** The CSV of the lines kept (`keep` of the row's index; all when null). Upserts keep the last row of each key. */
  private assemble(
    rows: readonly Record<string, unknown>[],
    lines: readonly (string | null)[],
    keep: ((row: number) => boolean) | null,
  ): { csv: string; count: number } {
    const upsert = this.keys.length > 0 && this.options.mode === 'upsert';
    const byKey = upsert ? new Map<string, number>() : null;
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line === null || line === undefined || (keep !== null && !keep(i))) continue;
      if (byKey !== null) {
        const row = rows[i]!;
        const key = JSON.stringify(this.keys.map((k) => row[k]));
        const at = byKey.get(key);
        if (at !== undefined) out[at] = '';
        byKey.set(key, out.length);
      }
      out.push(line);
    }
    const kept = byKey === null ? out : out.filter((l) => l !== '');
    return { csv: kept.join(''), count: kept.length };
  }

  private deadLetter(d: PostgresDeadLetter): void {
    if (this.options.deadLetter) {
      this.options.deadLetter(d);
      return;
    }
    if (this.deadLetters.length >= 1000) this.deadLetters.shift();
    this.deadLetters.push(d);
  }

  private copy(tx: SqlTx, target: string, csv: string): Promise<void> {
    const names = [...(this.columns as Map<string, PostgresColumnType>).keys()].map(quoteIdent).join(', ');
    return tx.copyIn(`copy ${target} (${names}) from stdin (format csv)`, csv);
  }

  private async upsert(tx: SqlTx, csv: string): Promise<void> {
    const table = quoteIdent(this.options.table);
    const names = [...(this.columns as Map<string, PostgresColumnType>).keys()];
    const keys = this.keys.map(quoteIdent).join(', ');
    const others = names.filter((n) => !this.keys.includes(n)).map(quoteIdent);
    const action =
      others.length === 0 ? 'nothing' : `update set ${others.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    const list = names.map(quoteIdent).join(', ');
    await tx.unsafe(`create temp table twinstream_stage (like ${table} including defaults) on commit drop`);
    await this.copy(tx, 'twinstream_stage', csv);
    await tx.unsafe(
      `insert into ${table} (${list}) select ${list} from twinstream_stage on conflict (${keys}) do ${action}`,
    );
  }

  /** Writes what is batched and resolves when everything so far is committed. */
  async flush(): Promise<void> {
    this.writeCurrent();
    await this.writing;
  }

  /** Flushes, then closes the connections. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.sql?.end();
      this.sql = null;
    }
  }

  protected override flushOnEnd(): Pushed {
    return this.close();
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Writes rows (or frames) to a PostgreSQL table: COPY for inserts, a staging table and INSERT … ON CONFLICT
     * for upserts. Each element is held until its batch is committed.
     * @example
     * readings.toPostgres('postgres://user:pw@localhost/db', { table: 'readings', createTable: true });
     */
    toPostgres(connection: PostgresConnection, options: ToPostgresOptions): PostgresSinkNode;
  }
}

Stream.register('toPostgres', function toPostgres(this: Stream<any>, connection, options) {
  return new PostgresSinkNode(this, connection as PostgresConnection, options as ToPostgresOptions);
});
