import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/files/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-jsonl-'));

test('fromJsonl: bad lines go to the error branch with their line number, good ones all arrive', async () => {
  const path = join(dir(), 'e.jsonl');
  writeFileSync(path, '{"a":1}\n\n{"a":2\nnot json\n{"a":3,"__proto__":{"x":1}}\n{"a":4}');
  const values: unknown[] = [];
  const errors: string[] = [];
  const s = Stream.fromJsonl(path);
  s.catch().sink(({ error }) => void errors.push(error.message));
  s.sink((v) => void values.push(v));
  s.start();
  await s.done;
  assert.deepEqual(values, [{ a: 1 }, { a: 3 }, { a: 4 }]);
  assert.equal(Object.getPrototypeOf(values[1]), Object.prototype);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, new RegExp(`^${path}:3: not JSON`));
  assert.match(errors[1]!, new RegExp(`^${path}:4: not JSON .*: not json$`));
});

test('toJsonl writes atomically and fromJsonl reads it back as frames', async () => {
  const d = dir();
  const path = join(d, 'out.jsonl');
  const rows = Array.from({ length: 10 }, (_, i) => ({ time: i * 1000, value: i * 1.5, sensor: 'p' }));
  const src = Stream.fromIterable(rows);
  const closed: [string, number][] = [];
  src.toJsonl(path, { rollRows: 4, onFileClosed: (p, n) => closed.push([p, n]) });
  src.start();
  await src.done;
  assert.deepEqual(readdirSync(d).sort(), ['out-1.jsonl', 'out-2.jsonl', 'out.jsonl']);
  assert.deepEqual(
    closed.map(([, n]) => n),
    [4, 4, 2],
  );
  assert.equal(readFileSync(path, 'utf8').split('\n')[0], '{"time":0,"value":0,"sensor":"p"}');
  const frames: { length: number; time: Float64Array | null }[] = [];
  const back = Stream.fromJsonl(join(d, 'out-1.jsonl'), { as: 'frames' });
  back.sink((f) => void frames.push(f));
  back.start();
  await back.done;
  assert.equal(frames.length, 1);
  assert.deepEqual([...frames[0]!.time!], [4000, 5000, 6000, 7000]);
});

test('toJsonl refuses an element JSON cannot hold', async () => {
  const src = Stream.fromIterable([{ n: 1n }]);
  src.toJsonl(join(dir(), 'x.jsonl'));
  src.start();
  await assert.rejects(src.done, (e: Error & { code: string; cause?: { code: string } }) => {
    assert.equal(e.code === 'TS_BAD_RECORD' ? e.code : e.cause?.code, 'TS_BAD_RECORD');
    return true;
  });
});
