// The mqtt handler against aedes in-process (MQTT 3.1.1) and Debian's mosquitto (MQTT 5).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MqttClient } from '../../src/connectors/mqtt/client.ts';
import { DataStreamHandler, HandlerSet, type MqttHandler } from '../../src/handlers/index.ts';
import { mosquittoPath, startAedes, startMosquitto, type TestBroker } from '../connectors/mqtt/brokers.ts';

let aedes: TestBroker;
before(async () => {
  aedes = await startAedes();
});
after(() => aedes.stop());

async function roundTrip(url: string, protocolVersion: 4 | 5): Promise<void> {
  const topic = `plant/${protocolVersion}/weather`;
  await using h = DataStreamHandler.create({
    type: 'mqtt',
    config: { url, protocolVersion, topic: 'plant/+/weather', interpolation: 'linear', timeout: 5000 },
  }) as MqttHandler;
  h.addVariable(['room', 'outside'], 'T');
  h.addVariable(['room', 'heater'], 'P', { discrete: true });
  await h.start();
  const publisher = new MqttClient({ url, protocolVersion });
  try {
    const waiting = h.waitFor(2);
    await publisher.publish(topic, JSON.stringify({ t: 0, T: 10, P: 0 }));
    await publisher.publish(topic, JSON.stringify({ t: 2, T: 30, P: 500 }));
    await publisher.publish(topic, JSON.stringify({ t: 1, T: 20, P: 250 })); // late, placed in order
    await publisher.publish(topic, '{"t": 3, "T": "warm"}');
    await publisher.publish(topic, JSON.stringify({ t: 4, T: 50, P: 500 }));
    await waiting;
    await h.waitFor(4);
    assert.deepEqual(h.getData(0.5), { 'room.outside': 15, 'room.heater': 0 });
    assert.deepEqual(h.getData(1.5), { 'room.outside': 25, 'room.heater': 250 });
    assert.deepEqual(h.getData(3), { 'room.outside': 40, 'room.heater': 500 });
    assert.equal(h.errorCount, 1);
    assert.deepEqual(h.errors[0], { offset: `${topic}#3`, reason: '"T" = "warm" is not a number' });
    assert.equal(h.nextEvent(0), 1);
  } finally {
    await publisher.close();
  }
}

test('messages published to a topic filter are read at any time (aedes, MQTT 3.1.1)', () => roundTrip(aedes.url, 4));

test('the same against Debian mosquitto, MQTT 5', async () => {
  const binary = mosquittoPath();
  assert.ok(binary !== null, 'mosquitto is not installed: apt-get install mosquitto (npm test installs it as root)');
  const mosquitto = await startMosquitto(binary);
  try {
    await roundTrip(mosquitto.url, 5);
  } finally {
    await mosquitto.stop();
  }
});

test('equivalent streams and bad configs', () => {
  const h = DataStreamHandler.create({ type: 'mqtt', config: { url: aedes.url, topic: 'a/#' } });
  assert.ok(h.isEquivalentStream({ url: aedes.url, topic: 'a/#', interpolation: 'linear' }));
  assert.ok(!h.isEquivalentStream({ url: aedes.url, topic: 'b/#' }));
  assert.throws(
    () => DataStreamHandler.create({ type: 'mqtt', config: { url: 'http://x', topic: 'a' } }),
    (e: any) => e.code === 'TS_HANDLER_BAD_CONFIG' && /url/.test(e.message) && /mqtt:\/\/host:1883/.test(e.message),
  );
  assert.throws(
    () => DataStreamHandler.create({ type: 'mqtt', config: { url: aedes.url, topic: 'a', qos: 3 } }),
    /qos/,
  );
  assert.throws(
    () => h.getData(0),
    (e: any) => e.code === 'TS_HANDLER_NOT_STARTED',
  );
});

test('a HandlerSet shares one subscription between specs of the same topic; each variable keeps its method', async () => {
  await using inputs = new HandlerSet();
  const spec = (interpolation: string) => ({
    type: 'mqtt',
    config: { url: aedes.url, topic: 'set/weather', interpolation, timeout: 5000 },
  });
  inputs.addVariable(['m', 'linear'], spec('linear'), 'u');
  inputs.addVariable(['m', 'step'], spec('previous'), 'u');
  assert.equal(inputs.handlers.length, 1);
  await inputs.start();
  const publisher = new MqttClient({ url: aedes.url });
  try {
    const reading = inputs.read(1);
    await publisher.publish('set/weather', JSON.stringify({ t: 0, u: 0 }));
    await publisher.publish('set/weather', JSON.stringify({ t: 1, u: 10 }));
    await reading;
    assert.deepEqual(inputs.getData(0.5), { 'm.linear': 5, 'm.step': 0 });
  } finally {
    await publisher.close();
  }
});
