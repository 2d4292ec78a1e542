import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { WebSocket, WebSocketServer } from 'ws';
import '../../../src/connectors/websocket/index.ts';
import { Stream } from '../../../src/index.ts';
import { fuzzParameters } from '../../support/fuzz.ts';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('toWebSocket into fromWebSocketServer: every element, in order, with back pressure', async () => {
  const server = Stream.fromWebSocketServer<number>({ path: '/in', token: 't0ken' });
  const got: number[] = [];
  server.sink(async (x) => {
    if (x % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    got.push(x);
  });
  server.start();
  const { port } = await server.listening;
  const feed = Stream.fromIterable(Array.from({ length: 1000 }, (_, i) => i));
  const sink = feed.toWebSocket(`ws://127.0.0.1:${port}/in`, { token: 't0ken' });
  feed.start();
  await feed.done;
  assert.equal(sink.sent, 1000);
  await until(() => got.length === 1000);
  assert.deepEqual(
    got,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  // Without the token, or on another path, the upgrade is refused.
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/in`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
  assert.equal(refused, 401);
  assert.equal(server.malformedBy.get('unauthorized'), 1);
  server.stop();
  await server.done;
});

test('Stream.fromWebSocket reconnects after the server drops it', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  let connection = 0;
  wss.on('connection', (ws) => {
    connection++;
    const n = connection;
    ws.send(JSON.stringify({ connection: n, i: 0 }));
    ws.send('not json');
    ws.send(JSON.stringify({ connection: n, i: 1 }), () => {
      if (n === 1) ws.terminate(); // the first connection is lost
    });
  });
  const source = Stream.fromWebSocket<{ connection: number; i: number }>(`ws://127.0.0.1:${port}`, {
    reconnectPeriod: '50ms',
  });
  const got: string[] = [];
  source.sink((m) => got.push(`${m.connection}.${m.i}`));
  source.start();
  await until(() => got.length === 4);
  assert.deepEqual(got, ['1.0', '1.1', '2.0', '2.1']);
  assert.equal(source.reconnections, 1);
  assert.equal(source.malformedBy.get('invalid-json'), 2);
  source.stop();
  await source.done;
  wss.close();
});

test('2,000 hostile inputs mixed with good messages: every good one arrives once, the server still serves', async () => {
  const server = Stream.fromWebSocketServer<{ n: number; good?: boolean }>({ maxMessageBytes: 1024 });
  const counts = new Map<number, number>();
  server.sink((x) => {
    if (x !== null && typeof x === 'object' && x.good === true) counts.set(x.n, (counts.get(x.n) ?? 0) + 1);
  });
  server.start();
  const { port } = await server.listening;
  const url = `ws://127.0.0.1:${port}/`;
  const good = new WebSocket(url);
  await new Promise((r) => good.once('open', r));
  const kinds = fc.oneof(
    fc.uint8Array({ maxLength: 100 }).map((b) => ({ kind: 'binary' as const, bytes: Buffer.from(b) })),
    fc.string().map((s) => ({ kind: 'text' as const, bytes: Buffer.from(`{"n":${s}`) })),
    fc.constant({ kind: 'text' as const, bytes: Buffer.from([0x22, 0xff, 0xfe, 0x22]) }), // invalid UTF-8
    fc.constant({ kind: 'binary' as const, bytes: Buffer.alloc(5000, 0x31) }), // oversized
    fc.uint8Array({ maxLength: 100 }).map((b) => ({ kind: 'raw' as const, bytes: Buffer.from(b) })), // not WebSocket
    fc.constant({ kind: 'raw' as const, bytes: Buffer.from('GET / HTTP/1.1\r\nupgrade: websocket\r\n') }), // dropped
  );
  const inputs = fc.sample(kinds, { numRuns: 2000, seed: fuzzParameters(1).seed as number });
  // The hostile messages go over a few connections, opened again when the server closes one.
  let hostile: WebSocket | null = null;
  const open = async () => {
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    await new Promise((r) => ws.once('open', r));
    return ws;
  };
  let n = 0;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    if (input.kind === 'raw') {
      await new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.end(input.bytes));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.setTimeout(1000, () => s.destroy());
      });
    } else {
      if (hostile === null || hostile.readyState !== WebSocket.OPEN) hostile = await open();
      const ws = hostile;
      await new Promise<void>((resolve) => ws.send(input.bytes, { binary: input.kind === 'binary' }, () => resolve()));
    }
    if (i % 5 === 0) good.send(JSON.stringify({ n: n++, good: true }));
  }
  good.send(JSON.stringify({ n: n++, good: true }));
  await until(() => counts.size === n, 20_000);
  assert.ok([...counts.values()].every((c) => c === 1));
  for (const reason of ['invalid-json', 'invalid-utf8', 'too-large']) {
    assert.ok((server.malformedBy.get(reason) ?? 0) > 0, reason);
  }
  // A new client is still served.
  const late = await open();
  late.send(JSON.stringify({ n: n, good: true }));
  await until(() => counts.get(n) === 1);
  good.close();
  late.close();
  hostile?.close();
  server.stop();
  await server.done;
});

test('WebSocket sources and sink refuse bad options at construction', () => {
  assert.throws(() => Stream.fromWebSocket('http://x'), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromWebSocketServer({ path: 'x' }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => new Stream().toWebSocket('tcp://x'), { code: 'TS_BAD_ARGUMENT' });
});
