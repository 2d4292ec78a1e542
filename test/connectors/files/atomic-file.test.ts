import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AtomicFile } from '../../../src/connectors/files/atomic-file.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ts-atomic-'));

test('AtomicFile writes under a temporary name and renames on close', () => {
  const d = dir();
  const path = join(d, 'sub', 'a.txt');
  const f = new AtomicFile(path);
  f.write('hello ');
  f.write(new TextEncoder().encode('world'));
  assert.equal(existsSync(path), false);
  assert.equal(readdirSync(join(d, 'sub')).length, 1);
  f.close();
  f.close();
  assert.equal(readFileSync(path, 'utf8'), 'hello world');
  assert.equal(f.bytes, 11);
  assert.deepEqual(readdirSync(join(d, 'sub')), ['a.txt']);
  assert.throws(() => f.write('x'), { code: 'TS_SINK_CLOSED' });
});

test('AtomicFile.abort leaves the previous file as it was', () => {
  const path = join(dir(), 'a.txt');
  writeFileSync(path, 'old');
  const f = new AtomicFile(path);
  f.write('new, half written');
  f.abort();
  assert.equal(readFileSync(path, 'utf8'), 'old');
  assert.deepEqual(readdirSync(join(path, '..')), ['a.txt']);
});

test('a process killed by SIGTERM closes its open files before exiting', () => {
  const path = join(dir(), 'out.txt');
  const atomic = fileURLToPath(new URL('../../../src/connectors/files/atomic-file.ts', import.meta.url));
  const script = `import { AtomicFile } from ${JSON.stringify(atomic)};
const f = new AtomicFile(${JSON.stringify(path)});
f.write('line 1\\n');
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 10);
setInterval(() => {}, 1000);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 143, r.stderr);
  assert.equal(readFileSync(path, 'utf8'), 'line 1\n');
});

test('with a handler of its own for the signal, the program decides when to exit; files are closed first', () => {
  const path = join(dir(), 'own.txt');
  const atomic = fileURLToPath(new URL('../../../src/connectors/files/atomic-file.ts', import.meta.url));
  const script = `import { existsSync } from 'node:fs';
import { AtomicFile } from ${JSON.stringify(atomic)};
process.on('SIGTERM', () => setTimeout(() => { console.log('drained', existsSync(${JSON.stringify(path)})); process.exit(0); }, 50));
const f = new AtomicFile(${JSON.stringify(path)});
f.write('x\\n');
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 10);
setInterval(() => {}, 1000);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'drained true');
});
