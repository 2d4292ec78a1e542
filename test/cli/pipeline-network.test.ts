// `twinstream run` on the example pipelines whose inputs are servers (HTTP, TCP, WebSocket) or an MQTT broker
// (Debian's mosquitto): the real CLI in a child process, real clients, the output read from its stdout.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { mosquittoPath, startMosquitto, type TestBroker } from '../connectors/mqtt/brokers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const EXAMPLES = join(ROOT, 'examples/pipelines');

interface Running {
  child: ChildProcess;
  stdout(): string[];
  stderr(): string;
  /** The port the pipeline's server input listens on, from its log. */
  port(): Promise<number>;
  /** Waits until stdout has `n` lines. */
  lines(n: number): Promise<string[]>;
  exit(): Promise<number | null>;
}

function start(example: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MAIN, 'run', join(EXAMPLES, example)], {
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  const until = async (ok: () => boolean, what: string) => {
    for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ok(), `${what}; stderr: ${err}`);
  };
  const stdout = () => out.split('\n').filter(Boolean);
  return {
    child,
    stdout,
    stderr: () => err,
    port: async () => {
      await until(() => /listening on/.test(err), 'the input listens');
      const line = err.split('\n').find((l) => l.includes('listening on'))!;
      return JSON.parse(line).port as number;
    },
    lines: async (n) => {
      await until(() => stdout().length >= n, `${n} lines on stdout`);
      return stdout();
    },
    exit: () => exited,
  };
}

const stopped = async (p: Running) => {
  p.child.kill('SIGTERM');
  assert.equal(await p.exit(), 0, p.stderr());
};

test('http-ingest: readings POSTed as NDJSON are answered 202 and come out in Celsius', async () => {
  const p = start('http-ingest.yaml', { HTTP_PORT: '0' });
  const port = await p.port();
  const body = [
    { sensor: 'room-1', fahrenheit: 212 },
    { sensor: 'room-2', fahrenheit: -999 },
    { sensor: 'room-2', fahrenheit: 32 },
  ]
    .map((x) => JSON.stringify(x))
    .join('\n');
  const res = await fetch(`http://127.0.0.1:${port}/readings`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  assert.equal(res.status, 202);
  const lines = (await p.lines(2)).map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((x) => [x.sensor, x.celsius]),
    [
      ['room-1', 100],
      ['room-2', 0],
    ],
  );
  await stopped(p);
});

test('tcp-ndjson: lines from two clients, one reading each, selected down to sensor and celsius', async () => {
  const p = start('tcp-ndjson.yaml', { TCP_PORT: '0' });
  const port = await p.port();
  for (const reading of [
    { sensor: 'a', fahrenheit: 50, battery: 1 },
    { sensor: 'b', fahrenheit: 68, battery: 1 },
  ]) {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(`${JSON.stringify(reading)}\n`));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
  }
  const lines = (await p.lines(2)).map((l) => JSON.parse(l)).sort((x, y) => x.sensor.localeCompare(y.sensor));
  assert.deepEqual(lines, [
    { sensor: 'a', celsius: 10 },
    { sensor: 'b', celsius: 20 },
  ]);
  await stopped(p);
});

test('websocket-server: JSON messages of a client come out in Celsius', async () => {
  const p = start('websocket-server.yaml', { WS_PORT: '0' });
  const port = await p.port();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/readings`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ sensor: 'hall', fahrenheit: 86 }));
  ws.send(JSON.stringify({ sensor: 'hall', fahrenheit: 95 }));
  const lines = (await p.lines(2)).map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { sensor: 'hall', celsius: 30 },
    { sensor: 'hall', celsius: 35 },
  ]);
  ws.close();
  await stopped(p);
});

const mosquitto = mosquittoPath();
let broker: TestBroker | null = null;
after(async () => broker?.stop());

test('mqtt-bridge: readings from mosquitto, published back in Celsius; the limit ends the run', async () => {
  assert.ok(mosquitto, 'mosquitto is not installed (apt-get install mosquitto)');
  broker = await startMosquitto(mosquitto);
  const client = await mqtt.connectAsync(broker.url);
  const celsius: unknown[] = [];
  await client.subscribeAsync('plant/celsius', { qos: 1 });
  client.on('message', (_topic, payload) => celsius.push(JSON.parse(payload.toString())));
  const p = start('mqtt-bridge.yaml', { MQTT_URL: broker.url, MQTT_LIMIT: '3' });
  // Published until the pipeline has taken three (it may subscribe after the first ones): the limit stops it.
  let code: number | null | undefined;
  void p.exit().then((c) => (code = c));
  for (let i = 0; code === undefined && i < 200; i++) {
    await client.publishAsync('plant/line-1/fahrenheit', JSON.stringify({ sensor: 'line-1', fahrenheit: 50 + i }), {
      qos: 1,
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await p.exit(), 0, p.stderr());
  const printed = p.stdout().map((l) => JSON.parse(l));
  assert.equal(printed.length, 3);
  for (const x of printed) assert.equal(x.celsius, Math.round((((x.fahrenheit - 32) * 5) / 9) * 100) / 100);
  for (let i = 0; celsius.length < 3 && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(celsius, printed);
  await client.endAsync();
});
