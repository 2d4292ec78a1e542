// The client layer: serializers, bounded waits with clear errors, credentials kept out of messages, topic admin.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { withTimeout } from '../../../src/connectors/kafka/connection.ts';
import {
  doubleSerde,
  intSerde,
  json,
  KafkaAdmin,
  KafkaProducer,
  stringSerde,
  toSerde,
} from '../../../src/connectors/kafka/index.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../../kafka-setup.ts';

test('serializers round-trip and reject what they cannot read', () => {
  assert.equal(stringSerde.deserialize(stringSerde.serialize('héllo')), 'héllo');
  assert.equal(intSerde.deserialize(intSerde.serialize(-123456)), -123456);
  assert.deepEqual([...intSerde.serialize(1)], [0, 0, 0, 1]); // big-endian, as Kafka's IntegerSerializer
  assert.equal(doubleSerde.deserialize(doubleSerde.serialize(Math.PI)), Math.PI);
  assert.throws(() => intSerde.deserialize(Buffer.from([1, 2])), {
    code: 'TS_KAFKA_DESERIALIZE',
    message: /expected 4 bytes, got 2/,
  });
  assert.throws(() => intSerde.serialize(1.5), { code: 'TS_KAFKA_SERIALIZE' });
  assert.throws(() => toSerde('avro' as any, 'fromKafka', 'value'), {
    code: 'TS_BAD_ARGUMENT',
    message: /fromKafka: value = "avro"/,
  });
});

test('JSON is validated by a zod schema, naming the path of the problem', () => {
  const serde = json({ schema: z.object({ ts: z.string(), value: z.number() }) });
  assert.deepEqual(serde.deserialize(Buffer.from('{"ts":"x","value":1}')), { ts: 'x', value: 1 });
  assert.throws(
    () => serde.deserialize(Buffer.from('{"ts":"x","value":"hot"}')),
    (e: TwinstreamError) => {
      assert.equal(e.code, 'TS_KAFKA_DESERIALIZE');
      assert.match(e.message, /value: /);
      return true;
    },
  );
  assert.throws(() => serde.deserialize(Buffer.from('{oops')), {
    code: 'TS_KAFKA_DESERIALIZE',
    message: /malformed JSON/,
  });
  const checked = json({ schema: (v) => (typeof v === 'number' ? true : 'not a number') });
  assert.throws(() => checked.deserialize(Buffer.from('"a"')), { message: /not a number/ });
});

test('a wait past its timeout fails with TS_KAFKA_TIMEOUT naming what was waited for', async () => {
  await assert.rejects(withTimeout(new Promise(() => {}), 50, 'joining group "g"'), {
    code: 'TS_KAFKA_TIMEOUT',
    message: /joining group "g" did not finish within 50 ms/,
  });
});

test('an unreachable broker fails clearly, and the SASL password never shows', async () => {
  const password = 'sup3r-secret-pw';
  const producer = new KafkaProducer({
    brokers: '127.0.0.1:1',
    sasl: { mechanism: 'PLAIN', username: 'alice', password },
    timeout: 3000,
    connectTimeout: 500,
    retries: 1,
    retryDelay: 100,
  });
  try {
    await assert.rejects(producer.send([{ topic: 'nowhere', value: Buffer.from('x') }]), (e: TwinstreamError) => {
      assert.ok(e instanceof TwinstreamError);
      // Nothing listens there: the first connection fails at once, naming the address and the cause.
      assert.equal(e.code, 'TS_KAFKA_CONNECT');
      assert.match(e.message, /127\.0\.0\.1:1 \(ECONNREFUSED/);
      assert.doesNotMatch(e.message, new RegExp(password));
      assert.doesNotMatch(JSON.stringify(e.context ?? {}), new RegExp(password));
      return true;
    });
  } finally {
    await producer.close();
  }
});

test('invalid configuration fails at construction', () => {
  assert.throws(() => new KafkaProducer({ brokers: 'no-port' }), { code: 'TS_BAD_ARGUMENT', message: /brokers/ });
  assert.throws(() => new KafkaProducer({ brokers: 'h:1', acks: 'some' as any }), { message: /acks/ });
  assert.throws(() => new KafkaProducer({ brokers: 'h:1', compression: 'brotli' as any }), { message: /compression/ });
});

test('KafkaAdmin creates topics once, with partitions and config', async () => {
  const admin = new KafkaAdmin({ brokers: await kafkaBrokers() });
  const name = uniqueName('admin');
  try {
    await admin.ensureTopics([{ name, partitions: 4, config: { 'cleanup.policy': 'compact' } }]);
    await admin.ensureTopics([{ name, partitions: 4 }]); // already there: nothing to do
    assert.ok((await admin.topicNames()).has(name));
    assert.equal(await admin.partitions(name), 4);
    await admin.deleteTopics([name]);
  } finally {
    await admin.close();
  }
});
