// Network connectors against the raw library alone, side by side in one process, alternating runs:
//   HTTP: NDJSON batches POSTed to Stream.fromHttpServer -> sink, against a node:http server that reads the body,
//         splits it and JSON.parses each line (no graph, no acknowledgement). Elements/s and requests/s.
//   MQTT: messages published (QoS 0 and 1) through Debian's mosquitto to Stream.fromMqtt -> sink, against an mqtt.js
//         client counting its 'message' events. Messages/s.
// Prints the medians and the ratio twinstream/raw (higher is better; the target is >= 0.8).
//   node bench/connectors-net.ts [--quick]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import '../src/connectors/http/index.ts';
import '../src/connectors/mqtt/index.ts';
import { Stream } from '../src/index.ts';
import { mosquittoPath, startMosquitto } from '../test/connectors/mqtt/brokers.ts';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const REQUESTS = quick ? 400 : 2000;
const PER_REQUEST = 500;
const MESSAGES = quick ? 20_000 : 100_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const body = Array.from({ length: PER_REQUEST }, (_, i) =>
  JSON.stringify({ t: i, sensor: `s${i % 16}`, v: i * 0.5 }),
).join('\n');

/** POSTs REQUESTS bodies, 8 at a time; returns the seconds taken. */
async function drive(url: string): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      await r.arrayBuffer();
      if (r.status !== 202) throw new Error(`status ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return (performance.now() - t0) / 1000;
}

async function httpTwinstream(): Promise<number> {
  const source = Stream.fromHttpServer<{ v: number }>({ maxQueuedRequests: 64 });
  let sum = 0;
  source.sink((x) => {
    sum += x.v;
  });
  source.start();
  const { port } = await source.listening;
  const s = await drive(`http://127.0.0.1:${port}/`);
  source.stop();
  await source.done;
  if (sum === 0) throw new Error('nothing arrived');
  return s;
}

async function httpRaw(): Promise<number> {
  let sum = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) if (line !== '') sum += JSON.parse(line).v;
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s = await drive(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  server.closeAllConnections();
  server.close();
  if (sum === 0) throw new Error('nothing arrived');
  return s;
}

/** Publishes MESSAGES to `topic` once `received()` is ready; returns the seconds until all arrived. */
async function publishAll(url: string, qos: 0 | 1, received: () => number): Promise<number> {
  const pub = await mqtt.connectAsync(url);
  const payload = JSON.stringify({ t: 1, sensor: 's1', v: 0.5 });
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    pub.publish('bench/s1', payload, { qos });
    // At most 500 in flight: mosquitto drops what passes its queue of 1000 per client (max_queued_messages).
    while (i - received() > 500) await new Promise((r) => setImmediate(r));
  }
  while (received() < MESSAGES) await new Promise((r) => setTimeout(r, 2));
  const s = (performance.now() - t0) / 1000;
  await pub.endAsync();
  return s;
}

async function mqttTwinstream(url: string, qos: 0 | 1): Promise<number> {
  const source = Stream.fromMqtt<{ v: number }>(url, 'bench/+', { qos });
  let n = 0;
  source.sink(() => {
    n++;
  });
  source.start();
  await source.ready;
  const s = await publishAll(url, qos, () => n);
  source.stop();
  await source.done;
  return s;
}

async function mqttRaw(url: string, qos: 0 | 1): Promise<number> {
  const sub = await mqtt.connectAsync(url);
  let n = 0;
  sub.on('message', (_t, payload) => {
    JSON.parse(payload.toString('utf8'));
    n++;
  });
  await sub.subscribeAsync('bench/+', { qos });
  const s = await publishAll(url, qos, () => n);
  await sub.endAsync();
  return s;
}

async function compare(
  title: string,
  unit: string,
  count: number,
  ours: () => Promise<number>,
  raw: () => Promise<number>,
  also?: [string, number],
) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < REPS; i++) {
    a.push(await ours());
    b.push(await raw());
  }
  const oursRate = count / median(a);
  const rawRate = count / median(b);
  console.log(
    `${title.padEnd(44)} twinstream ${Math.round(oursRate).toLocaleString('en').padStart(11)} ${unit}   raw ${Math.round(rawRate).toLocaleString('en').padStart(11)} ${unit}   ratio ${(oursRate / rawRate).toFixed(2)}x`,
  );
  if (also) {
    const [u, k] = also;
    console.log(
      `${''.padEnd(44)} twinstream ${Math.round(k / median(a))
        .toLocaleString('en')
        .padStart(11)} ${u}  raw ${Math.round(k / median(b))
        .toLocaleString('en')
        .padStart(11)} ${u}`,
    );
  }
}

console.log(`network connectors, median of ${REPS} alternating runs (ratio = twinstream / raw library)`);
await compare(
  `HTTP NDJSON ingest (${PER_REQUEST}/request, 8 clients)`,
  'el/s',
  REQUESTS * PER_REQUEST,
  httpTwinstream,
  httpRaw,
  ['req/s', REQUESTS],
);
const binary = mosquittoPath();
if (binary === null) throw new Error("the MQTT benchmark needs Debian's mosquitto");
const broker = await startMosquitto(binary);
try {
  await compare(
    'MQTT QoS 0 via mosquitto -> sink',
    'msg/s',
    MESSAGES,
    () => mqttTwinstream(broker.url, 0),
    () => mqttRaw(broker.url, 0),
  );
  await compare(
    'MQTT QoS 1 via mosquitto -> sink',
    'msg/s',
    MESSAGES,
    () => mqttTwinstream(broker.url, 1),
    () => mqttRaw(broker.url, 1),
  );
} finally {
  await broker.stop();
}
