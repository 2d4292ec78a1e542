import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MalformedInput } from '../../../src/connectors/source/index.ts';
import '../../../src/connectors/process/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';

test('the lines of a command, in order, and its exit code', async () => {
  const source = Stream.fromProcess('sh', ['-c', 'printf "a\\nb\\r\\n\\nlast"']);
  const got: string[] = [];
  source.sink((x) => got.push(x));
  source.start();
  await source.done;
  assert.deepEqual(got, ['a', 'b', '', 'last']);
  assert.deepEqual(source.exit, { code: 0, signal: null });
});

test('JSON lines; a malformed, invalid UTF-8 or too long line is reported with its number and skipped', async () => {
  const script = `printf '{"t":1}\\nnot json\\n{"t":2}\\n'; printf '\\377\\n'; head -c 3000 /dev/zero | tr '\\0' x; printf '\\n{"t":3}\\n'`;
  const source = Stream.fromProcess<{ t: number }>('sh', ['-c', script], { value: 'json', maxLineBytes: 1000 });
  const got: number[] = [];
  const bad: MalformedInput[] = [];
  source.malformedInput().sink((m) => bad.push(m));
  source.sink((x) => got.push(x.t));
  source.start();
  await source.done;
  assert.deepEqual(got, [1, 2, 3]);
  assert.deepEqual(
    bad.map((b) => [b.reason, /line (\d+)/.exec(b.message)?.[1]]),
    [
      ['invalid-json', '2'],
      ['invalid-utf8', '4'],
      ['too-large', '5'],
    ],
  );
  assert.equal(source.malformed, 3);
});

test('a non-zero exit fails done with TS_PROCESS_EXIT and its code, after the lines it wrote', async () => {
  const source = Stream.fromProcess('sh', ['-c', 'echo one; exit 3']);
  const got: string[] = [];
  source.sink((x) => got.push(x));
  source.start();
  await assert.rejects(source.done, (e: TwinstreamError) => {
    assert.equal(e.code, 'TS_PROCESS_EXIT');
    assert.match(e.message, /sh exited with code 3/);
    return true;
  });
  assert.deepEqual(got, ['one']);
  assert.deepEqual(source.exit, { code: 3, signal: null });
  const tolerant = Stream.fromProcess('sh', ['-c', 'exit 4'], { failOnError: false });
  tolerant.start();
  await tolerant.done;
  assert.equal(tolerant.exit?.code, 4);
});

test('a command that does not exist fails with TS_PROCESS_SPAWN', async () => {
  const source = Stream.fromProcess('twinstream-no-such-command');
  source.start();
  await assert.rejects(source.done, { code: 'TS_PROCESS_SPAWN', message: /twinstream-no-such-command/ });
});

test('back pressure: an endless command is read only as fast as the graph goes, and stop() ends it', async () => {
  // `yes` writes as fast as the pipe takes; a slow sink must hold it back (memory stays bounded).
  const source = Stream.fromProcess('yes', ['reading']);
  let n = 0;
  source.sink(async () => {
    n++;
    if (n % 100 === 0) await new Promise((r) => setTimeout(r, 1));
  });
  source.start();
  await new Promise((r) => setTimeout(r, 300));
  const pid = source.pid!;
  source.stop();
  await source.done;
  assert.ok(n > 100 && n < 1_000_000, `${n} lines read`);
  assert.equal(source.exit?.signal, 'SIGTERM');
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
});

test('bad options are refused at construction, naming the field', () => {
  assert.throws(() => Stream.fromProcess(''), { code: 'TS_BAD_ARGUMENT', message: /command/ });
  assert.throws(() => Stream.fromProcess('ls', ['-l', 3 as never]), { code: 'TS_BAD_ARGUMENT', message: /args/ });
  assert.throws(() => Stream.fromProcess('ls', [], { value: 'xml' as never }), { message: /value.*'json'/ });
  assert.throws(() => Stream.fromProcess('ls', [], { maxLineBytes: 0 }), { message: /maxLineBytes/ });
  assert.ok(new TwinstreamError('TS_PROCESS_EXIT', 'x') instanceof Error);
});
