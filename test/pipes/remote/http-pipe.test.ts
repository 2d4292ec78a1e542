import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockRows, LocalPipe, PipeHttpServer, parseLayout } from '../../../src/pipes/index.ts';
import { FrameReader } from '../../../src/pipes/remote/frame-reader.ts';
import { decodeData, encodeData, encodeNumber, FRAME, HEADER_BYTES } from '../../../src/pipes/remote/wire.ts';

const layout = parseLayout('int16_2');
const block = (rows: number[][]) => ({
  timestamps: Float64Array.from(rows, (r) => r[0]!),
  data: Int16Array.from(rows.flatMap((r) => r.slice(1))),
});
/** Joule's raw rows: what its clients POST. */
const rawRows = (rows: number[][]) => Buffer.from(encodeData(layout, 0, block(rows)).subarray(HEADER_BYTES + 8));

describe('pipes over HTTP', () => {
  test('POST raw rows (Joule) and frames with an interval; GET streams them as frames', async () => {
    const power = new LocalPipe({ layout: 'int16_2', name: 'power' });
    const server = new PipeHttpServer({ pipes: { power }, token: 't0k' });
    const { port } = await server.start();
    const url = `http://127.0.0.1:${port}/data?stream=power`;
    const auth = { authorization: 'Bearer t0k' };
    let r = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: rawRows([
        [1, 1, 2],
        [2, 3, 4],
      ]),
    });
    assert.equal(r.status, 204);
    const frames = Buffer.concat([
      encodeNumber(FRAME.interval, 1),
      encodeData(layout, 2, block([[0 + 10, 0, 0]])),
      encodeNumber(FRAME.close, 3),
    ]);
    r = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-twinstream-frames' },
      body: frames,
    });
    assert.equal(r.status, 204);

    const got = await fetch(url, { headers: auth });
    const reader = new FrameReader(1 << 20);
    const events: unknown[] = [];
    for await (const chunk of got.body as AsyncIterable<Uint8Array>) {
      reader.push(chunk, (f) => events.push(f[4] === FRAME.data ? blockRows(decodeData(layout, f).block) : f[4]));
    }
    assert.deepEqual(events, [
      [
        [1, 1, 2],
        [2, 3, 4],
      ],
      FRAME.interval,
      [[10, 0, 0]],
      FRAME.close,
    ]);
    await server.close();
  });

  test('bad requests: wrong token, unknown stream, a cut row, non-increasing timestamps — with the reason', async () => {
    const power = new LocalPipe({ layout: 'int16_2', name: 'power' });
    const server = new PipeHttpServer({ pipes: { power }, token: 't0k', maxBodyBytes: 4096 });
    const { port } = await server.start();
    const post = (stream: string, body: Buffer, token = 't0k') =>
      fetch(`http://127.0.0.1:${port}/data?stream=${stream}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(body),
      });
    let r = await post('power', rawRows([[1, 1, 1]]), 'nope');
    assert.equal(r.status, 401);
    assert.equal((await r.json()).code, 'TS_PIPE_AUTH');
    r = await post('nope', rawRows([[1, 1, 1]]));
    assert.equal(r.status, 404);
    r = await post(
      'power',
      rawRows([
        [1, 1, 1],
        [2, 2, 2],
      ]).subarray(0, 20),
    );
    assert.equal(r.status, 400);
    assert.match((await r.json()).message, /ends inside a row/);
    r = await post(
      'power',
      rawRows([
        [5, 1, 1],
        [4, 2, 2],
      ]),
    );
    assert.equal(r.status, 400);
    assert.match((await r.json()).message, /row 1: timestamp 4 is not greater than 5/);
    r = await post('power', Buffer.alloc(8192));
    assert.equal(r.status, 413);
    assert.deepEqual(blockRows(power.readNowait()), [[1, 1, 1]], 'the whole rows before the cut one are in');
    await server.close();
  });
});
