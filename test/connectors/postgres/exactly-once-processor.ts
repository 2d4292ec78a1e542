// A Kafka application run as a child process by the exactly-once tests: input { id } → rows { id, at } in a
// PostgreSQL table, with (`--offsets`) or without the positions written in the batch's transaction. Kafka offsets
// are committed only when it stops (`--until-end`: once it handled every record the input held, or after `--idle`
// ms without input), so a kill always falls between the database write and the Kafka commit. It prints the rows
// written every 20 ms, for the test to kill it mid-run.
import { parseArgs } from 'node:util';
import { Application } from '../../../src/app/index.ts';
import { PostgresOffsets } from '../../../src/connectors/postgres/index.ts';
import { stopAtEnd } from '../../app/kafka-io.ts';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    input: { type: 'string' },
    group: { type: 'string' },
    url: { type: 'string' },
    table: { type: 'string' },
    offsets: { type: 'boolean', default: false },
    'until-end': { type: 'boolean', default: false },
    idle: { type: 'string', default: '60000' },
  },
});

const url = values.url!;
const offsets = values.offsets ? new PostgresOffsets(url, { groupId: values.group! }) : undefined;
const app = new Application({
  brokers: values.brokers!,
  groupId: values.group!,
  autoOffsetReset: 'earliest',
  commitInterval: '1h',
  sessionTimeout: '3s',
  retries: 40,
  retryDelay: 250,
  ...(offsets ? { offsetStore: offsets } : {}),
});
const input = app.topic<string, { id: number }>(values.input!);
const sink = app
  .stream(input)
  .map((r) => ({ id: r.value.id, at: r.timestamp }))
  .toPostgres(url, {
    table: values.table!,
    columns: { id: 'bigint', at: 'timestamptz' },
    createTable: true,
    batchSize: 500,
    flushInterval: '50ms',
    ...(offsets ? { offsets } : {}),
  });

const disarm = values['until-end'] ? await stopAtEnd(app, values.input!) : () => {};
const progress = setInterval(() => process.stdout.write(`progress written=${sink.written}\n`), 20);
try {
  await app.run({ timeout: Number(values.idle) });
  await sink.flush();
} finally {
  disarm();
  clearInterval(progress);
}
process.stdout.write(`done written=${sink.written} alreadyStored=${sink.alreadyStored}\n`);
await sink.close();
