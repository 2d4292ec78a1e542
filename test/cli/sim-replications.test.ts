// `twinstream sim run --replications` as a user runs it: a child process, checked by exit code and output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const MODEL = join(ROOT, 'examples/models/line-a.yaml');

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

test('sim run --replications prints each measure with its interval, then the seeds', () => {
  const r = cli(
    'sim',
    'run',
    MODEL,
    '--until',
    '600',
    '--replications',
    '5',
    '--workers',
    '2',
    '--level',
    '0.9',
    '--measure',
    'tasks.milling.wait_mean',
    'resources.lathe.utilization_avg',
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^measure\s+n\s+mean\s+half-width \(90%\)$/);
  const row = (name: string) => {
    const m = new RegExp(`^${name.replaceAll('.', '\\.')}\\s+5\\s+([\\d.e+-]+)\\s+([\\d.e+-]+)$`).exec(
      lines.find((l) => l.startsWith(name)) ?? '',
    );
    assert.ok(m, `${name} in ${r.stdout}`);
    return [Number(m[1]), Number(m[2])] as const;
  };
  const [util, utilHalf] = row('resources.lathe.utilization_avg');
  assert.ok(util > 50 && util <= 100 && utilHalf > 0);
  const [wait] = row('tasks.milling.wait_mean');
  assert.ok(wait > 0);
  assert.match(lines.at(-2)!, /^5 replications of Line_A in [\d.]+ s wall \(\d+ events\)$/);
  assert.equal(lines.at(-1)!.split(': ')[1]!.split(', ').length, 5);
});

test('sim run --replications with an unknown measure exits 1 naming the known ones', () => {
  const r = cli('sim', 'run', MODEL, '--until', '60', '--replications', '2', '--measure', 'tasks.nothing.wait_mean');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /TS_SIM_BAD_MEASURE|measure "tasks\.nothing\.wait_mean" is not a statistic/);
  assert.match(r.stderr, /tasks\.milling\.wait_mean/);
});
