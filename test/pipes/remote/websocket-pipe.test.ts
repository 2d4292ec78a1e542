// The remote pipes over WebSocket: the same frames in binary messages, the same guarantees.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockRows, LocalPipe, PipeServer, RemoteInputPipe, RemoteOutputPipe } from '../../../src/pipes/index.ts';
import { readAllTimestamps, relay } from './cut-relay.ts';

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => [from + i, i, -i, i / 2]);

describe('remote pipes over WebSocket', () => {
  test('rows, breaks and the close go through; a wrong token is refused with the reason', async () => {
    const served = new LocalPipe({ layout: 'float32_3', name: 'power' });
    const server = new PipeServer({ pipes: { power: served }, transport: 'websocket', token: 'ws-token' });
    const { port } = await server.start();
    const opts = { port, stream: 'power', layout: 'float32_3', transport: 'websocket' as const, token: 'ws-token' };
    const bad = new RemoteOutputPipe({ ...opts, token: 'nope' });
    await assert.rejects(bad.connect(), { code: 'TS_PIPE_AUTH' });
    const out = new RemoteOutputPipe(opts);
    const input = new RemoteInputPipe(opts);
    await out.connect();
    await input.connect();
    await out.write(rows(1, 3));
    await out.closeInterval();
    await out.write(rows(10, 2));
    await out.close();
    assert.deepEqual(blockRows(await input.read()), rows(1, 3));
    assert.equal(input.endOfInterval, true);
    input.consumeAll();
    assert.deepEqual(blockRows(await input.read()), rows(10, 2));
    input.consumeAll();
    await assert.rejects(input.read(), { code: 'TS_PIPE_EMPTY' });
    await input.close();
    await server.close();
  });

  test('cut connections are made again: nothing lost, nothing twice', async () => {
    const served = new LocalPipe({ layout: 'float32_3', name: 'power' });
    const server = new PipeServer({ pipes: { power: served }, transport: 'websocket' });
    const { port } = await server.start();
    const net = await relay(port);
    const opts = { port: net.port, stream: 'power', layout: 'float32_3', transport: 'websocket' as const, retryMs: 20 };
    const out = new RemoteOutputPipe(opts);
    const input = new RemoteInputPipe(opts);
    await out.connect();
    await input.connect();
    const { seen, done: reading } = readAllTimestamps(input);
    for (let k = 0; k < 30; k++) {
      await out.write(rows(k * 100, 100));
      if (k % 10 === 5) net.cut();
    }
    await out.close();
    await reading;
    assert.deepEqual(
      seen,
      Array.from({ length: 3000 }, (_, i) => i),
    );
    await input.close();
    await server.close();
    net.server.close();
  });
});
