// Parameter updates over MQTT change a paced simulation while it runs (aedes in-process; mosquitto when installed).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MqttClient } from '../../../src/connectors/mqtt/index.ts';
import { MqttParameterIngress, type Rejection } from '../../../src/sim/index.ts';
import { mosquittoPath, startAedes, startMosquitto, type TestBroker } from '../../connectors/mqtt/brokers.ts';
import { ARRIVAL, gapsAfterChange, pacedTwin } from './paced.ts';

let broker: TestBroker;
before(async () => {
  broker = await startAedes();
});
after(() => broker.stop());

async function reacts(url: string, protocolVersion: 4 | 5): Promise<void> {
  const twin = pacedTwin();
  const rejections: Rejection[] = [];
  const ingress = new MqttParameterIngress(twin.env.registry, {
    url,
    protocolVersion,
    topic: 'plant/params/#',
    deadLetterTopic: 'plant/params-dlq',
    onReject: (r) => rejections.push(r),
  });
  await ingress.start();
  const publisher = new MqttClient({ url, protocolVersion });
  const letters: string[] = [];
  await publisher.subscribe('plant/params-dlq', (m) => letters.push(m.payload.toString()));
  await twin.until(() => twin.env.now >= 10, 'simulated time 10');
  // Bad messages first: they are reported and the subscription goes on.
  await publisher.publish('plant/params/any', '{not json');
  await publisher.publish('plant/params/any', JSON.stringify({ path: 'Line_A.arrival.nope.value', value: 1 }));
  await publisher.publish('plant/params/Line_A/arrival/standard/value', '"fast"'); // a bare value, path from the topic
  await publisher.publish('plant/params/any', JSON.stringify({ path: `${ARRIVAL}.value`, value: 0.5 }));
  await twin.until(() => twin.changes.length === 1, 'the update');
  const changedAt = twin.changes[0]!;
  await twin.until(() => twin.env.now >= changedAt + 10, '10 simulated units after the change');
  await twin.stop();
  await twin.until(() => letters.length === 3, 'the dead letters', 5000);
  await ingress.stop();
  await publisher.close();

  assert.deepEqual(ingress.counters, { received: 4, applied: 1, rejected: 3 });
  assert.deepEqual(
    rejections.map((r) => [r.source, r.code]),
    [
      ['mqtt:plant/params/any', 'TS_SIM_BAD_UPDATE'],
      ['mqtt:plant/params/any', 'TS_SIM_UNKNOWN_PARAMETER'],
      ['mqtt:plant/params/Line_A/arrival/standard/value', 'TS_SIM_BAD_DISTRIBUTION'],
    ],
  );
  assert.match(rejections[0]!.reason, /malformed JSON/);
  assert.match(rejections[1]!.reason, /Line_A\.arrival\.nope/);
  assert.match(rejections[2]!.reason, /Line_A\.arrival\.standard/);
  assert.equal(JSON.parse(letters[0]!).code, 'TS_SIM_BAD_UPDATE');
  assert.equal(twin.env.registry.get(`${ARRIVAL}.value`), 0.5);
  const after = gapsAfterChange(twin.arrivals, changedAt, 0.5);
  assert.ok(after >= 15, `${after} arrivals after the change`);
}

test('MQTT updates change the arrival rate of a paced simulation (aedes)', () => reacts(broker.url, 4));

test('the same against Debian mosquitto, MQTT 5', async () => {
  const binary = mosquittoPath();
  assert.ok(binary !== null, 'mosquitto is not installed: apt-get install mosquitto (npm test installs it as root)');
  const mosquitto = await startMosquitto(binary);
  try {
    await reacts(mosquitto.url, 5);
  } finally {
    await mosquitto.stop();
  }
});
