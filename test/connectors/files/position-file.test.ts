// fromTextFile with a position file: a restart resumes after the last line the graph finished, never past a line
// still in work; appended lines are read on the next run; a replaced file is read from its start.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/files/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-position-'));
const numbered = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i} é`).join('\n') + '\n';

/** Reads `path` with `positionFile` until `stopAfter` lines went through (or the end); returns the lines. */
async function run(path: string, positionFile: string, stopAfter = Number.POSITIVE_INFINITY): Promise<string[]> {
  const source = Stream.fromTextFile(path, { positionFile, positionInterval: '10ms' });
  const got: string[] = [];
  source.sink((l) => {
    got.push(l);
    if (got.length === stopAfter) source.stop();
  });
  source.start();
  await source.done;
  return got;
}

test('a stopped read resumes after the last line processed; appended lines come on the next run', async () => {
  const d = dir();
  const path = join(d, 'readings.log');
  const pos = join(d, 'readings.pos');
  writeFileSync(path, numbered(0, 1000));
  const first = await run(path, pos, 300);
  assert.equal(first.length, 300);
  const second = await run(path, pos);
  assert.deepEqual([...first, ...second], numbered(0, 1000).trim().split('\n'));
  // Read to the end: nothing again, until lines are appended.
  assert.deepEqual(await run(path, pos), []);
  appendFileSync(path, numbered(1000, 1010));
  assert.deepEqual(await run(path, pos), numbered(1000, 1010).trim().split('\n'));
  const stored = JSON.parse(readFileSync(pos, 'utf8'));
  assert.equal(stored.position, Buffer.byteLength(numbered(0, 1010)));
});

test('the position never passes a line still in work: lines held by a slow stage are read again', async () => {
  const d = dir();
  const path = join(d, 'slow.log');
  const pos = join(d, 'slow.pos');
  writeFileSync(path, numbered(0, 200));
  const source = Stream.fromTextFile(path, { positionFile: pos, positionInterval: '5ms' });
  const done: string[] = [];
  // Eight lines in flight at a time, each finishing later than the next one starts: out of order.
  source
    .mapAsync(
      async (l: string) => {
        await new Promise((r) => setTimeout(r, 1 + (Number(l.split(' ')[1]) % 5)));
        return l;
      },
      { parallelism: 8, ordered: false },
    )
    .sink((l) => {
      done.push(l);
    });
  source.start();
  while (done.length < 100) await new Promise((r) => setTimeout(r, 2));
  // What the position covers was all processed: every line before it is among `done`.
  const stored = JSON.parse(readFileSync(pos, 'utf8')).position as number;
  const text = numbered(0, 200);
  const covered = Buffer.from(text).subarray(0, stored).toString().trim().split('\n');
  const seen = new Set(done);
  assert.ok(covered.length > 0 && covered.every((l) => seen.has(l)), `${covered.length} lines covered`);
  source.stop();
  await source.done;
  // A restart reads from there: with what was done before, every line at least once.
  const again = await run(path, pos);
  const all = new Set([...done, ...again]);
  assert.equal(all.size, 200);
});

test('a file replaced at the path (another inode) is read from its start; bad options refused', async () => {
  const d = dir();
  const path = join(d, 'r.log');
  const pos = join(d, 'r.pos');
  writeFileSync(path, numbered(0, 50));
  assert.equal((await run(path, pos)).length, 50);
  renameSync(path, join(d, 'r.log.1'));
  writeFileSync(path, numbered(50, 60));
  assert.deepEqual(await run(path, pos), numbered(50, 60).trim().split('\n'));
  assert.throws(() => Stream.fromTextFile(path, { positionFile: '' }), {
    code: 'TS_BAD_ARGUMENT',
    message: /positionFile/,
  });
});

/** Follows `path` with `positionFile` until `until(lines)` holds, then stops; returns the lines. */
async function follow(
  path: string,
  positionFile: string,
  until: (got: string[]) => boolean,
  steps: (got: string[]) => Promise<void> = async () => {},
): Promise<string[]> {
  const source = Stream.fromTextFile(path, {
    follow: true,
    positionFile,
    pollInterval: '10ms',
    positionInterval: '10ms',
  });
  const got: string[] = [];
  source.sink((l) => {
    got.push(l);
  });
  source.start();
  await steps(got);
  const deadline = Date.now() + 10_000;
  while (!until(got) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // A little longer: a line read twice would arrive now.
  await new Promise((r) => setTimeout(r, 100));
  source.stop();
  await source.done;
  return got;
}

const lines = (from: number, to: number) => numbered(from, to).trim().split('\n');

/** Waits until `got` holds `n` lines (10 s at most: a failing read fails on its assertions, not by hanging). */
async function atLeast(got: string[], n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

test('following through a rotation, the position moves to the new file: a restart reads every line exactly once', async () => {
  const d = dir();
  const path = join(d, 'rotating.log');
  const pos = join(d, 'rotating.pos');
  writeFileSync(path, numbered(0, 100));
  const first = await follow(
    path,
    pos,
    (got) => got.length >= 250,
    async (got) => {
      await atLeast(got, 100);
      // Lines written to the old file just before it is renamed (the last without its newline), then a new file.
      appendFileSync(path, `${numbered(100, 149)}line 149 é`);
      renameSync(path, join(d, 'rotating.log.1'));
      writeFileSync(path, numbered(150, 200));
      await atLeast(got, 200);
      appendFileSync(path, numbered(200, 250));
    },
  );
  assert.deepEqual(first, lines(0, 250));
  // The position names the new file and its end.
  const stored = JSON.parse(readFileSync(pos, 'utf8'));
  assert.equal(stored.inode, statSync(path).ino);
  assert.equal(stored.position, Buffer.byteLength(numbered(150, 250)));
  // Lines added while it was stopped, and a restart: those only, once.
  appendFileSync(path, numbered(250, 300));
  const second = await follow(path, pos, (got) => got.length >= 50);
  assert.deepEqual(second, lines(250, 300));
});

test('following through a truncation, the position restarts with the file: a restart reads every line exactly once', async () => {
  const d = dir();
  const path = join(d, 'truncated.log');
  const pos = join(d, 'truncated.pos');
  writeFileSync(path, numbered(0, 100));
  const first = await follow(
    path,
    pos,
    (got) => got.length >= 120,
    async (got) => {
      await atLeast(got, 100);
      truncateSync(path, 0);
      await new Promise((r) => setTimeout(r, 50));
      appendFileSync(path, numbered(100, 120));
    },
  );
  assert.deepEqual(first, lines(0, 120));
  assert.equal(JSON.parse(readFileSync(pos, 'utf8')).position, Buffer.byteLength(numbered(100, 120)));
  appendFileSync(path, numbered(120, 130));
  assert.deepEqual(await follow(path, pos, (got) => got.length >= 10), lines(120, 130));
});
