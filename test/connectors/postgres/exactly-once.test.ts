// Exactly-once from Kafka into PostgreSQL: an application whose toPostgres writes each batch and the positions it
// covers in one transaction (PostgresOffsets), killed with SIGKILL between its database writes and any Kafka
// commit, then restarted: each row exists once. The same run without the positions writes rows twice.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Application } from '../../../src/app/index.ts';
import { PostgresOffsets } from '../../../src/connectors/postgres/index.ts';
import { Stream } from '../../../src/index.ts';
import { endOffsets, produceJson } from '../../app/kafka-io.ts';
import { kafkaBrokers, uniqueName } from '../../kafka-setup.ts';
import { closePostgres, openPostgres, type PostgresClient, uniqueTable } from '../../support/databases.ts';

const N = 20_000;
const PARTITIONS = 4;

let url: string;
let sql: PostgresClient;
before(async () => ({ url, sql } = await openPostgres()));
after(() => closePostgres(sql));

interface Processor {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  written: () => number;
}

function processor(args: string[]): Processor {
  const child = spawn(process.execPath, ['test/connectors/postgres/exactly-once-processor.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let written = 0;
  child.stdout!.on('data', (d) => {
    const text = String(d);
    for (const m of text.matchAll(/progress written=(\d+)/g)) written = Number(m[1]);
    out += text.replace(/progress [^\n]*\n/g, '');
  });
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, written: () => written };
}

/** Runs the processor `kills` times, each killed once it wrote more rows than before, then once to the end. */
async function killedRuns(
  withOffsets: boolean,
  kills: number,
): Promise<{ table: string; group: string; input: string; last: string }> {
  const brokers = await kafkaBrokers();
  const input = uniqueName('pg-eo-in');
  const group = uniqueName('pg-eo');
  const table = uniqueTable('eo');
  await produceJson(
    brokers,
    input,
    Array.from({ length: N }, (_, id) => ({ id })),
    (v) => `k${v.id % 16}`,
    PARTITIONS,
  );
  const args = ['--brokers', brokers.join(','), '--input', input, '--group', group, '--url', url, '--table', table];
  if (withOffsets) args.push('--offsets');
  let stored = 0;
  for (let i = 0; i < kills; i++) {
    const p = processor(args);
    // Killed after it wrote a random further 10-25 % of the input (as many rows as there are in the table then).
    const target = Math.floor(N * (0.1 + Math.random() * 0.15));
    const by = Date.now() + 60_000;
    while (p.written() < target && p.child.exitCode === null && Date.now() < by) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(p.child.exitCode, null, `processor ${i} ended before it was killed: ${p.output()}`);
    p.child.kill('SIGKILL');
    await p.exited;
    const [{ n }] = await sql.unsafe(`select count(*)::int as n from "${table}"`);
    assert.ok(n > stored, `processor ${i} wrote rows before it was killed (${n} in the table)`);
    stored = n;
  }
  // No offset reached Kafka: every restart read the input from its start.
  const { committed } = await endOffsets(brokers, input, group);
  assert.deepEqual(
    committed,
    committed.map(() => -1n),
  );
  const last = processor([...args, '--until-end']);
  assert.equal(await last.exited, 0, last.output());
  return { table, group, input, last: last.output() };
}

test('exactly-once into PostgreSQL: killed with SIGKILL between the write and the Kafka commit, each row exists once', async () => {
  const { table, group, input, last } = await killedRuns(true, 3);
  const [{ rows, ids, lo, hi }] = await sql.unsafe(
    `select count(*)::int as rows, count(distinct id)::int as ids, min(id)::int as lo, max(id)::int as hi from "${table}"`,
  );
  assert.deepEqual({ rows, ids, lo, hi }, { rows: N, ids: N, lo: 0, hi: N - 1 });
  // The last run read from the start (no Kafka commit), skipped what the positions covered, wrote the rest.
  const written = Number(/done written=(\d+)/.exec(last)?.[1]);
  assert.ok(written > 0 && written < N, last);
  // The positions stored are the ends of the input's partitions.
  const brokers = await kafkaBrokers();
  const { end } = await endOffsets(brokers, input);
  const positions = await sql.unsafe(
    'select partition, next_offset from twinstream_offsets where group_id = $1 and topic = $2 order by partition',
    [group, input],
  );
  assert.deepEqual(
    positions.map((p) => [p.partition, Number(p.next_offset)]),
    end.map((e, p) => [p, Number(e)]),
  );
});

test('without the positions in the transaction, the same kill writes rows twice (at-least-once)', async () => {
  const { table } = await killedRuns(false, 1);
  const [{ rows, ids }] = await sql.unsafe(
    `select count(*)::int as rows, count(distinct id)::int as ids from "${table}"`,
  );
  assert.equal(ids, N);
  assert.ok(rows > N, `rows written twice: ${rows - N}`);
});

test('positions: refused when the store is of another group or database, or an element carries no offset', async () => {
  const offsets = new PostgresOffsets(url, { groupId: 'g1' });
  assert.throws(() => new PostgresOffsets(url, { groupId: '' }), { code: 'TS_BAD_ARGUMENT', message: /groupId/ });
  assert.throws(() => Stream.fromKafka('t', { brokers: 'localhost:1', groupId: 'g2', offsetStore: offsets }), {
    code: 'TS_BAD_ARGUMENT',
    message: /offsetStore.*"g2"/,
  });
  const app = new Application({ brokers: 'localhost:1', groupId: 'g1', offsetStore: offsets });
  assert.equal(app.config.offsetStore, offsets);
  assert.throws(() => Stream.fromIterable([{ a: 1 }]).toPostgres(`${url}?x=1`, { table: 't', offsets }), {
    code: 'TS_BAD_ARGUMENT',
    message: /offsets.*own connection/,
  });
  const source = Stream.fromIterable([{ a: 1 }]);
  source.toPostgres(url, { table: uniqueTable('none'), offsets, createTable: true });
  source.start();
  await assert.rejects(source.done, { code: 'TS_POSTGRES_NO_OFFSET', message: /carries no Kafka offset/ });
});

test('rows of records the stored positions cover are dropped, not written twice (a replaced writer)', async () => {
  const table = uniqueTable('dedupe');
  const offsets = new PostgresOffsets(url, { groupId: uniqueName('dedupe') });
  // Elements as an application's stream carries them: each with its record's topic, partition and offset.
  const write = async (from: number, to: number) => {
    const input = new Stream<{ id: number }>();
    const sink = input.toPostgres(url, { table, columns: { id: 'bigint' }, createTable: true, offsets });
    for (let o = from; o < to; o++) await input.emit({ id: o }, [{ topic: 'raw', partition: 0, offset: o }]);
    await sink.close();
    return sink;
  };
  const first = await write(0, 10);
  assert.deepEqual([first.written, first.alreadyStored], [10, 0]);
  assert.equal(await offsets.position('raw', 0), 10);
  // A second writer that read from offset 5 again: 5-9 are stored already, 10-14 are new.
  const second = await write(5, 15);
  assert.deepEqual([second.written, second.alreadyStored], [5, 5]);
  assert.equal(await offsets.position('raw', 0), 15);
  const [{ rows, ids }] = await sql.unsafe(
    `select count(*)::int as rows, count(distinct id)::int as ids from "${table}"`,
  );
  assert.deepEqual([rows, ids], [15, 15]);
});
