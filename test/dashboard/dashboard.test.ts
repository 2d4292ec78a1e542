// The dashboard's server without a browser: its frames, its caps, the token beyond loopback, the slow-page policy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { Stream } from '../../src/core/index.ts';
import {
  Dashboard,
  decodePointsFrame,
  enableMetrics,
  encodePointsFrame,
  MAX_SERIES,
  SeriesRing,
} from '../../src/dashboard/index.ts';

function registry() {
  const values: Record<string, number> = { 'Line.resources.lathe.currentCap': 4 };
  return {
    values,
    get: (path: string) => values[path],
    update(path: string, value: unknown) {
      if ((value as number) > 6) throw new Error(`${path} = ${value} is above maxCap 6`);
      values[path] = value as number;
    },
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}api/parameters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('SeriesRing and the binary frames', () => {
  test('a ring keeps the newest points; a frame carries what a reader has not seen, aligned', () => {
    const a = new SeriesRing('a', 4);
    const b = new SeriesRing('b', 4);
    for (let i = 0; i < 6; i++) a.add(1000 * i, i);
    b.add(5, 50);
    const seen = [0, 1];
    const frame = encodePointsFrame([a, b], seen)!;
    assert.equal(frame.byteLength, 8 + 8 + 16 * 4);
    assert.deepEqual(seen, [6, 1]);
    const [series] = decodePointsFrame(frame);
    assert.equal(series!.series, 0);
    assert.deepEqual([...series!.times], [2000, 3000, 4000, 5000]);
    assert.deepEqual([...series!.values], [2, 3, 4, 5]);
    assert.equal(encodePointsFrame([a, b], seen), null, 'nothing new, no frame');
  });
});

describe('Dashboard', () => {
  test('refuses sizes past their caps, at construction', () => {
    assert.throws(() => new Dashboard({ rate: 60 }), { code: 'TS_BAD_ARGUMENT', message: /rate/ });
    assert.throws(() => new Dashboard({ points: 1e7 }), { code: 'TS_BAD_ARGUMENT', message: /points/ });
    assert.throws(() => new Dashboard({ host: '0.0.0.0', token: 'short' }), { message: /token/ });
    const d = new Dashboard();
    const s = new Stream<number>();
    for (let i = 0; i < 32; i++) d.plot(s, { name: `s${i}`, time: (x) => x, value: (x) => x });
    assert.throws(() => d.plot(s, { name: 'one more', time: (x) => x, value: (x) => x }), /at most 32/);
  });

  test('on loopback: frames of new points, state with metrics, /metrics, controls without a token', async () => {
    const source = new Stream<{ t: number; v: number }>({ name: 'readings' });
    const metrics = enableMetrics([source]);
    const target = registry();
    const d = new Dashboard({
      rate: 30,
      metrics,
      parameters: { target, controls: [{ path: 'Line.resources.lathe.currentCap', min: 0, max: 10 }] },
    });
    d.plot(source, { name: 'v', time: (r) => r.t, value: (r) => r.v });
    const url = await d.start();
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const ws = new WebSocket(`${url.replace('http', 'ws')}ws`);
      const frames: Buffer[] = [];
      const texts: { type: string }[] = [];
      ws.on('message', (data, binary) => (binary ? frames.push(data as Buffer) : texts.push(JSON.parse(String(data)))));
      await new Promise((r) => ws.once('open', r));
      for (let i = 0; i < 10; i++) source.emit({ t: 1000 * i, v: i * i });
      while (frames.length === 0 || !texts.some((t) => t.type === 'state')) await new Promise((r) => setTimeout(r, 20));
      assert.equal(texts[0]!.type, 'hello');
      const points = frames.flatMap((f) => decodePointsFrame(new Uint8Array(f)).flatMap((s) => [...s.values]));
      assert.deepEqual(points, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      ws.close();

      assert.match(
        await (await fetch(`${url}metrics`)).text(),
        /twinstream_node_elements_out_total\{node="readings",kind="stream"\} 10/,
      );
      assert.equal((await post(url, { path: 'Line.resources.lathe.currentCap', value: 5 })).status, 200);
      assert.equal(target.values['Line.resources.lathe.currentCap'], 5);
      const refused = await post(url, { path: 'Line.resources.lathe.currentCap', value: 9 });
      assert.equal(refused.status, 400);
      assert.match(((await refused.json()) as { error: string }).error, /above maxCap 6/);
      assert.equal((await post(url, { path: 'Line.resources.lathe.currentCap', value: 11 })).status, 400);
      assert.equal((await post(url, { path: 'nowhere', value: 1 })).status, 404);
      assert.equal((await post(url, 'x'.repeat(10_000))).status, 413);
      assert.equal((await post(url, { path: 'x', value: 1 }, { origin: 'http://elsewhere.example' })).status, 403);
      const form = await fetch(`${url}api/parameters`, { method: 'POST', body: 'path=x' });
      assert.equal(form.status, 415);
    } finally {
      await d.stop();
    }
  });

  test('series named by the data: announced to open pages before their points; past MAX_SERIES refused', async () => {
    const d = new Dashboard({ rate: 30 });
    const url = await d.start();
    try {
      const ws = new WebSocket(`${url.replace('http', 'ws')}ws`);
      const names: string[][] = [];
      const points: [number, number[]][] = [];
      ws.on('message', (data, binary) => {
        const msg = binary ? null : JSON.parse(String(data));
        if (msg?.type === 'hello' || msg?.type === 'series') names.push(msg.series);
        if (binary)
          for (const f of decodePointsFrame(new Uint8Array(data as Buffer))) points.push([f.series, [...f.values]]);
      });
      await new Promise((r) => ws.once('open', r));
      assert.equal(d.point('room-2.celsius', 1000, 19), true);
      assert.equal(d.point('room-1.celsius', 1000, 21.5), true);
      assert.equal(d.point('room-2.celsius', 2000, 19.5), true);
      while (points.length < 2) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(names.at(-1), ['room-2.celsius', 'room-1.celsius']);
      assert.deepEqual(points.sort(), [
        [0, [19, 19.5]],
        [1, [21.5]],
      ]);
      for (let i = 2; i < MAX_SERIES; i++) d.point(`s${i}`, 0, i);
      assert.equal(d.point('one too many', 0, 1), false);
      assert.equal(d.stats.pointsRefused, 1);
      ws.close();
    } finally {
      await d.stop();
    }
  });

  test('bound beyond loopback, the controls need the token', async () => {
    const target = registry();
    const d = new Dashboard({
      host: '0.0.0.0',
      parameters: { target, controls: [{ path: 'Line.resources.lathe.currentCap', min: 0, max: 10 }] },
    });
    const url = await d.start();
    try {
      const token = /#token=(.+)$/.exec(url)![1]!;
      assert.ok(token.length >= 16);
      const local = url.replace('0.0.0.0', '127.0.0.1').replace(/#.*$/, '');
      const body = { path: 'Line.resources.lathe.currentCap', value: 2 };
      assert.equal((await post(local, body)).status, 401);
      assert.equal((await post(local, body, { authorization: 'Bearer wrong-token-of-some-length' })).status, 401);
      assert.equal(target.values['Line.resources.lathe.currentCap'], 4);
      assert.equal((await post(local, body, { authorization: `Bearer ${token}` })).status, 200);
      assert.equal(target.values['Line.resources.lathe.currentCap'], 2);
    } finally {
      await d.stop();
    }
  });

  test('more pages than maxClients: the extra one is closed with 1013', async () => {
    const d = new Dashboard({ maxClients: 1 });
    const url = await d.start();
    try {
      const ws = `${url.replace('http', 'ws')}ws`;
      const first = new WebSocket(ws);
      await new Promise((r) => first.once('open', r));
      const second = new WebSocket(ws);
      const code = await new Promise<number>((r) => second.once('close', (c) => r(c)));
      assert.equal(code, 1013);
      assert.equal(d.stats.clientsDropped, 1);
      first.close();
    } finally {
      await d.stop();
    }
  });

  test('a page that does not read: its frames are coalesced, then it is disconnected; the others go on', async () => {
    const source = new Stream<number>();
    const d = new Dashboard({ points: 100_000, rate: 30, maxBufferedBytes: 64 * 1024, slowClientTimeout: 300 });
    d.plot(source, { name: 'fast', time: (x) => x, value: (x) => x });
    const url = new URL(await d.start());
    try {
      // A WebSocket client by hand that completes the handshake and then never reads a byte.
      const stalled = connect(Number(url.port), url.hostname);
      await new Promise((r) => stalled.once('connect', r));
      stalled.write(
        `GET /ws HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await new Promise((r) => stalled.once('data', r));
      stalled.pause();
      const reader = new WebSocket(`ws://${url.host}/ws`);
      let received = 0;
      reader.on('message', (data: Buffer, binary) => {
        if (binary) received += decodePointsFrame(new Uint8Array(data)).reduce((n, s) => n + s.values.length, 0);
      });
      await new Promise((r) => reader.once('open', r));
      let t = 0;
      const deadline = performance.now() + 20_000;
      while (d.stats.clientsDropped === 0 && performance.now() < deadline) {
        for (let i = 0; i < 20_000; i++) source.emit(t++);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(d.stats.clientsDropped, 1, 'the page that never read was dropped');
      assert.ok(d.stats.framesCoalesced > 0);
      assert.equal(d.stats.clients, 1);
      while (received < t && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(received, t, 'the page that reads got every point');
      reader.close();
      stalled.destroy();
    } finally {
      await d.stop();
    }
  });
});
