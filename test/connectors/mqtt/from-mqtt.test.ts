import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { MqttClient } from '../../../src/connectors/mqtt/index.ts';
import type { MalformedInput } from '../../../src/connectors/source/index.ts';
import { Stream } from '../../../src/index.ts';
import { fuzzParameters } from '../../support/fuzz.ts';
import { mosquittoPath, startAedes, startMosquitto, type TestBroker } from './brokers.ts';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function suite(name: string, startBroker: () => Promise<TestBroker>): void {
  describe(`Stream.fromMqtt and toMqtt against ${name}`, () => {
    let broker: TestBroker;
    before(async () => {
      broker = await startBroker();
    });
    after(() => broker.stop());

    test('wildcards, JSON values, and a round trip through toMqtt', async () => {
      const source = Stream.fromMqtt<{ t: number }>(broker.url, 'plant/+/temp', { qos: 1 });
      const got: [string, number][] = [];
      source.sink((m) => got.push([m.topic, m.value.t]));
      source.start();
      await source.ready;
      const feed = Stream.fromIterable([1, 2, 3]);
      const sink = feed
        .map((t) => ({ line: t % 2 === 0 ? 'b' : 'a', t }))
        .toMqtt(broker.url, (x) => `plant/${x.line}/temp`);
      feed.start();
      await feed.done;
      assert.equal(sink.sent, 3);
      await until(() => got.length === 3);
      assert.deepEqual(got.sort(), [
        ['plant/a/temp', 1],
        ['plant/a/temp', 3],
        ['plant/b/temp', 2],
      ]);
      source.stop();
      await source.done;
    });

    test('QoS 1: the PUBACK waits for the graph; a message in work when the source stops comes again', async () => {
      const clientId = `twinstream-test-${name}-${process.pid}`;
      const first = Stream.fromMqtt<number>(broker.url, 'resume/#', { qos: 1, clientId, clean: false });
      let release!: () => void;
      const blocked = new Promise<void>((r) => (release = r));
      const seen: number[] = [];
      first.sink(async (m) => {
        seen.push(m.value);
        await blocked; // never acknowledged before the stop
      });
      first.start();
      await first.ready;
      const pub = new MqttClient({ url: broker.url });
      await pub.publish('resume/x', '7', { qos: 1 });
      await until(() => seen.length === 1);
      first.stop();
      release();
      await first.done.catch(() => {});
      const second = Stream.fromMqtt<number>(broker.url, 'resume/#', { qos: 1, clientId, clean: false });
      const again: number[] = [];
      second.sink((m) => again.push(m.value));
      second.start();
      await until(() => again.length >= 1);
      assert.deepEqual(again, [7]);
      second.stop();
      await second.done;
      await pub.close();
    });

    test('2,000 hostile payloads mixed with good ones: every good one arrives once, the source goes on', async () => {
      const source = Stream.fromMqtt<{ n: number }>(broker.url, 'fuzz/#', { qos: 1, maxMessageBytes: 4096 });
      const good = new Map<number, number>();
      const bad: MalformedInput[] = [];
      source.sink((m) => {
        if (m.topic === 'fuzz/good') good.set(m.value.n, (good.get(m.value.n) ?? 0) + 1);
      });
      source.malformedInput().sink((m) => bad.push(m));
      source.start();
      await source.ready;
      const pub = new MqttClient({ url: broker.url });
      const hostile = fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        fc.string().map((s) => Buffer.from(`{"n":${s}`)),
        fc.constant(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), // invalid UTF-8
        fc.constant(Buffer.alloc(5000, 0x20)), // too large
      );
      const inputs = fc.sample(hostile, { numRuns: 2000, seed: fuzzParameters(1).seed as number });
      let expectedBad = 0;
      let n = 0;
      for (let i = 0; i < inputs.length; i++) {
        const payload = inputs[i]!;
        let refused = payload.length > 4096 || !Buffer.from(payload.toString('utf8')).equals(payload);
        try {
          JSON.parse(payload.toString('utf8'));
        } catch {
          refused = true;
        }
        if (refused) expectedBad++;
        await pub.publish(`fuzz/${i}`, payload, { qos: 0 });
        if (i % 4 === 0) await pub.publish('fuzz/good', JSON.stringify({ n: n++ }), { qos: 1 });
      }
      await pub.publish('fuzz/good', JSON.stringify({ n: n++ }), { qos: 1 });
      await until(() => good.size === n && source.malformed === expectedBad, 30_000);
      assert.ok(expectedBad > 1500, `${expectedBad} hostile inputs`);
      assert.ok([...good.values()].every((c) => c === 1));
      assert.equal(bad.length, expectedBad);
      assert.ok((source.malformedBy.get('invalid-utf8') ?? 0) > 0);
      assert.ok((source.malformedBy.get('too-large') ?? 0) > 0);
      assert.ok((source.malformedBy.get('invalid-json') ?? 0) > 0);
      source.stop();
      await source.done;
      await pub.close();
    });
  });
}

suite('aedes', startAedes);
const binary = mosquittoPath();
if (binary === null) throw new Error("the MQTT tests need Debian's mosquitto (apt-get install mosquitto)");
suite('mosquitto', () => startMosquitto(binary));

test('MQTT 5 against mosquitto: a QoS 1 message through fromMqtt and toMqtt', async () => {
  const broker = await startMosquitto(binary);
  try {
    const source = Stream.fromMqtt<string>(broker.url, 'v5/#', { protocolVersion: 5, value: 'string' });
    const got: string[] = [];
    source.sink((m) => got.push(`${m.topic} ${m.value}`));
    source.start();
    await source.ready;
    const feed = Stream.fromIterable(['hello']);
    feed.toMqtt(broker.url, 'v5/greeting', { protocolVersion: 5 });
    feed.start();
    await feed.done;
    await until(() => got.length === 1);
    assert.deepEqual(got, ['v5/greeting hello']);
    source.stop();
    await source.done;
  } finally {
    await broker.stop();
  }
});

test('Stream.fromMqtt refuses a bad url, filter, qos or value format at construction', () => {
  assert.throws(() => Stream.fromMqtt('http://x', 'a'), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromMqtt('mqtt://127.0.0.1:1', 'a/#/b'), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromMqtt('mqtt://127.0.0.1:1', 'a', { qos: 2 as never }), { code: 'TS_BAD_ARGUMENT' });
  assert.throws(() => Stream.fromMqtt('mqtt://127.0.0.1:1', 'a', { value: 'xml' as never }), {
    code: 'TS_BAD_ARGUMENT',
  });
});

/** aedes on a given port (0: a free one). */
async function aedesOn(port: number): Promise<{ port: number; stop(): Promise<void> }> {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle as never);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('Stream.fromMqtt reconnects and subscribes again after the broker went away', async () => {
  let broker = await aedesOn(0);
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const source = Stream.fromMqtt<number>(url, 'r/#', { reconnectPeriod: 100 });
  const got: number[] = [];
  source.sink((m) => got.push(m.value));
  source.start();
  await source.ready;
  const pub = new MqttClient({ url });
  await pub.publish('r/a', '1');
  await until(() => got.length === 1);
  await pub.close();
  await broker.stop();
  broker = await aedesOn(broker.port);
  const again = new MqttClient({ url });
  // Published until the source has subscribed on the new broker.
  while (!got.includes(2)) {
    await again.publish('r/a', '2', { qos: 0 });
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(got[0], 1);
  assert.ok(got.slice(1).every((x) => x === 2));
  await again.close();
  source.stop();
  await source.done;
  await broker.stop();
});
