// How the local servers of the tests start (scripts/services.ts, used by scripts/postgres.ts and scripts/redis.ts):
// a real program on a free port, waited for, stopped with its log; one that does not come up is reported.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLocalServer, tcpAccepts } from '../../scripts/services.ts';

const cwd = () => mkdtempSync(join(tmpdir(), 'ts-services-'));

// A TCP server in a child Node process, listening on the port it is given after a short delay.
const listener = (port: number) => [
  process.execPath,
  '-e',
  `setTimeout(() => require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1'), 300)`,
];

test('startLocalServer runs a program on a free port, waits until it answers, and stop() ends it', async () => {
  const { port, server } = await startLocalServer({
    name: 'probe',
    cwd: cwd(),
    command: listener,
    timeoutMs: 20_000,
    probe: tcpAccepts,
    failure: (exited, p) => `listener ${exited ? 'exited' : 'did not answer'} on ${p}`,
  });
  assert.ok(port > 0);
  assert.equal(await tcpAccepts(port), true);
  assert.equal(server.exited(), false);
  await server.stop();
  assert.equal(server.exited(), true);
  assert.equal(existsSync(server.log), false);
  assert.notEqual(await tcpAccepts(port), true);
});

test('a program that exits before answering fails with its reason and the end of its log', async () => {
  await assert.rejects(
    startLocalServer({
      name: 'probe',
      cwd: cwd(),
      port: 1,
      command: () => [process.execPath, '-e', 'console.log("no such database"); process.exit(3)'],
      timeoutMs: 20_000,
      probe: tcpAccepts,
      failure: (exited, p) => `listener ${exited ? 'exited' : 'did not answer'} on ${p}`,
    }),
    /^Error: listener exited on 1\nno such database/,
  );
});
