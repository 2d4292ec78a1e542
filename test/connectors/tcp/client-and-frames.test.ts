// Stream.fromTcp as a client of a node:net server (connecting again after the server dropped it), and
// length-prefixed framing: frames split across writes, an oversized frame skipped, a truncated one reported.
import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import '../../../src/connectors/tcp/index.ts';
import type { MalformedInput } from '../../../src/connectors/source/index.ts';
import { Stream } from '../../../src/index.ts';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

test('connect: true reads a server’s lines and connects again after the server dropped it', async () => {
  const peers: Socket[] = [];
  const server = createServer((s) => {
    peers.push(s);
    s.on('error', () => {});
    // The first connection sends two lines and is cut; the next one sends the third and stays open.
    if (peers.length === 1) s.end('one\ntwo\n');
    else s.write('three\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const source = Stream.fromTcp({ port, connect: true, reconnectPeriod: '50ms' });
  const got: string[] = [];
  source.sink((x) => got.push(x as string));
  source.start();
  await until(() => got.length === 3);
  assert.deepEqual(got, ['one', 'two', 'three']);
  assert.equal(source.reconnects, 1);
  assert.equal(source.connections, 1);
  source.stop();
  await source.done;
  for (const p of peers) p.destroy();
  server.close();
});

test('connect: true keeps trying while the server is not there yet', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const source = Stream.fromTcp<{ t: number }>({ port, connect: true, reconnectPeriod: '30ms', framing: 'ndjson' });
  const got: number[] = [];
  source.sink((x) => got.push(x.t));
  source.start();
  await until(() => source.reconnects >= 2);
  const server = createServer((s) => s.end('{"t":1}\n{"t":2}\n'));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  await until(() => got.length === 2);
  source.stop();
  await source.done;
  server.close();
  assert.deepEqual(got, [1, 2]);
});

test('length-prefixed frames: split across writes, an oversized one skipped, a cut one reported', async () => {
  const source = Stream.fromTcp<{ i: number }>({ framing: 'length-prefixed', value: 'json', maxFrameBytes: 1000 });
  const got: number[] = [];
  const bad: MalformedInput[] = [];
  source.malformedInput().sink((m) => bad.push(m));
  source.sink(async (x) => {
    if (x.i % 50 === 0) await new Promise((r) => setTimeout(r, 1)); // a slow sink now and then
    got.push(x.i);
  });
  source.start();
  const { port } = await source.listening;
  const parts: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    parts.push(frame(JSON.stringify({ i })));
    if (i === 100) parts.push(frame(Buffer.alloc(5000, 1))); // over the cap: skipped, the next frame still read
    if (i === 200) parts.push(frame('{not json'));
  }
  parts.push(frame(JSON.stringify({ i: 300 })).subarray(0, 7)); // cut by the end of the connection
  const bytes = Buffer.concat(parts);
  await new Promise<void>((resolve) => {
    const s = connect(port, '127.0.0.1', async () => {
      // Written in pieces of 1 to 997 bytes: frames and length fields split anywhere.
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + ((at * 7919) % 997);
        s.write(bytes.subarray(at, at + n));
        at += n;
        await new Promise((r) => setImmediate(r));
      }
      s.end();
    });
    s.on('close', () => resolve());
  });
  await until(() => got.length === 300 && bad.length === 3);
  source.stop();
  await source.done;
  assert.deepEqual(
    got,
    Array.from({ length: 300 }, (_, i) => i),
  );
  assert.deepEqual(
    bad.map((b) => [b.reason, b.message]),
    [
      ['too-large', 'frame 102 of 5000 bytes is longer than maxFrameBytes 1000'],
      [
        'invalid-json',
        `frame 203: invalid JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2))`,
      ],
      ['truncated', 'frame 303 was cut by the end of the connection'],
    ],
  );
});

test('length-prefixed frames as bytes by default; bad client options refused at construction', async () => {
  const source = Stream.fromTcp<Buffer>({ framing: 'length-prefixed' });
  const got: Buffer[] = [];
  source.sink((b) => got.push(b));
  source.start();
  const { port } = await source.listening;
  const s = connect(port, '127.0.0.1', () => s.end(Buffer.concat([frame(Buffer.from([0, 255, 7])), frame('')])));
  await until(() => got.length === 2);
  source.stop();
  await source.done;
  assert.deepEqual(got, [Buffer.from([0, 255, 7]), Buffer.alloc(0)]);
  assert.throws(() => Stream.fromTcp({ connect: true }), { code: 'TS_BAD_ARGUMENT', message: /port/ });
  assert.throws(() => Stream.fromTcp({ connect: true, port: 1, token: 'x' }), { message: /token/ });
  assert.throws(() => Stream.fromTcp({ framing: 'length-prefixed', maxFrameBytes: 0 }), { message: /maxFrameBytes/ });
  assert.throws(() => Stream.fromTcp({ value: 'xml' as never }), { message: /value/ });
});

test('length-prefixed: 2,000 hostile inputs on their own connections; every good frame arrives once, the server still serves', async () => {
  const source = Stream.fromTcp<unknown>({ framing: 'length-prefixed', value: 'json', maxFrameBytes: 4096 });
  const good: number[] = [];
  source.sink((x) => {
    if (x !== null && typeof x === 'object' && typeof (x as { good?: unknown }).good === 'number') {
      good.push((x as { good: number }).good);
    }
  });
  source.start();
  const { port } = await source.listening;
  const send = (parts: Buffer[], drop: boolean) =>
    new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', async () => {
        for (const p of parts) {
          if (!s.write(p)) await new Promise((r) => s.once('drain', r));
        }
        if (drop) s.destroy();
        else s.end();
      });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
  let seed = 12345;
  const random = (n: number) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      b[i] = seed >> 16;
    }
    return b;
  };
  const sends: Promise<void>[] = [];
  let hostile = 0;
  for (let c = 0; c < 200; c++) {
    // Ten hostile pieces a connection: random bytes, huge or cut length fields, broken JSON, invalid UTF-8.
    const parts: Buffer[] = [];
    for (let k = 0; k < 10; k++, hostile++) {
      const kind = (c + k) % 5;
      if (kind === 0) parts.push(random(1 + (hostile % 300)));
      else if (kind === 1) parts.push(frame(random(5000 + hostile)));
      else if (kind === 2) parts.push(frame('{"good": '));
      else if (kind === 3) parts.push(frame(Buffer.from([0xc3, 0x28, 0xff])));
      else parts.push(Buffer.from([0, 0, 1]));
    }
    sends.push(send(parts, c % 2 === 0));
    // A good connection between hostile ones: ten frames, split at odd places.
    const frames = Buffer.concat(Array.from({ length: 10 }, (_, k) => frame(JSON.stringify({ good: c * 10 + k }))));
    sends.push(send([frames.subarray(0, 7), frames.subarray(7, 301), frames.subarray(301)], false));
    if (sends.length >= 40) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  assert.equal(hostile, 2000);
  await until(() => good.length === 2000);
  assert.deepEqual(
    [...good].sort((a, b) => a - b),
    Array.from({ length: 2000 }, (_, i) => i),
  );
  assert.ok(source.malformed >= 600, `${source.malformed} refused`);
  // Still serving.
  await send([frame(JSON.stringify({ good: 5000 }))], false);
  await until(() => good.includes(5000));
  source.stop();
  await source.done;
});
