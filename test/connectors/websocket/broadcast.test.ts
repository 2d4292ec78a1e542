// toWebSocketBroadcast against ws clients: a client that reads nothing (its socket paused) is dropped from
// messages or disconnected by the stated policy, while a client that keeps up gets every message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import '../../../src/connectors/websocket/index.ts';
import { Stream } from '../../../src/index.ts';

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const N = 400;
const PAD = 'x'.repeat(64 * 1024); // 26 MB in all: more than the loopback socket buffers hold

/** A broadcast of N messages `{ i, pad }`, sent once `go` resolves (after the clients connected). */
function broadcast(slowClients: 'drop' | 'disconnect') {
  let go!: () => void;
  const ready = new Promise<void>((r) => (go = r));
  async function* messages() {
    await ready;
    for (let i = 0; i < N; i++) {
      yield { i, pad: PAD };
      // Let the sockets write between messages, as a live feed would.
      await new Promise((r) => setImmediate(r));
    }
  }
  const source = Stream.fromAsyncIterable(messages());
  const sink = source.toWebSocketBroadcast({ path: '/live', token: 'tok', slowClients, maxBufferedBytes: 1 << 20 });
  return { source, sink, go };
}

async function client(port: number, options: { paused?: boolean } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live?token=tok`);
  const got: number[] = [];
  let closed: number | null = null;
  ws.on('message', (data) => got.push(JSON.parse(String(data)).i));
  ws.on('close', (code) => (closed = code));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // A client that reads nothing: its socket stops reading, so the server's buffer for it grows.
  if (options.paused) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  return { ws, got, closed: () => closed };
}

test("slowClients 'drop': the slow client misses messages, the fast one gets all, in order", async () => {
  const { source, sink, go } = broadcast('drop');
  source.start();
  const { port } = await sink.listening;
  const fast = await client(port);
  const slow = await client(port, { paused: true });
  await until(() => sink.clients === 2);
  go();
  await source.ended;
  assert.ok(sink.dropped > 0, `dropped ${sink.dropped}`);
  assert.equal(sink.disconnected, 0);
  assert.equal(sink.sent + sink.dropped, 2 * N);
  await until(() => fast.got.length === N);
  assert.deepEqual(
    fast.got,
    Array.from({ length: N }, (_, i) => i),
  );
  // Resumed, the slow client reads what was sent to it: fewer messages, still in order.
  (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await until(() => slow.got.length === N - sink.dropped);
  assert.ok(slow.got.every((x, k) => k === 0 || x > slow.got[k - 1]!));
  await source.done;
  await until(() => fast.closed() === 1001 && slow.closed() === 1001);
});

test("slowClients 'disconnect': the slow client is closed, the fast one gets all", async () => {
  const { source, sink, go } = broadcast('disconnect');
  source.start();
  const { port } = await sink.listening;
  const fast = await client(port);
  const slow = await client(port, { paused: true });
  await until(() => sink.clients === 2);
  go();
  await source.ended;
  assert.equal(sink.disconnected, 1);
  assert.equal(sink.dropped, 0);
  await until(() => fast.got.length === N);
  assert.deepEqual(
    fast.got,
    Array.from({ length: N }, (_, i) => i),
  );
  (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await until(() => slow.closed() !== null);
  assert.ok(slow.closed() === 1008 || slow.closed() === 1006, `closed with ${slow.closed()}`);
  assert.ok(slow.got.length < N);
  await source.done;
});

test('refuses a client without the token or on another path, and bad options at construction', async () => {
  const { source, sink, go } = broadcast('drop');
  source.start();
  const { port } = await sink.listening;
  const status = (url: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
  assert.equal(await status(`ws://127.0.0.1:${port}/live`), 401);
  assert.equal(await status(`ws://127.0.0.1:${port}/other?token=tok`), 404);
  go();
  await source.done;
  const s = Stream.fromIterable([1]);
  assert.throws(() => s.toWebSocketBroadcast({ slowClients: 'wait' as never }), {
    code: 'TS_BAD_ARGUMENT',
    message: /slowClients.*'drop' or 'disconnect'/,
  });
  assert.throws(() => s.toWebSocketBroadcast({ maxBufferedBytes: 0 }), { message: /maxBufferedBytes/ });
});
