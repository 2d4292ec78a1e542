import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import '../../../src/connectors/http/index.ts';
import { Stream } from '../../../src/index.ts';
import { fuzzParameters } from '../../support/fuzz.ts';

const ndjson = { 'content-type': 'application/x-ndjson' };

/** Writes raw bytes to the server and waits until it closes the connection or 2 s pass. */
function raw(port: number, bytes: Buffer, endEarly: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      if (endEarly) socket.destroy();
      else socket.end();
    });
    socket.on('data', () => {});
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.setTimeout(2000, () => socket.destroy());
  });
}

test('POSTed NDJSON and JSON become elements; 202 comes after the graph is done with them', async () => {
  const source = Stream.fromHttpServer<{ t: number }>({ path: '/ingest' });
  const got: number[] = [];
  let finished = 0;
  source.sink(async (x) => {
    await new Promise((r) => setTimeout(r, 5));
    got.push(x.t);
    finished++;
  });
  source.start();
  const { port } = await source.listening;
  const url = `http://127.0.0.1:${port}/ingest`;
  const r1 = await fetch(url, { method: 'POST', headers: ndjson, body: '{"t":1}\n\n{"t":2}\n' });
  assert.equal(r1.status, 202);
  assert.equal(finished, 2); // answered only once both were through the sink
  assert.deepEqual(await r1.json(), { accepted: 2, malformed: 0 });
  const r2 = await fetch(url, {
    method: 'POST',
    body: '[{"t":3},{"t":4}]',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(r2.status, 202);
  const r3 = await fetch(url, { method: 'POST', headers: ndjson, body: '{"t":5}\nnot json\n' });
  assert.deepEqual(await r3.json(), { accepted: 1, malformed: 1 });
  assert.equal((await fetch(url, { method: 'POST', body: '{' })).status, 400);
  assert.equal((await fetch(url)).status, 405);
  assert.equal((await fetch(`http://127.0.0.1:${port}/other`, { method: 'POST', body: '1' })).status, 404);
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.equal(source.malformedBy.get('invalid-json'), 2);
  source.stop();
  await source.done;
});

test('a bearer token is required when set; bodies over maxBodyBytes get 413', async () => {
  await using source = Stream.fromHttpServer({ token: 's3cret', maxBodyBytes: 100 });
  const got: unknown[] = [];
  source.sink((x) => got.push(x));
  source.start();
  const { port } = await source.listening;
  const url = `http://127.0.0.1:${port}/`;
  assert.equal((await fetch(url, { method: 'POST', body: '1' })).status, 401);
  const auth = { authorization: 'Bearer s3cret' };
  assert.equal((await fetch(url, { method: 'POST', body: '1', headers: auth })).status, 202);
  assert.equal((await fetch(url, { method: 'POST', body: `"${'x'.repeat(200)}"`, headers: auth })).status, 413);
  assert.deepEqual(got, [1]);
  assert.equal(source.malformedBy.get('unauthorized'), 1);
  assert.equal(source.malformedBy.get('too-large'), 1);
});

test('503 with Retry-After when the pipeline is full, and toHttp retries until it gets through', async () => {
  const source = Stream.fromHttpServer<number>({ maxQueuedRequests: 0 });
  const got: number[] = [];
  source.sink(async (x) => {
    await new Promise((r) => setTimeout(r, 30));
    got.push(x);
  });
  source.start();
  const { port } = await source.listening;
  const url = `http://127.0.0.1:${port}/`;
  const first = fetch(url, { method: 'POST', body: '1' });
  await new Promise((r) => setTimeout(r, 10));
  const second = await fetch(url, { method: 'POST', body: '2' });
  assert.equal(second.status, 503);
  assert.equal(second.headers.get('retry-after'), '1');
  assert.equal((await first).status, 202);
  // Four concurrent batches against a server that takes one at a time: some are refused and sent again.
  const feed = Stream.fromIterable([10, 11, 12, 13, 14, 15, 16, 17]);
  const sink = feed.toHttp(url, { batchSize: 2, maxInFlight: 4, retries: 20 });
  feed.start();
  await feed.done;
  assert.equal(sink.sent, 8);
  assert.ok(sink.retried > 0, 'some batches were retried');
  assert.deepEqual(
    got.slice(1).sort((a, b) => a - b),
    [10, 11, 12, 13, 14, 15, 16, 17],
  );
  source.stop();
  await source.done;
});

test('2,000 hostile requests mixed with good ones: every good element arrives once, the server still serves', async () => {
  const source = Stream.fromHttpServer<{ n: number }>({ maxBodyBytes: 2048, requestTimeout: '2s' });
  const counts = new Map<number, number>();
  source.sink((x) => {
    if (typeof x === 'object' && x !== null && typeof x.n === 'number' && (x as { good?: boolean }).good === true)
      counts.set(x.n, (counts.get(x.n) ?? 0) + 1);
  });
  source.start();
  const { port } = await source.listening;
  const url = `http://127.0.0.1:${port}/`;
  const post = (body: Buffer | string, type = 'application/x-ndjson') =>
    `POST / HTTP/1.1\r\nhost: x\r\ncontent-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const hostile = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => ({ bytes: Buffer.from(b), early: false })), // not HTTP at all
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({
      bytes: Buffer.concat([Buffer.from(post(Buffer.from(b))), Buffer.from(b)]), // random body
      early: false,
    })),
    fc.string().map((s) => ({ bytes: Buffer.from(post(`{"n":${s}`) + `{"n":${s}`), early: false })), // broken JSON
    fc.constant({
      bytes: Buffer.concat([Buffer.from(post(Buffer.alloc(4))), Buffer.from([0xff, 0xfe, 0x80, 0x81])]),
      early: false,
    }),
    fc.constant({ bytes: Buffer.from(`${post('x'.repeat(5000))}${'x'.repeat(100)}`), early: true }), // oversized
    fc.constant({ bytes: Buffer.from(`${post('{"n":1}\n{"n":2}\n'.repeat(10))}{"n":`), early: true }), // dropped mid-body
  );
  const inputs = fc.sample(hostile, { numRuns: 2000, seed: fuzzParameters(1).seed as number });
  let n = 0;
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < inputs.length; i++) {
    pending.push(raw(port, inputs[i]!.bytes, inputs[i]!.early));
    if (i % 10 === 0) {
      const body = `${JSON.stringify({ n: n++, good: true })}\n${JSON.stringify({ n: n++, good: true })}\n`;
      pending.push(fetch(url, { method: 'POST', headers: ndjson, body }).then((r) => assert.equal(r.status, 202)));
    }
    if (pending.length >= 32) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  assert.equal(counts.size, n);
  assert.ok([...counts.values()].every((c) => c === 1));
  assert.ok(source.malformed > 500, `${source.malformed} refused`);
  for (const reason of ['invalid-json', 'invalid-utf8', 'too-large', 'aborted']) {
    assert.ok((source.malformedBy.get(reason) ?? 0) > 0, reason);
  }
  // Still serving.
  const last = await fetch(url, { method: 'POST', body: JSON.stringify({ n: n, good: true }) });
  assert.equal(last.status, 202);
  assert.equal(counts.get(n), 1);
  source.stop();
  await source.done;
});

test('Stream.fromHttpServer and toHttp refuse bad options at construction', () => {
  assert.throws(() => Stream.fromHttpServer({ port: 70000 }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromHttpServer({ path: 'ingest' }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromHttpServer({ maxBodyBytes: 0 }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => new Stream().toHttp('ftp://x'), { code: 'TS_BAD_ARGUMENT' });
});

test('curl posts NDJSON from a file and gets its 202', async () => {
  const { execFile } = await import('node:child_process');
  await using source = Stream.fromHttpServer<{ t: number }>({ path: '/ingest', token: 'abc' });
  const got: number[] = [];
  source.sink((x) => got.push(x.t));
  source.start();
  const { port } = await source.listening;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'curl',
      [
        '-s',
        '-w',
        ' %{http_code}',
        '-H',
        'authorization: Bearer abc',
        '-H',
        'content-type: application/x-ndjson',
        '--data-binary',
        '{"t":1}\n{"t":2}\n',
        `http://127.0.0.1:${port}/ingest`,
      ],
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );
  assert.equal(out, '{"accepted":2,"malformed":0} 202');
  assert.deepEqual(got, [1, 2]);
});
