// The file lifecycle toJsonl and toParquet share: file names through rolls, files complete before they are
// reported, one close, and files finished on SIGTERM with what the writer held.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parquetReadObjects } from 'hyparquet';
import { RollingFiles } from '../../../src/connectors/files/rolling-files.ts';
import { LocalStorage } from '../../../src/connectors/files/storage.ts';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/files/index.ts';
import '../../../src/connectors/parquet/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-rolling-'));

test('RollingFiles names the files it rolls through and reports each once complete, in order', async () => {
  const d = dir();
  const closed: [string, number][] = [];
  const files = new RollingFiles('w', join(d, 'a.jsonl'), {
    rollRows: 2,
    rollInterval: 100,
    onFileClosed: (p, n) => closed.push([p, n]),
  });
  const storage = new LocalStorage();
  const names: string[] = [];
  // Three files: two by rows, the third by age on the writer's clock.
  for (const [rows, now] of [
    [2, 0],
    [2, 10],
    [1, 200],
  ] as const) {
    const name = files.open(now);
    names.push(name);
    const file = storage.create(name);
    for (let i = 0; i < rows; i++) file.write(`{"i":${i}}\n`);
    files.rows += rows;
    assert.equal(files.due(now + 50), rows === 2);
    assert.equal(files.due(now + 100), true);
    // Not reported before the file is complete.
    const pending = files.finished(file.close(), file.path);
    assert.equal(closed.length, names.length - 1);
    await pending;
  }
  assert.deepEqual(
    names.map((n) => n.slice(d.length + 1)),
    ['a.jsonl', 'a-1.jsonl', 'a-2.jsonl'],
  );
  assert.deepEqual(closed, [
    [join(d, 'a.jsonl'), 2],
    [join(d, 'a-1.jsonl'), 2],
    [join(d, 'a-2.jsonl'), 1],
  ]);
  assert.deepEqual(readdirSync(d).sort(), ['a-1.jsonl', 'a-2.jsonl', 'a.jsonl']);
});

test('RollingFiles.close runs the writer once, settles after every file, then refuses more', async () => {
  const files = new RollingFiles('toThing', 'x.jsonl');
  let finishes = 0;
  let complete = false;
  files.open();
  files.finished(
    new Promise((r) => setTimeout(r, 20)).then(() => {
      complete = true;
    }),
    'x.jsonl',
  );
  const a = files.close(() => {
    finishes++;
  });
  const b = files.close(() => {
    finishes++;
  });
  assert.equal(a, b);
  assert.equal(files.closed, true);
  await a;
  assert.equal(complete, true);
  assert.equal(finishes, 1);
  assert.throws(() => files.checkOpen('rows'), {
    code: 'TS_SINK_CLOSED',
    message: 'toThing: x.jsonl is closed; rows not written',
  });
});

test('RollingFiles refuses a bad path, rollRows or onFileClosed naming the writer', () => {
  assert.throws(() => new RollingFiles('toJsonl', ''), { code: 'TS_BAD_ARGUMENT', message: /toJsonl: path/ });
  assert.throws(() => new RollingFiles('toParquet', 'a', { rollRows: 0 }), {
    code: 'TS_BAD_ARGUMENT',
    message: /toParquet: rollRows = 0 .*an integer >= 1/,
  });
  assert.throws(() => new RollingFiles('toJsonl', 'a', { onFileClosed: 3 as never }), {
    code: 'TS_BAD_ARGUMENT',
    message: /onFileClosed/,
  });
});

test('toJsonl and toParquet roll alike: the same names, every row once, each file reported once complete', async () => {
  const d = dir();
  const rows = Array.from({ length: 5 }, (_, i) => ({ time: i, value: i * 1.5 }));
  const reported: Record<string, [string, number][]> = { jsonl: [], parquet: [] };
  const source = Stream.fromIterable(rows);
  source.toJsonl(join(d, 'r.jsonl'), {
    rollRows: 2,
    onFileClosed: (p, n) => reported.jsonl!.push([p.slice(d.length + 1), n]),
  });
  source.toParquet(join(d, 'r.parquet'), {
    rowGroupSize: 1,
    rollRows: 2,
    onFileClosed: (p, n) => reported.parquet!.push([p.slice(d.length + 1), n]),
  });
  source.start();
  await source.done;
  assert.deepEqual(reported.jsonl, [
    ['r.jsonl', 2],
    ['r-1.jsonl', 2],
    ['r-2.jsonl', 1],
  ]);
  assert.deepEqual(reported.parquet, [
    ['r.parquet', 2],
    ['r-1.parquet', 2],
    ['r-2.parquet', 1],
  ]);
  const jsonl = ['r.jsonl', 'r-1.jsonl', 'r-2.jsonl'].flatMap((f) =>
    readFileSync(join(d, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  );
  assert.deepEqual(jsonl, rows);
  const parquet: Record<string, unknown>[] = [];
  for (const f of ['r.parquet', 'r-1.parquet', 'r-2.parquet']) {
    const b = readFileSync(join(d, f));
    parquet.push(...(await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) })));
  }
  assert.deepEqual(
    parquet.map((r) => r.value),
    rows.map((r) => r.value),
  );
  // No temporary file left behind.
  assert.equal(readdirSync(d).length, 6);
});

test('SIGTERM finishes the open file of each writer with the rows it held: complete JSONL and Parquet', () => {
  const d = dir();
  const core = fileURLToPath(new URL('../../../src/core/index.ts', import.meta.url));
  const files = fileURLToPath(new URL('../../../src/connectors/files/index.ts', import.meta.url));
  const parquet = fileURLToPath(new URL('../../../src/connectors/parquet/index.ts', import.meta.url));
  const script = `import { Stream } from ${JSON.stringify(core)};
import ${JSON.stringify(files)};
import ${JSON.stringify(parquet)};
// A stream that never ends: only the signal finishes the files.
const source = new Stream();
source.toJsonl(${JSON.stringify(join(d, 'held.jsonl'))}, { rollRows: 2 });
// Row groups of 2: the third row is held when the signal comes.
source.toParquet(${JSON.stringify(join(d, 'held.parquet'))}, { rowGroupSize: 2 });
for (const time of [1, 2, 3]) await source.emit({ time, value: time });
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 200);
setInterval(() => {}, 1000);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 143, r.stderr);
  assert.deepEqual(readdirSync(d).sort(), ['held-1.jsonl', 'held.jsonl', 'held.parquet']);
  assert.equal(readFileSync(join(d, 'held-1.jsonl'), 'utf8'), '{"time":3,"value":3}\n');
  const b = readFileSync(join(d, 'held.parquet'));
  return parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) }).then((back) => {
    assert.deepEqual(
      back.map((x) => x.value),
      [1, 2, 3],
    );
  });
});
