// Parameter updates from Kafka change a paced simulation while it runs; bad messages are dead-lettered with the
// reason and consumption goes on. Against the real broker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DEAD_LETTER_HEADERS,
  type KafkaAdmin,
  type KafkaProducer,
  type KafkaRecord,
} from '../../../src/connectors/kafka/index.ts';
import { Stream } from '../../../src/index.ts';
import { KafkaParameterIngress } from '../../../src/sim/index.ts';
import { uniqueName } from '../../kafka-setup.ts';
import { closeKafkaClients, openKafkaClients } from '../../support/kafka-clients.ts';
import { ARRIVAL, gapsAfterChange, pacedTwin } from './paced.ts';

let brokers: string[];
let admin: KafkaAdmin;
let producer: KafkaProducer;

before(async () => ({ brokers, admin, producer } = await openKafkaClients()));
after(() => closeKafkaClients(admin, producer));

const message = (topic: string, value: string, key?: string) => ({
  topic,
  value: Buffer.from(value),
  ...(key === undefined ? {} : { key: Buffer.from(key) }),
});

test('Kafka updates change the arrival rate of a paced simulation; bad messages are dead-lettered', async () => {
  const topic = uniqueName('sim-params');
  const dlq = uniqueName('sim-params-dlq');
  await admin.ensureTopics([{ name: topic }, { name: dlq }]);
  const twin = pacedTwin();
  const ingress = new KafkaParameterIngress(twin.env.registry, {
    brokers,
    topic,
    autoOffsetReset: 'earliest',
    deadLetterTopic: dlq,
  });
  ingress.start();
  await twin.until(() => twin.env.now >= 10, 'simulated time 10');
  await producer.send([
    message(topic, '{not json'),
    message(topic, JSON.stringify({ path_id: 'Line_A.arrival.nope.value', value: 1 })), // dynamic-des's shape
    message(topic, '"fast"', `${ARRIVAL}.value`), // a bare value keyed by its path
    message(topic, JSON.stringify([{ path: `${ARRIVAL}.value`, value: 0.5 }])),
  ]);
  await twin.until(() => twin.changes.length === 1, 'the update');
  const changedAt = twin.changes[0]!;
  await twin.until(() => twin.env.now >= changedAt + 10, '10 simulated units after the change');
  await twin.stop();
  await ingress.stop();

  assert.deepEqual(ingress.counters, { received: 4, applied: 1, rejected: 3 });
  assert.deepEqual(
    ingress.rejections.map((r) => r.code),
    ['TS_SIM_BAD_UPDATE', 'TS_SIM_UNKNOWN_PARAMETER', 'TS_SIM_BAD_DISTRIBUTION'],
  );
  assert.match(ingress.rejections[0]!.source, new RegExp(`^kafka:${topic}/0@0$`));
  const after = gapsAfterChange(twin.arrivals, changedAt, 0.5);
  assert.ok(after >= 15, `${after} arrivals after the change`);

  const letters: KafkaRecord<string | null, string>[] = [];
  const source = Stream.fromKafka<string | null, string>(dlq, {
    brokers,
    groupId: uniqueName('dlq'),
    autoOffsetReset: 'earliest',
    key: 'string',
    value: 'string',
  });
  source.sink((r: KafkaRecord<string | null, string>) => {
    letters.push(r);
  });
  source.start();
  await twin.until(() => letters.length >= 3, 'the dead letters');
  source.stop();
  await source.done;
  assert.deepEqual(
    letters.map((l) => [l.headers[DEAD_LETTER_HEADERS.code]?.toString(), l.value]),
    [
      ['TS_SIM_BAD_UPDATE', '{not json'],
      ['TS_SIM_UNKNOWN_PARAMETER', JSON.stringify({ path_id: 'Line_A.arrival.nope.value', value: 1 })],
      ['TS_SIM_BAD_DISTRIBUTION', '"fast"'],
    ],
  );
  assert.equal(letters[2]!.key, `${ARRIVAL}.value`);
  assert.match(letters[1]!.headers[DEAD_LETTER_HEADERS.reason]!.toString(), /Line_A\.arrival\.nope/);
});

test('every update not applied is counted and reported: too large, an empty array, bad UTF-8', async () => {
  const topic = uniqueName('sim-params-bad');
  await admin.ensureTopics([{ name: topic }]);
  const twin = pacedTwin();
  const codes: string[] = [];
  const ingress = new KafkaParameterIngress(twin.env.registry, {
    brokers,
    topic,
    autoOffsetReset: 'earliest',
    maxMessageBytes: 1024,
    onReject: (r) => codes.push(r.code),
  });
  ingress.start();
  await producer.send([
    message(topic, JSON.stringify({ path: `${ARRIVAL}.value`, value: 0.5, pad: 'x'.repeat(2000) })),
    message(topic, '[]'),
    { topic, value: Buffer.from([0x22, 0xff, 0x22]), key: Buffer.from(`${ARRIVAL}.value`) },
    message(topic, JSON.stringify({ path: `${ARRIVAL}.value`, value: 0.5 })),
  ]);
  await twin.until(() => ingress.counters.received === 4, 'the four messages');
  await twin.stop();
  await ingress.stop();
  assert.deepEqual(ingress.counters, { received: 4, applied: 1, rejected: 3 });
  assert.deepEqual(codes, ['TS_KAFKA_TOO_LARGE', 'TS_SIM_BAD_UPDATE', 'TS_SIM_BAD_UPDATE']);
});
