import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/files/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-tail-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('fromTextFile reads every line of a file, CRLF and a last line without newline included', async () => {
  const path = join(dir(), 'a.txt');
  writeFileSync(path, 'one\r\ntwo\n\nthree é\nfour');
  const lines: string[] = [];
  const s = Stream.fromTextFile(path);
  s.sink((l) => void lines.push(l));
  s.start();
  await s.done;
  assert.deepEqual(lines, ['one', 'two', '', 'three é', 'four']);
});

test('fromTextFile with follow: appends, truncation and rotation lose no line', async () => {
  const d = dir();
  const path = join(d, 'app.log');
  writeFileSync(path, 'a1\na2\n');
  const lines: string[] = [];
  const s = Stream.fromTextFile(path, { follow: true, pollInterval: '20ms' });
  s.sink((l) => void lines.push(l));
  s.start();
  await until(() => lines.length === 2, 'the existing lines');
  appendFileSync(path, 'a3\n');
  await until(() => lines.length === 3, 'an appended line');
  // Rotation: lines written to the old file just before the rename, then a new file at the path.
  appendFileSync(path, 'a4\na5\n');
  renameSync(path, join(d, 'app.log.1'));
  appendFileSync(join(d, 'app.log.1'), 'a6\n');
  writeFileSync(path, 'b1\n');
  await until(() => lines.includes('b1'), 'the new file');
  // Truncation: the file is read again from its start.
  await sleep(100);
  truncateSync(path, 0);
  await sleep(100);
  appendFileSync(path, 'c1\n');
  await until(() => lines.includes('c1'), 'a line after truncation');
  s.stop();
  await s.done;
  assert.deepEqual(lines.slice(0, 5), ['a1', 'a2', 'a3', 'a4', 'a5']);
  assert.ok(lines.includes('a6'), `a line written to the old file after the rename: ${lines.join(',')}`);
  assert.deepEqual(lines.slice(-2), ['b1', 'c1']);
});

test('fromTextFile with fromEnd skips what is already there', async () => {
  const path = join(dir(), 'b.log');
  writeFileSync(path, 'old\n');
  const lines: string[] = [];
  const s = Stream.fromTextFile(path, { follow: true, fromEnd: true, pollInterval: '20ms' });
  s.sink((l) => void lines.push(l));
  s.start();
  await sleep(150);
  appendFileSync(path, 'new\n');
  await until(() => lines.length === 1, 'the new line');
  s.stop();
  await s.done;
  assert.deepEqual(lines, ['new']);
});

test('fromTextFile on a missing file fails with TS_FILE_READ naming it', async () => {
  const s = Stream.fromTextFile(join(dir(), 'missing.txt'));
  s.start();
  await assert.rejects(s.done, (e: Error & { code: string }) => {
    assert.equal(e.code, 'TS_FILE_READ');
    assert.match(e.message, /missing\.txt/);
    return true;
  });
  assert.throws(() => Stream.fromTextFile('a', { pollInterval: 'soon' as never }), { code: 'TS_BAD_DURATION' });
});

test('filenames emits each matching file once, new ones as they appear', async () => {
  const d = dir();
  writeFileSync(join(d, 'b.csv'), '');
  writeFileSync(join(d, 'a.csv'), '');
  writeFileSync(join(d, 'x.txt'), '');
  const names: string[] = [];
  const s = Stream.filenames(join(d, '*.csv'), { pollInterval: '20ms' });
  s.sink((n) => void names.push(n));
  s.start();
  await until(() => names.length === 2, 'the existing files');
  writeFileSync(join(d, 'c.csv'), '');
  await until(() => names.length === 3, 'a new file');
  await sleep(60);
  s.stop();
  await s.done;
  assert.deepEqual(names, [join(d, 'a.csv'), join(d, 'b.csv'), join(d, 'c.csv')]);
});
