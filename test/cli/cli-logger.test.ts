// The command line's log: pino JSON lines in a pipe, the message alone on a terminal, and --log-level's threshold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliLogger } from '../../src/cli/cli-logger.ts';

function capture(fn: () => void): string {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

test('on a terminal: the message, with its level unless it is info; below the level: nothing', async () => {
  const log = await cliLogger('info', true);
  const text = capture(() => {
    log.info({ port: 8080 }, 'http0 listening on 127.0.0.1:8080');
    log.warn({}, 'a broker is away');
  });
  assert.equal(text, 'http0 listening on 127.0.0.1:8080\nwarn: a broker is away\n');
  const quiet = await cliLogger('warn', true);
  assert.equal(
    capture(() => quiet.info({}, 'not shown')),
    '',
  );
});
