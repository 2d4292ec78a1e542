import type { Metadata, MetadataEntry } from '../../core/refcount.ts';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { openPostgres, type PostgresConnection, postgresError, quoteIdent, type SqlTx } from './connection.ts';

/** Options of `PostgresOffsets`. */
export interface PostgresOffsetsOptions {
  /** The consumer group (the application's `groupId`). */
  groupId: string;
  /** The table of positions. Default `'twinstream_offsets'`. */
  table?: string;
}

/** The next offset to read per `topic:partition`. @internal */
export type Positions = Map<string, number>;

/** A metadata entry a Kafka source attached (`topic`, `partition`, `offset`). */
function isKafkaEntry(e: MetadataEntry): boolean {
  return typeof e.topic === 'string' && typeof e.partition === 'number' && typeof e.offset === 'number';
}

/**
 * The Kafka entry of an element's metadata (its record), or a `TS_POSTGRES_NO_OFFSET` error.
 * @internal
 * @example
 * const record = kafkaRecordOf(metadata); // the MessageEntry the source attached
 */
export function kafkaRecordOf(metadata: Metadata | undefined): MetadataEntry {
  if (metadata !== undefined) for (const e of metadata) if (isKafkaEntry(e)) return e;
  throw new TwinstreamError(
    'TS_POSTGRES_NO_OFFSET',
    'toPostgres: an element carries no Kafka offset, so its position cannot be written with it (offsets); ' +
      'send rows made from app.stream(...) or Stream.fromKafka records by map, filter or flatMap, not window results',
  );
}

/**
 * The positions a batch covers: per partition, one past the greatest offset of its elements' records.
 * @internal
 * @example
 * positionsOf(batch.held); // Map { 'raw:0' => 1043 }
 */
export function positionsOf(held: readonly (Metadata | undefined)[]): Positions {
  const out: Positions = new Map();
  for (const md of held) {
    if (md === undefined) continue;
    for (const e of md) {
      if (!isKafkaEntry(e)) continue;
      const key = `${e.topic}:${e.partition}`;
      const next = (e.offset as number) + 1;
      if (next > (out.get(key) ?? -1)) out.set(key, next);
    }
  }
  return out;
}

/**
 * For each element, whether one of its records is past the stored positions (false: its rows are stored already,
 * written by a process that died before its Kafka commit, or by one the group replaced).
 * @internal
 * @example
 * const fresh = freshElements(batch.held, await offsets.lock(tx));
 */
export function freshElements(held: readonly (Metadata | undefined)[], stored: Positions): boolean[] {
  return held.map((md) => {
    if (md === undefined) return true;
    for (const e of md) {
      if (isKafkaEntry(e) && (e.offset as number) >= (stored.get(`${e.topic}:${e.partition}`) ?? 0)) return true;
    }
    return false;
  });
}

/**
 * A consumer group's Kafka positions kept in PostgreSQL, in a table `twinstream_offsets (group_id, topic,
 * partition, next_offset)`. Given to `toPostgres` (`offsets`), the sink writes each batch and the positions past
 * the records it covers in one transaction; given to an application (`offsetStore`), each assigned partition
 * starts from its stored position. Killed between the write and the Kafka commit, a restarted application reads
 * the records after the stored position only: each output row exists once.
 *
 * @example
 * import { Application } from 'twinstream/app';
 * import { PostgresOffsets } from 'twinstream/postgres';
 * const url = 'postgres://twin:secret@localhost/twin';
 * const offsets = new PostgresOffsets(url, { groupId: 'readings' });
 * const app = new Application({ brokers: 'localhost:9092', groupId: 'readings', offsetStore: offsets });
 * app.stream(app.topic('readings', { value: 'json' }))
 *   .map((r) => r.value)
 *   .toPostgres(url, { table: 'readings', offsets });
 */
export class PostgresOffsets {
  readonly connection: PostgresConnection;
  readonly groupId: string;
  readonly table: string;
  private created = false;

  constructor(connection: PostgresConnection, options: PostgresOffsetsOptions) {
    if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
      badArgument('PostgresOffsets', 'connection', connection, 'a postgres:// URL or { host, port, user, database }');
    }
    if (typeof options?.groupId !== 'string' || options.groupId === '') {
      badArgument('PostgresOffsets', 'groupId', options?.groupId, 'the consumer group name');
    }
    const table = options.table ?? 'twinstream_offsets';
    if (typeof table !== 'string' || table === '') badArgument('PostgresOffsets', 'table', table, 'a table name');
    this.connection = connection;
    this.groupId = options.groupId;
    this.table = table;
  }

  /**
   * The next offset to read of a partition, or undefined when none is stored (a source asks when the partition is
   * assigned). One short connection per call: partitions are assigned rarely.
   */
  async position(topic: string, partition: number): Promise<number | undefined> {
    const sql = await openPostgres(this.connection, 'PostgresOffsets', 1);
    try {
      await this.ensureTable(sql);
      const rows = await sql.unsafe(
        `select next_offset from ${quoteIdent(this.table)} where group_id = $1 and topic = $2 and partition = $3`,
        [this.groupId, topic, partition],
      );
      return rows.length === 0 ? undefined : Number(rows[0].next_offset);
    } catch (error) {
      throw postgresError(error, this.connection, `PostgresOffsets: reading the position of ${topic}:${partition}`);
    } finally {
      await sql.end().catch(() => {});
    }
  }

  /** Creates the table when absent (once per store). @internal */
  async ensureTable(sql: { unsafe(text: string): Promise<unknown> }): Promise<void> {
    if (this.created) return;
    try {
      await sql.unsafe(
        `create table if not exists ${quoteIdent(this.table)} (group_id text not null, topic text not null,
         partition integer not null, next_offset bigint not null, primary key (group_id, topic, partition))`,
      );
    } catch (error) {
      // Two processes creating it at once: one of them is told the type exists; the table is there.
      if ((error as { code?: unknown })?.code !== '23505') throw error;
    }
    this.created = true;
  }

  /**
   * The group's positions, their rows locked until the transaction ends: a second writer of the group (a
   * process the group has replaced and that does not know it yet) waits, then sees what this one wrote.
   * @internal
   */
  async lock(tx: SqlTx): Promise<Positions> {
    const rows = await tx.unsafe(
      `select topic, partition, next_offset from ${quoteIdent(this.table)} where group_id = $1 for update`,
      [this.groupId],
    );
    const out: Positions = new Map();
    for (const r of rows) out.set(`${r.topic}:${r.partition}`, Number(r.next_offset));
    return out;
  }

  /** Moves the positions forward (never back) in the transaction of the batch they cover. @internal */
  async advance(tx: SqlTx, positions: Positions): Promise<void> {
    if (positions.size === 0) return;
    const values: unknown[] = [this.groupId];
    const tuples: string[] = [];
    for (const [key, next] of positions) {
      const i = key.lastIndexOf(':');
      values.push(key.slice(0, i), Number(key.slice(i + 1)), next);
      const n = values.length;
      tuples.push(`($1, $${n - 2}, $${n - 1}::integer, $${n}::bigint)`);
    }
    const table = quoteIdent(this.table);
    await tx.unsafe(
      `insert into ${table} (group_id, topic, partition, next_offset) values ${tuples.join(', ')}
       on conflict (group_id, topic, partition)
       do update set next_offset = greatest(${table}.next_offset, excluded.next_offset)`,
      values,
    );
  }
}
