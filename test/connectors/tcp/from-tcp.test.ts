import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import '../../../src/connectors/tcp/index.ts';
import { Stream } from '../../../src/index.ts';
import { fuzzParameters } from '../../support/fuzz.ts';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sends `bytes` on a new connection; ends it (or drops it at once), resolves when closed. */
function send(port: number, bytes: Buffer | string, drop = false): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      if (drop) s.write(bytes, () => s.destroy());
      else s.end(bytes);
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

test('lines and NDJSON, CRLF or LF, in order per connection, with back pressure and a token', async () => {
  const source = Stream.fromTcp<{ t: number }>({ framing: 'ndjson', token: 'k3y' });
  const got: number[] = [];
  source.sink(async (x) => {
    if (x.t % 3 === 0) await new Promise((r) => setTimeout(r, 2));
    got.push(x.t);
  });
  source.start();
  const { port } = await source.listening;
  const lines = Array.from({ length: 300 }, (_, t) => JSON.stringify({ t })).join('\r\n');
  await send(port, `k3y\n${lines}\n`);
  await until(() => got.length === 300);
  assert.deepEqual(
    got,
    Array.from({ length: 300 }, (_, t) => t),
  );
  await send(port, 'wrong\n{"t":1000}\n');
  assert.equal(source.malformedBy.get('unauthorized'), 1);
  source.stop();
  await source.done;
  assert.equal(got.length, 300);

  await using text = Stream.fromTcp<string>({ maxLineBytes: 8 });
  const words: string[] = [];
  text.sink((w) => words.push(w));
  text.start();
  await send((await text.listening).port, 'alpha\nway too long a line\nbeta\ncut');
  await until(() => words.length === 2 && text.malformed === 2);
  assert.deepEqual(words, ['alpha', 'beta']);
  assert.deepEqual([...text.malformedBy.keys()].sort(), ['too-large', 'truncated']);
});

test('2,000 hostile inputs mixed with good lines: every good one arrives once, the server still serves', async () => {
  const source = Stream.fromTcp<{ n: number; good?: boolean }>({ framing: 'ndjson', maxLineBytes: 1024 });
  const counts = new Map<number, number>();
  source.sink((x) => {
    if (x !== null && typeof x === 'object' && x.good === true) counts.set(x.n, (counts.get(x.n) ?? 0) + 1);
  });
  source.start();
  const { port } = await source.listening;
  const hostile = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ bytes: Buffer.from(b), drop: false })), // random bytes
    fc.string().map((s) => ({ bytes: Buffer.from(`{"n":${s}\n`), drop: false })), // broken JSON
    fc.constant({ bytes: Buffer.from([0x22, 0xff, 0xfe, 0x22, 0x0a]), drop: false }), // invalid UTF-8
    fc.constant({ bytes: Buffer.alloc(5000, 0x31), drop: false }), // an oversized line
    fc.constant({ bytes: Buffer.from('{"n":1,"good":tr'), drop: true }), // dropped mid-line
  );
  const inputs = fc.sample(hostile, { numRuns: 2000, seed: fuzzParameters(1).seed as number });
  // One steady client sends the good lines between the hostile connections.
  const good = connect(port, '127.0.0.1');
  await new Promise((r) => good.once('connect', r));
  let n = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < inputs.length; i++) {
    pending.push(send(port, inputs[i]!.bytes, inputs[i]!.drop));
    if (i % 5 === 0) good.write(`${JSON.stringify({ n: n++, good: true })}\n`);
    if (pending.length >= 32) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  good.end(`${JSON.stringify({ n: n++, good: true })}\n`);
  await until(() => counts.size === n, 20_000);
  assert.ok([...counts.values()].every((c) => c === 1));
  for (const reason of ['invalid-json', 'invalid-utf8', 'too-large', 'truncated']) {
    assert.ok((source.malformedBy.get(reason) ?? 0) > 0, reason);
  }
  await send(port, `${JSON.stringify({ n, good: true })}\n`);
  await until(() => counts.get(n) === 1);
  source.stop();
  await source.done;
});

test('Stream.fromTcp refuses bad options at construction', () => {
  assert.throws(() => Stream.fromTcp({ framing: 'xml' as never }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromTcp({ maxLineBytes: 0 }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromTcp({ token: 'a\nb' }), { code: 'TS_BAD_ARGUMENT' });
});
