import {
  openPostgres,
  type PostgresConnection,
  postgresError,
  quoteIdent,
  type Sql,
} from '../../connectors/postgres/connection.ts';
import { badArgument } from '../../errors.ts';
import { type Clock, RealClock, type Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import type { ParameterRegistry } from '../parameters.ts';
import { type IngressCallbacks, ParameterIngress } from './ingress.ts';

/** Options of `PostgresParameterIngress`. */
export interface PostgresIngressOptions extends IngressCallbacks {
  /**
   * The updates table (default `'parameter_updates'`), with columns `id` (growing), `path` (text), `value` (jsonb)
   * and `is_applied` (boolean); created when absent.
   */
  table?: string;
  /** How often the table is polled. Default `'1s'`. */
  pollInterval?: Duration;
  /** The clock of the polls (the wall clock by default: the table is polled in real time). */
  clock?: Clock;
}

/**
 * Live parameter updates from a PostgreSQL table, as desflow polls one: every row not yet applied is taken in `id`
 * order, applied through `registry.update(path, value)` and marked `is_applied` in the same statement (several
 * simulations may poll one table: a row goes to one of them). A bad row is rejected with its reason and marked too.
 *
 * @example
 * const ingress = new PostgresParameterIngress(env.registry, 'postgres://user:pw@localhost/plant');
 * await ingress.start();
 * // insert into parameter_updates (path, value) values ('Line_A.arrival.standard.rate', '3');
 * await env.run({ until: 3600 });
 * await ingress.stop();
 */
export class PostgresParameterIngress extends ParameterIngress {
  readonly table: string;
  private readonly connection: PostgresConnection;
  private readonly pollMs: number;
  private sql: Sql | null = null;
  private readonly clock: Clock;
  private timer: Timer | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(registry: ParameterRegistry, connection: PostgresConnection, options: PostgresIngressOptions = {}) {
    super(registry, options);
    const table = options.table ?? 'parameter_updates';
    if (typeof table !== 'string' || table === '')
      badArgument('PostgresParameterIngress', 'table', table, 'a table name');
    this.table = table;
    this.connection = connection;
    this.clock = options.clock ?? new RealClock();
    this.pollMs = toMillis(options.pollInterval ?? '1s', 'PostgresParameterIngress: pollInterval');
  }

  /** Connects, creates the table when absent, applies what is pending, and polls from then on. */
  async start(): Promise<void> {
    this.sql = await openPostgres(this.connection, 'PostgresParameterIngress', 1);
    const t = quoteIdent(this.table);
    await this.sql.unsafe(
      `create table if not exists ${t} (id bigserial primary key, path text not null, value jsonb, is_applied boolean not null default false)`,
    );
    await this.poll();
  }

  /**
   * Applies every pending row now (also what each poll does). A failed poll (the server away) rejects; the polls
   * go on, and the rows wait in the table for the next one.
   */
  poll(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    const run = this.polling.then(async () => {
      const sql = this.sql;
      if (sql === null) return;
      const t = quoteIdent(this.table);
      try {
        const rows: { id: string; path: string; value: unknown }[] = await sql.unsafe(
          `update ${t} set is_applied = true where id in (select id from ${t} where not is_applied order by id for update skip locked) returning id, path, value`,
        );
        rows.sort((a, b) => Number(a.id) - Number(b.id));
        for (const r of rows)
          this.handle(JSON.stringify({ path: r.path, value: r.value }), `postgres:${this.table}#${r.id}`);
      } catch (error) {
        throw postgresError(error, this.connection, `PostgresParameterIngress: polling ${this.table}`);
      } finally {
        if (this.sql !== null) this.timer = this.clock.setTimer(this.pollMs, () => void this.poll().catch(() => {}));
      }
    });
    this.polling = run.catch(() => {});
    return run;
  }

  /** Stops polling and disconnects. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    const sql = this.sql;
    this.sql = null;
    await this.polling;
    await sql?.end();
  }
}
