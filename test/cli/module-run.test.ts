// `twinstream module run` as a user runs it: a child process against a PipeServer in this process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blockRows, LocalPipe, PipeServer } from '../../src/pipes/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('module run runs a module file against the streams of a PipeServer', async () => {
  const input = new LocalPipe({ layout: 'float64_1', name: 'in' });
  const output = new LocalPipe({ layout: 'float64_1', name: 'out' });
  const server = new PipeServer({ pipes: { in: input, out: output }, token: 'cli-token' });
  const { port } = await server.start();
  const args = ['module', 'run', join(ROOT, 'test/pipes/modules/fixtures/mean-filter.ts'), '--port', String(port)];
  args.push('--input', 'in:float64_1', '--output', 'out:float64_1', '--arg', 'window=2');
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], {
    env: { ...process.env, TWINSTREAM_PIPE_TOKEN: 'cli-token' },
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exit = new Promise<number | null>((r) => child.on('exit', r));
  await input.write([
    [1, 1],
    [2, 3],
    [3, 5],
  ]);
  await input.close();
  assert.equal(await exit, 0, stderr);
  assert.deepEqual(blockRows(await output.readAll()), [
    [2, 2],
    [3, 4],
  ]);
  await server.close();
});

test('module run with a wrong token fails with the reason', async () => {
  const server = new PipeServer({ pipes: { in: new LocalPipe({ layout: 'float64_1' }) }, token: 'right' });
  const { port } = await server.start();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'src/cli/main.ts'), 'module', 'run', 'x.ts', '--port', String(port), '--input', 'in:float64_1'],
    { env: { ...process.env, TWINSTREAM_PIPE_TOKEN: 'wrong' } },
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 1);
  assert.match(stderr, /twinstream: pipe server: wrong or missing token/);
  await server.close();
});
