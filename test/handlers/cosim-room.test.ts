// The co-simulation example, three ways: the same model reads its inputs from a CSV file, from a Kafka topic on
// the real broker, and from MQTT (aedes in-process), and follows the same trajectory each time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { csvInputs, kafkaInputs, mqttInputs, simulate } from '../../examples/handlers-cosim-room.ts';
import { KafkaAdmin } from '../../src/connectors/kafka/admin.ts';
import { startAedes, type TestBroker } from '../connectors/mqtt/brokers.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';

const expected = readFileSync(new URL('../../examples/expected/handlers-cosim-room.txt', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n');
let aedes: TestBroker;
before(async () => {
  aedes = await startAedes();
});
after(() => aedes.stop());

test('from a CSV file', async () => {
  assert.deepEqual(await simulate(csvInputs()), expected);
});

test('from a Kafka topic fed by a producer', async () => {
  const brokers = await kafkaBrokers();
  const topic = uniqueName('cosim-room');
  const admin = new KafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  await admin.close();
  assert.deepEqual(await simulate(await kafkaInputs(brokers, topic)), expected);
});

test('from MQTT, published while the model already waits for its inputs', async () => {
  const inputs = mqttInputs(aedes.url, 'cosim-room/inputs');
  let published: Promise<void> = Promise.resolve();
  const lines = await simulate(inputs.spec, () => (published = inputs.publish()));
  await published;
  assert.deepEqual(lines, expected);
});
