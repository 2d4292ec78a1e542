import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { blockRows, LocalPipe, PipeServer, RemoteInputPipe, RemoteOutputPipe } from '../../../src/pipes/index.ts';
import { parseLayout } from '../../../src/pipes/layout.ts';
import { encodeData, encodeJson, FRAME } from '../../../src/pipes/remote/wire.ts';
import { readAllTimestamps, relay } from './cut-relay.ts';

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => [from + i, i, -i, i / 2]);

describe('remote pipes over TCP', () => {
  test('rows, interval breaks and the close go writer -> server pipe -> reader, in order', async () => {
    const served = new LocalPipe({ layout: 'float32_3', name: 'power' });
    const server = new PipeServer({ pipes: { power: served } });
    const { port } = await server.start();
    const out = new RemoteOutputPipe({ port, stream: 'power', layout: 'float32_3' });
    const input = new RemoteInputPipe({ port, stream: 'power', layout: 'float32_3' });
    await out.connect();
    await input.connect();
    await out.write(rows(1, 3));
    await out.closeInterval();
    await out.write({ timestamps: new BigInt64Array([10n, 11n]), data: new Float32Array([0, 0, 0, 1, 1, 1]) });
    await out.close();
    assert.deepEqual(blockRows(await input.read()), rows(1, 3));
    assert.equal(input.endOfInterval, true);
    input.consumeAll();
    assert.deepEqual(blockRows(await input.read()), [
      [10, 0, 0, 0],
      [11, 1, 1, 1],
    ]);
    assert.equal(input.endOfInterval, false);
    input.consumeAll();
    await assert.rejects(input.read(), { code: 'TS_PIPE_EMPTY' });
    await input.close();
    await server.close();
  });

  test('every layout survives the wire, int64 values and large timestamps included', async () => {
    for (const name of ['int8_2', 'uint16_3', 'int32_1', 'int64_2', 'float64_8', 'uint8_5']) {
      const served = new LocalPipe({ layout: name, name: 's' });
      const server = new PipeServer({ pipes: { s: served } });
      const { port } = await server.start();
      const out = new RemoteOutputPipe({ port, stream: 's', layout: name });
      const l = parseLayout(name);
      const ts = new Float64Array([1_733_450_000_000_000, 1_733_450_000_000_001, -5 + 2 ** 52]);
      const data = new l.DataArray(3 * l.width);
      for (let i = 0; i < data.length; i++) (data as any)[i] = l.bigint ? BigInt(i * 1_000_000_007) : (i * 7) % 100;
      await out.write({ timestamps: ts, data });
      await out.close();
      const got = await served.readAll();
      assert.deepEqual(Array.from(got.timestamps), Array.from(ts), name);
      assert.deepEqual(Array.from(got.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>), name);
      await server.close();
    }
  });

  test('back pressure: a writer waits while the served pipe is behind its writeLimit', async () => {
    const served = new LocalPipe({ layout: 'float64_1', name: 's', writeLimit: 10 });
    const server = new PipeServer({ pipes: { s: served } });
    const { port } = await server.start();
    const out = new RemoteOutputPipe({ port, stream: 's', layout: 'float64_1', window: 2 });
    await out.connect();
    let written = 0;
    const writer = (async () => {
      for (let k = 0; k < 20; k++) {
        await out.write([
          [k * 10 + 1, k],
          [k * 10 + 2, k],
          [k * 10 + 3, k],
          [k * 10 + 4, k],
          [k * 10 + 5, k],
          [k * 10 + 6, k],
        ]);
        written++;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(written < 5, `the writer is held back (${written} blocks written)`);
    let got = 0;
    while (got < 120) {
      const b = await served.read();
      got += b.timestamps.length;
      served.consumeAll();
    }
    await writer;
    assert.equal(written, 20);
    await out.close();
    await server.close();
  });

  test('a cut connection is made again: no block lost, none written twice', async () => {
    const served = new LocalPipe({ layout: 'float32_3', name: 'power' });
    const server = new PipeServer({ pipes: { power: served } });
    const { port } = await server.start();
    const net = await relay(port);
    const out = new RemoteOutputPipe({ port: net.port, stream: 'power', layout: 'float32_3', retryMs: 20 });
    const input = new RemoteInputPipe({ port: net.port, stream: 'power', layout: 'float32_3', retryMs: 20 });
    await out.connect();
    await input.connect();
    const { seen, done: reading } = readAllTimestamps(input);
    for (let k = 0; k < 50; k++) {
      await out.write(rows(k * 100, 100));
      if (k % 10 === 5) net.cut();
    }
    await out.close();
    await reading;
    assert.equal(seen.length, 5000);
    assert.deepEqual(
      seen,
      Array.from({ length: 5000 }, (_, i) => Math.floor(i / 100) * 100 + (i % 100)),
    );
    await input.close();
    await server.close();
    net.server.close();
  });

  test('a reader that dies gets, when it comes back, exactly what it had not consumed', async () => {
    const served = new LocalPipe({ layout: 'int16_1', name: 's' });
    const server = new PipeServer({ pipes: { s: served } });
    const { port } = await server.start();
    served.writeNowait(Array.from({ length: 10 }, (_, i) => [i + 1, i]));
    const first = new RemoteInputPipe({ port, stream: 's', layout: 'int16_1' });
    await first.connect();
    const b = await first.read();
    assert.equal(b.timestamps.length, 10);
    first.consume(4);
    while (served.unconsumed > 6) await new Promise((r) => setImmediate(r));
    first.destroy();
    const second = new RemoteInputPipe({ port, stream: 's', layout: 'int16_1' });
    await second.connect();
    assert.deepEqual(Array.from((await second.read()).timestamps), [5, 6, 7, 8, 9, 10]);
    await second.close();
    await server.close();
  });

  test('bad peers are refused with the reason, and the server goes on serving the others', async () => {
    const served = new LocalPipe({ layout: 'float32_3', name: 'power' });
    const server = new PipeServer({ pipes: { power: served }, token: 's3cret', maxFrameBytes: 4096 });
    const { port } = await server.start();
    const wrong = new RemoteOutputPipe({ port, stream: 'power', layout: 'float32_3', token: 'nope' });
    await assert.rejects(
      wrong.connect(),
      (e: any) => e.code === 'TS_PIPE_AUTH' && /wrong or missing token/.test(e.message),
    );
    const layout = new RemoteOutputPipe({ port, stream: 'power', layout: 'float32_2', token: 's3cret' });
    await assert.rejects(layout.connect(), /stream "power" has layout float32_3, not float32_2/);
    const unknown = new RemoteInputPipe({ port, stream: 'nope', layout: 'float32_3', token: 's3cret' });
    await assert.rejects(unknown.connect(), { code: 'TS_PIPE_UNKNOWN_STREAM' });

    // A raw client: an oversized frame header, then one that vanishes mid-frame.
    const raw = async (bytes: Uint8Array[], end: 'wait' | 'destroy'): Promise<string> => {
      const s = connect(port, '127.0.0.1');
      const got: Buffer[] = [];
      s.on('data', (c) => got.push(c));
      for (const b of bytes) s.write(b);
      if (end === 'destroy') {
        await new Promise((r) => setTimeout(r, 50));
        s.destroy();
        return '';
      }
      await new Promise((r) => s.on('close', r));
      return Buffer.concat(got).toString('latin1');
    };
    const hello = encodeJson(FRAME.hello, {
      v: 1,
      role: 'write',
      stream: 'power',
      layout: 'float32_3',
      token: 's3cret',
      session: 'x',
    });
    const big = new Uint8Array(8);
    new DataView(big.buffer).setUint32(0, 1_000_000, true);
    big[4] = FRAME.data;
    assert.match(await raw([hello, big], 'wait'), /larger than maxFrameBytes = 4096/);
    const half = encodeData(parseLayout('float32_3'), 1, {
      timestamps: new Float64Array([1, 2]),
      data: new Float32Array(6),
    });
    await raw([hello, half.subarray(0, 20)], 'destroy');
    assert.equal(served.unconsumed, 0, 'nothing of a truncated frame reaches the pipe');

    const good = new RemoteOutputPipe({ port, stream: 'power', layout: 'float32_3', token: 's3cret' });
    await good.write([[5, 1, 2, 3]]);
    await good.close();
    assert.deepEqual(blockRows(await served.read()), [[5, 1, 2, 3]]);
    await server.close();
  });

  test('a block refused by the served pipe fails the remote writer, naming the timestamps', async () => {
    const served = new LocalPipe({ layout: 'float32_1', name: 's' });
    served.writeNowait([[100, 0]]);
    const server = new PipeServer({ pipes: { s: served } });
    const { port } = await server.start();
    const out = new RemoteOutputPipe({ port, stream: 's', layout: 'float32_1' });
    await out.connect();
    await out.write([[50, 1]]);
    await assert.rejects(
      out.close(),
      (e: any) => e.code === 'TS_PIPE_TIMESTAMPS' && /timestamp 50 is not greater than 100/.test(e.message),
    );
    assert.deepEqual(blockRows(served.readNowait()), [[100, 0]]);
    await server.close();
  });

  test('joule.streampipe.interval_token over TCP: a real all-zero row at timestamp 0 stays data', async () => {
    const served = new LocalPipe({ layout: 'float32_2', name: 's' });
    const server = new PipeServer({ pipes: { s: served } });
    const { port } = await server.start();
    const out = new RemoteOutputPipe({ port, stream: 's', layout: 'float32_2' });
    const input = new RemoteInputPipe({ port, stream: 's', layout: 'float32_2' });
    await input.connect();
    await out.closeInterval(); // before any row: nothing to close, as Joule
    await out.write([
      [0, 0, 0],
      [10, 1, 2],
    ]);
    await out.closeInterval();
    await out.write([[20, 1, 2]]);
    await out.close();
    assert.deepEqual(blockRows(await input.read()), [
      [0, 0, 0],
      [10, 1, 2],
    ]);
    assert.equal(input.endOfInterval, true);
    input.consumeAll();
    assert.deepEqual(blockRows(await input.read()), [[20, 1, 2]]);
    assert.equal(input.endOfStream, true);
    input.consumeAll();
    await assert.rejects(input.read(), { code: 'TS_PIPE_EMPTY' });
    await input.close();
    await server.close();
  });
});
