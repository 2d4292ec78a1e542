// Done when: a remote reader killed (SIGKILL) and restarted loses and repeats nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalPipe, PipeServer } from '../../../src/pipes/index.ts';

const reader = fileURLToPath(new URL('./fixtures/reader.ts', import.meta.url));

function start(port: number, limit?: number) {
  const child = spawn(process.execPath, [reader, String(port), ...(limit === undefined ? [] : [String(limit)])]);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    exit,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l !== '')
        .map(Number),
  };
}

test('a remote reader killed mid-stream and started again loses and repeats nothing', async () => {
  const served = new LocalPipe({ layout: 'int32_1', name: 's' });
  const server = new PipeServer({ pipes: { s: served } });
  const { port } = await server.start();
  const rows = Array.from({ length: 5000 }, (_, i) => [i + 1, i]);
  for (let k = 0; k < 5; k++) await served.write(rows.slice(k * 1000, (k + 1) * 1000));

  const first = start(port, 2345);
  // Kill it once the server has its report: the 2,345 rows are gone from the served pipe.
  while (served.unconsumed > 5000 - 2345) await new Promise((r) => setTimeout(r, 10));
  first.child.kill('SIGKILL');
  await first.exit;

  const second = start(port);
  await served.write(Array.from({ length: 500 }, (_, i) => [5001 + i, i]));
  await served.close();
  assert.equal(await second.exit, 0);
  const seen = [...first.lines(), ...second.lines()];
  assert.equal(first.lines().length, 2345);
  assert.deepEqual(
    seen,
    Array.from({ length: 5500 }, (_, i) => i + 1),
  );
  await server.close();
});
