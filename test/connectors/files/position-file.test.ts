// fromTextFile with a position file: a restart resumes after the last line the graph finished, never past a line
// still in work; appended lines are read on the next run; a replaced file is read from its start.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
