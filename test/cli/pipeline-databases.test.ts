// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the pipeline file syntax under test
// `twinstream run` of the database example pipelines against the PostgreSQL and Redis servers the test setup
// starts: a CSV into a table and back out by a cursor, a JSON Lines file into a Redis Stream and back out in a
// consumer group, and a file whose database entries are wrong.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { postgresUrl, redisUrl, stopDatabases, uniqueTable } from '../support/databases.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const EXAMPLES = join(ROOT, 'examples/pipelines');

let pg: string;
let redis: string;
let dir: string;
before(async () => {
  [pg, redis] = await Promise.all([postgresUrl(), redisUrl()]);
  dir = mkdtempSync(join(tmpdir(), 'twinstream-db-pipe-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopDatabases();
});

function run(file: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [MAIN, 'run', file, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

test('csv-to-postgres fills a table (upserted: a second run adds nothing); postgres-windows reads it back', () => {
  const table = uniqueTable('readings');
  const env = { POSTGRES_URL: pg, POSTGRES_TABLE: table };
  const csv = readFileSync(join(EXAMPLES, 'data/readings.csv'), 'utf8').trim().split('\n').slice(1);
  for (let i = 0; i < 2; i++) {
    const r = run(join(EXAMPLES, 'csv-to-postgres.yaml'), env);
    assert.equal(r.status, 0, r.stderr);
  }
  const back = run(join(EXAMPLES, 'postgres-windows.yaml'), { ...env, POSTGRES_LIMIT: String(csv.length) });
  assert.equal(back.status, 0, back.stderr);
  const windows = lines(back.stdout);
  // Every row once (the second run upserted the same keys), in windows per sensor and minute.
  assert.equal(
    windows.reduce((n, w) => n + w.readings, 0),
    csv.length,
  );
  const first = windows.find((w) => w.key === 'room-1');
  const minute = csv.filter((l) => l.startsWith('2024-06-14T10:00:') && l.includes(',room-1,'));
  assert.equal(first.readings, minute.length);
  const mean = minute.reduce((s, l) => s + Number(l.split(',')[2]), 0) / minute.length;
  assert.ok(Math.abs(first.mean - mean) < 1e-9, `${first.mean} vs ${mean}`);
});

test('jsonl-to-redis adds every reading to a stream; redis-to-jsonl reads them in a group into a file', () => {
  const stream = uniqueTable('readings');
  const source = lines(readFileSync(join(EXAMPLES, 'data/readings.jsonl'), 'utf8'));
  const into = run(join(EXAMPLES, 'jsonl-to-redis.yaml'), { REDIS_URL: redis, REDIS_STREAM: stream });
  assert.equal(into.status, 0, into.stderr);
  const out = join(dir, 'from-redis.jsonl');
  const back = run(
    join(EXAMPLES, 'redis-to-jsonl.yaml'),
    { REDIS_URL: redis, REDIS_STREAM: stream, REDIS_LIMIT: String(source.length), REDIS_OUT: out },
    '--out',
    dir,
  );
  assert.equal(back.status, 0, back.stderr);
  const entries = lines(readFileSync(out, 'utf8'));
  // In order, each field as Redis keeps it: strings as they were, other values as JSON text.
  assert.deepEqual(
    entries,
    source.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    ),
  );
});

test('wrong database entries are refused before anything runs, with path, line and what is accepted', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'inputs:',
      '  - type: redis',
      '    url: ${REDIS_URL}',
      '    stream: readings',
      'outputs:',
      '  - type: postgres',
      '    url: ${BAD_URL}',
      '    table: readings',
      '    mode: upsert',
      '',
    ].join('\n'),
  );
  const r = run(file, { REDIS_URL: 'redis://:hunter2@localhost:6379', BAD_URL: 'mysql://root:hunter2@db/x' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /expected group \(a consumer group name\) to read a stream[\s\S]*inputs\[0\]\.group/);
  assert.match(
    r.stderr,
    /expected a URL starting with postgres:\/\/, postgresql:\/\/[\s\S]*outputs\[0\]\.url \(line 7\)/,
  );
  assert.match(r.stderr, /expected key \(the column or columns of the conflict target\) with mode: upsert/);
  // The password the environment gave is nowhere in what the user sees.
  assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
});
