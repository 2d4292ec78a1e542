// `twinstream sim run --replications n --kafka` and `twinstream sim worker` as a user runs them, against the broker
// the test setup starts: child processes, checked by exit code and output.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const MODEL = join(ROOT, 'examples/models/line-a.yaml');

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

test('sim run --kafka with a worker prints the summary replicate prints, and who ran what', async () => {
  const brokers = (await kafkaBrokers()).join(',');
  const topics = ['--work-topic', uniqueName('work'), '--result-topic', uniqueName('results')];
  const worker = spawn(
    process.execPath,
    [MAIN, 'sim', 'worker', '--kafka', brokers, '--group', uniqueName('g'), ...topics],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  worker.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    const args = [
      MODEL,
      '--until',
      '600',
      '--replications',
      '3',
      '--seed',
      '5',
      '--measure',
      'tasks.milling.wait_mean',
    ];
    const kafka = spawn(process.execPath, [MAIN, 'sim', 'run', ...args, '--kafka', brokers, ...topics], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    kafka.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    kafka.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = await once(kafka, 'exit');
    assert.equal(code, 0, stderr);
    const threads = cli('sim', 'run', ...args);
    assert.equal(threads.status, 0, threads.stderr);
    // The same table and seeds as the run on threads; the wall time differs, and the workers' line is added.
    const table = (s: string) => s.split('\n').filter((l) => !/ s wall /.test(l) && !l.startsWith('workers:'));
    assert.deepEqual(table(stdout.trim()), table(threads.stdout.trim()));
    assert.match(stdout, new RegExp(`^workers: [^ ]+:${worker.pid} \\(3\\)$`, 'm'));
    assert.equal(out.trim().split('\n').length, 3);
  } finally {
    worker.kill('SIGTERM');
  }
  const [code] = await once(worker, 'exit');
  assert.equal(code, 0);
});

test('sim run --kafka is refused without --replications, and with --workers or --sample', () => {
  const refused = (args: string[], pattern: RegExp) => {
    const r = cli('sim', 'run', MODEL, '--kafka', 'localhost:9', ...args);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, pattern);
  };
  refused([], /--kafka.*with --replications n/);
  refused(
    ['--replications', '4', '--workers', '2'],
    /--workers.*start more workers \(twinstream sim worker --kafka <brokers>\)/,
  );
  refused(['--replications', '4', '--sample', '3'], /--sample.*none with --kafka/);
});

test('sim worker needs --kafka, and shows examples in its help', () => {
  const none = cli('sim', 'worker');
  assert.equal(none.status, 1);
  assert.match(none.stderr, /required option '--kafka <brokers>'/);
  const help = cli('sim', 'worker', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /\$ twinstream sim worker --kafka localhost:9092/);
  assert.match(cli('sim', 'run', '--help').stdout, /--replications 20 --kafka localhost:9092/);
});
