// The command line as a new user meets it: help with examples, documented exit codes, sim init, start times.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { addCommandExamples } from '../../src/cli/command-examples.ts';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { cliProgram } from '../../src/cli/program.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-cli-q-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

test('every command has examples in its --help, and the root help lists the exit codes', () => {
  assert.deepEqual(addCommandExamples(cliProgram({ out() {}, err() {} })), []);
  for (const args of [[], ['demo'], ['sim'], ['sim', 'run'], ['sim', 'init'], ['sim', 'fit'], ['module', 'run']]) {
    const r = cli(...args, '--help');
    assert.equal(r.status, EXIT_CODES.ok, r.stderr);
    assert.match(r.stdout, /\nExamples:\n {2}\$ .*twinstream /, args.join(' '));
  }
  const root = cli('--help').stdout;
  for (const code of Object.values(EXIT_CODES)) assert.match(root, new RegExp(`\\b${code} `));
});

test('exit codes: 1 for refused input (an unknown option, a bad --out), not a stack trace', () => {
  const unknown = cli('demo', '--no-such-option');
  assert.equal(unknown.status, EXIT_CODES.refused);
  const file = join(dir, 'plain-file');
  writeFileSync(file, '');
  const r = cli('sim', 'run', join(ROOT, 'examples/models/line-a.yaml'), '--until', '60', '--out', join(file, 'x'));
  assert.equal(r.status, EXIT_CODES.refused, r.stderr);
  assert.match(r.stderr, /^twinstream: cannot write to the output folder .*plain-file\/x \(ENOTDIR\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('sim init writes the example model, which sim run then runs; it refuses to overwrite without --force', () => {
  const init = cli('sim', 'init');
  assert.equal(init.status, 0, init.stderr);
  assert.equal(init.stdout, 'wrote line-a.yaml: run it with  twinstream sim run line-a.yaml --until 1d\n');
  assert.equal(
    readFileSync(join(dir, 'line-a.yaml'), 'utf8'),
    readFileSync(join(ROOT, 'examples/models/line-a.yaml'), 'utf8'),
  );
  const run = cli('sim', 'run', 'line-a.yaml', '--until', '60', '--out', 'data');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^model Line_A: simulated 60 time units/);
  const again = cli('sim', 'init');
  assert.equal(again.status, EXIT_CODES.refused);
  assert.match(again.stderr, /line-a\.yaml exists: give another file name, or --force to replace it/);
  assert.equal(cli('sim', 'init', '--force').status, 0);
});

test('a model without logicalStartTime stamps its records from now, as RealtimeEnvironment does', async () => {
  const model = readFileSync(join(ROOT, 'examples/models/line-a.yaml'), 'utf8').replace(
    /^\s*logicalStartTime:.*$/m,
    '',
  );
  assert.doesNotMatch(model, /logicalStartTime/);
  writeFileSync(join(dir, 'no-start.yaml'), model);
  const before = Date.now();
  const r = cli('sim', 'run', 'no-start.yaml', '--until', '10', '--out', 'no-start');
  assert.equal(r.status, 0, r.stderr);
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, 'no-start', 'events.parquet')) });
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const t = Date.parse(String(row.timestamp));
    assert.ok(t >= before - 1000 && t <= Date.now() + 11_000, `${row.timestamp} is about now`);
  }
});
