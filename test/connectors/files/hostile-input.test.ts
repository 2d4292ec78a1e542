// Thousands of malformed lines mixed with good ones: every good record arrives once, in order, and every bad one is
// reported with its own line number; the stream goes on.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Stream } from '../../../src/core/index.ts';
import '../../../src/connectors/files/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ts-hostile-'));

// Random text on one line that is not valid JSON (a leading '#' makes sure of that).
const garbage = fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `#${s.replace(/[\r\n]/g, ' ')}`);

test('fromJsonl: 2,000 hostile lines among good ones', async () => {
  const kinds = fc.sample(fc.array(fc.oneof(fc.constant<null>(null), garbage), { minLength: 4000, maxLength: 4000 }), {
    numRuns: 1,
    seed: 42,
  })[0]!;
  const lines: string[] = [];
  const badLines: number[] = [];
  let good = 0;
  for (const k of kinds) {
    if (k === null) lines.push(JSON.stringify({ i: good++ }));
    else {
      lines.push(k);
      badLines.push(lines.length);
    }
  }
  assert.ok(badLines.length >= 1500);
  const path = join(dir, 'h.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const seen: number[] = [];
  const errors: number[] = [];
  const s = Stream.fromJsonl(path);
  s.catch().sink(({ error }) => void errors.push((error.context as { line: number }).line));
  s.sink((v) => void seen.push(v.i));
  s.start();
  await s.done;
  assert.deepEqual(
    seen,
    Array.from({ length: good }, (_, i) => i),
  );
  assert.deepEqual(errors, badLines);
  assert.equal(s.malformed, badLines.length);
});

test('fromCsv: ragged, unquoted-junk and non-numeric records among good ones', async () => {
  const bad = ['1,2', '1,2,3,4', 'x,1,a', '1,"open,a', '2,"q"z,a'];
  const lines = ['time,value,name'];
  const badLines: number[] = [];
  let good = 0;
  for (let i = 0; i < 20; i++) lines.push(`${good++},1,n`);
  for (let i = 0; i < 3000; i++) {
    if (i % 3 === 0) {
      const b = bad[i % bad.length]!;
      // An unclosed quote swallows the rest of the file: keep it for the last line.
      if (b.includes('open')) continue;
      lines.push(b);
      badLines.push(lines.length);
    } else lines.push(`${good++},${i / 2},"n ${i}, quoted"`);
  }
  lines.push('1,"open,a');
  badLines.push(lines.length);
  const path = join(dir, 'h.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const seen: number[] = [];
  const errors: number[] = [];
  const s = Stream.fromCsv(path, { as: 'frames', frameSize: 256 });
  s.catch().sink(({ error }) => void errors.push((error.context as { line: number }).line));
  s.sink((f) => {
    for (const t of f.time!) seen.push(t);
  });
  s.start();
  await s.done;
  assert.deepEqual(
    seen,
    Array.from({ length: good }, (_, i) => i),
  );
  assert.deepEqual(errors, badLines);
});
