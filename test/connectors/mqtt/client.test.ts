import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { matches } from '../../../src/connectors/mqtt/client.ts';
import { MqttClient, type MqttMessage } from '../../../src/connectors/mqtt/index.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { mosquittoPath, startAedes, startMosquitto, type TestBroker } from './brokers.ts';

let broker: TestBroker;
before(async () => {
  broker = await startAedes();
});
after(() => broker.stop());

async function roundTrip(url: string, protocolVersion: 4 | 5): Promise<void> {
  const sub = new MqttClient({ url, protocolVersion });
  const pub = new MqttClient({ url, protocolVersion });
  const got: MqttMessage[] = [];
  let resolve!: () => void;
  const three = new Promise<void>((r) => (resolve = r));
  await sub.subscribe('plant/+/temp', (m) => {
    got.push(m);
    if (got.length === 3) resolve();
  });
  await pub.publish('plant/a/temp', '21.5');
  await pub.publish('plant/a/humidity', '40'); // not matched
  await pub.publish('plant/b/temp', Buffer.from('22'), { qos: 0 });
  await pub.publish('plant/c/temp', '23', { qos: 2 });
  await three;
  assert.deepEqual(
    got.map((m) => [m.topic, m.payload.toString()]),
    [
      ['plant/a/temp', '21.5'],
      ['plant/b/temp', '22'],
      ['plant/c/temp', '23'],
    ],
  );
  await sub.close();
  await pub.close();
}

test('subscribe and publish through aedes (MQTT 3.1.1), wildcards, QoS 0/1/2', () => roundTrip(broker.url, 4));

test('interoperates with Debian mosquitto, MQTT 5 and 3.1.1', async () => {
  const binary = mosquittoPath();
  assert.ok(binary !== null, 'mosquitto is not installed: apt-get install mosquitto (npm test installs it as root)');
  const mosquitto = await startMosquitto(binary);
  try {
    await roundTrip(mosquitto.url, 5);
    await roundTrip(mosquitto.url, 4);
  } finally {
    await mosquitto.stop();
  }
});

test('a broker that is not there is TS_MQTT_CONNECT, without the password', async () => {
  const client = new MqttClient({
    url: 'mqtt://127.0.0.1:1',
    username: 'u',
    password: 's3cret-pw',
    connectTimeout: 2000,
    reconnectPeriod: 0,
  });
  await assert.rejects(client.connect(), (e: TwinstreamError) => {
    assert.equal(e.code, 'TS_MQTT_CONNECT');
    assert.match(e.message, /127\.0\.0\.1:1/);
    assert.doesNotMatch(e.message, /s3cret/);
    return true;
  });
});

test('bad options are errors at construction; credentials in a URL are scrubbed', () => {
  assert.throws(() => new MqttClient({ url: 'http://x' }), TwinstreamError);
  assert.throws(
    () => new MqttClient({ url: 'mqtt://user:hunter22@' } as never),
    (e: Error) => !/hunter22/.test(e.message),
  );
  assert.equal(new MqttClient({ url: 'mqtt://user:hunter22@host:1883' }).where, 'mqtt://***@host:1883');
  assert.ok(matches('a/#', 'a/b/c') && matches('a/+/c', 'a/b/c') && !matches('a/+', 'a/b/c') && !matches('a/b', 'a'));
});
