// Avro in the Confluent wire format against a real Confluent-compatible schema registry (Apicurio's ccompat API,
// started by scripts/schema-registry.ts) and the real broker: schemas registered and fetched by id, schema
// evolution, an Application on Avro topics, and bad payloads dead-lettered with the reason.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SchemaRegistryServer, startSchemaRegistry } from '../../../scripts/schema-registry.ts';
import { Application } from '../../../src/app/index.ts';
import {
  avro,
  KafkaAdmin,
  KafkaProducer,
  type KafkaRecord,
  type KafkaSource,
  SchemaRegistry,
} from '../../../src/connectors/kafka/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../../kafka-setup.ts';

let brokers: string[];
let server: SchemaRegistryServer;
let admin: KafkaAdmin;

before(async () => {
  [brokers, server] = await Promise.all([kafkaBrokers(), startSchemaRegistry({ unref: true })]);
  admin = new KafkaAdmin({ brokers });
});
after(async () => {
  await admin?.close();
  await server?.stop();
});

const READING_V1 = {
  type: 'record',
  name: 'Reading',
  namespace: 'twinstream.test',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'ts', type: 'long' },
    { name: 'value', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'unit', type: ['null', 'string'], default: null },
  ],
};

/** Version 2 adds a field with a default: readers on v2 read v1 data with it filled in. */
const READING_V2 = {
  ...READING_V1,
  fields: [...READING_V1.fields, { name: 'quality', type: 'int', default: 100 }],
};

type Reading = { sensor: string; ts: number; value: number; tags: string[]; unit: string | null };

/** Starts `source`, collects until `n` records arrived (or `timeoutMs`), stops it. */
async function collect<T>(
  source: KafkaSource<string, T>,
  n: number,
  timeoutMs = 30_000,
): Promise<KafkaRecord<string, T>[]> {
  const out: KafkaRecord<string, T>[] = [];
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  source.sink((r: KafkaRecord<string, T>) => {
    out.push(r);
    if (out.length >= n) resolve();
  });
  source.start();
  const timer = setTimeout(resolve, timeoutMs);
  await Promise.race([enough, source.done]);
  clearTimeout(timer);
  source.stop();
  await source.done;
  return out;
}

function readings(n: number): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    sensor: `s${i % 4}`,
    ts: 1_700_000_000_000 + i * 1000,
    value: i / 3,
    tags: i % 2 ? ['hall', `bay-${i}`] : [],
    unit: i % 3 ? 'C' : null,
  }));
}

test('toKafka writes Avro with a registered schema; fromKafka reads it by the schema id in each message', async () => {
  const topic = uniqueName('avro');
  await admin.ensureTopics([{ name: topic }]);
  const writer = await avro<Reading>({ registry: { url: server.url }, subject: `${topic}-value`, schema: READING_V1 });
  assert.ok(Number.isInteger(writer.schemaId));
  // The schema is in the registry under its id and subject.
  const registry = new SchemaRegistry({ url: server.url });
  assert.deepEqual(JSON.parse((await registry.schemaById(writer.schemaId!)).schema).name, 'twinstream.test.Reading');
  assert.equal((await registry.latest(`${topic}-value`)).id, writer.schemaId);
  // Registering the same schema again finds the same id.
  const again = await avro({ registry, subject: `${topic}-value`, schema: READING_V1 });
  assert.equal(again.schemaId, writer.schemaId);

  const values = readings(300);
  const input = new Stream<Reading>();
  const sink = input.toKafka(topic, { brokers, key: 'sensor', valueSerializer: writer });
  for (const v of values) {
    const r = input.emit(v);
    if (r) await r;
  }
  await sink.close();
  assert.equal(sink.sent, values.length);

  // The bytes on the topic: magic byte 0, the schema id, the Avro body.
  const raw = await collect(
    Stream.fromKafka<string, Buffer>(topic, {
      brokers,
      groupId: uniqueName('raw'),
      autoOffsetReset: 'earliest',
      value: 'bytes',
    }),
    1,
  );
  assert.equal(raw[0]!.value[0], 0);
  assert.equal(raw[0]!.value.readInt32BE(1), writer.schemaId);

  // A reader without a schema of its own (a fresh client) fetches the writer's schema by id.
  const reader = await avro<Reading>({ registry: { url: server.url } });
  assert.equal(reader.schemaId, null);
  const got = await collect(
    Stream.fromKafka<string, Reading>(topic, {
      brokers,
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      value: reader,
    }),
    values.length,
  );
  assert.deepEqual(
    got.map((r) => r.value),
    values,
  );
  for (const r of got) assert.equal(r.key, r.value.sensor);
});

test('schema evolution: data written with v1 is read as v2, the new field taking its default', async () => {
  const topic = uniqueName('avro-evolve');
  await admin.ensureTopics([{ name: topic }]);
  const subject = `${topic}-value`;
  const v1 = await avro<Reading>({ registry: { url: server.url }, subject, schema: READING_V1 });
  const v2 = await avro<Reading & { quality: number }>({ registry: { url: server.url }, subject, schema: READING_V2 });
  assert.notEqual(v1.schemaId, v2.schemaId);
  const producer = new KafkaProducer({ brokers });
  const old = readings(3);
  const newer = { ...readings(1)[0]!, sensor: 'new', quality: 42 };
  await producer.send([...old.map((v) => ({ topic, value: v1.serialize(v) })), { topic, value: v2.serialize(newer) }]);
  await producer.close();
  const reader = await avro<Reading & { quality: number }>({
    registry: { url: server.url },
    subject,
    schema: READING_V2,
  });
  const got = await collect(
    Stream.fromKafka<string, Reading & { quality: number }>(topic, {
      brokers,
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      value: reader,
    }),
    4,
  );
  assert.deepEqual(
    got.map((r) => r.value),
    [...old.map((v) => ({ ...v, quality: 100 })), newer],
  );
});

test('bad payloads are dead-lettered with the reason; good ones flow on in order', async () => {
  const topic = uniqueName('avro-bad');
  const dlq = uniqueName('avro-dlq');
  await admin.ensureTopics([{ name: topic }, { name: dlq }]);
  const writer = await avro<Reading>({ registry: { url: server.url }, subject: `${topic}-value`, schema: READING_V1 });
  const [a, b, c] = readings(3);
  const good = (v: Reading) => writer.serialize(v);
  const unknownId = Buffer.concat([Buffer.from([0, 0x3b, 0x9a, 0xc9, 0xff]), writer.serialize(a!).subarray(5)]); // id 999999999
  const wrongMagic = Buffer.from(good(a!));
  wrongMagic[0] = 1;
  const truncated = good(b!).subarray(0, 9); // the header and part of the body
  const tooShort = Buffer.from([0, 0, 1]);
  const producer = new KafkaProducer({ brokers });
  await producer.send(
    [good(a!), wrongMagic, unknownId, good(b!), truncated, tooShort, Buffer.from('{"json":true}'), good(c!)].map(
      (value, i) => ({ topic, key: Buffer.from(`m${i}`), value }),
    ),
  );
  await producer.close();
  const reader = await avro<Reading>({ registry: { url: server.url } });
  const letters: { code: string; reason: string; offset: number }[] = [];
  const got = await collect(
    Stream.fromKafka<string, Reading>(topic, {
      brokers,
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      value: reader,
      deadLetterTopic: dlq,
      onDeadLetter: (l) => letters.push(l),
    }),
    3,
  );
  assert.deepEqual(
    got.map((r) => r.value),
    [a, b, c],
  );
  // The dead letters, with their reasons, in the dead-letter topic.
  const dead = await collect(
    Stream.fromKafka<string, Buffer>(dlq, {
      brokers,
      groupId: uniqueName('dlq'),
      autoOffsetReset: 'earliest',
      value: 'bytes',
    }),
    5,
  );
  assert.equal(dead.length, 5);
  const reasons = new Map(dead.map((r) => [r.key, r.headers['x-error-reason']?.toString() ?? '']));
  for (const r of dead) assert.equal(r.headers['x-error-code']?.toString(), 'TS_KAFKA_DESERIALIZE');
  assert.match(reasons.get('m1')!, /wrong magic byte 0x01 at offset 0; expected 0x00 \(Confluent wire format/);
  assert.match(reasons.get('m2')!, /schema id 999999999 is unknown to the registry at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(reasons.get('m4')!, /the Avro body \(bytes 5-8\) does not match schema id \d+/);
  assert.match(reasons.get('m5')!, /3 byte\(s\) are too short for the Confluent wire format/);
  assert.match(reasons.get('m6')!, /wrong magic byte 0x7b/); // '{': JSON where Avro was expected
  assert.deepEqual(
    letters.map((l) => l.offset),
    [1, 2, 4, 5, 6],
  );
  // The dead-lettered message keeps its bytes.
  assert.deepEqual(dead.find((r) => r.key === 'm1')!.value, wrongMagic);
});

test('an Application reads and writes Avro topics', async () => {
  const inName = uniqueName('avro-app-in');
  const outName = uniqueName('avro-app-out');
  const inSerde = await avro<Reading>({
    registry: { url: server.url },
    subject: `${inName}-value`,
    schema: READING_V1,
  });
  const outSchema = {
    type: 'record',
    name: 'Scaled',
    fields: [
      { name: 'sensor', type: 'string' },
      { name: 'scaled', type: 'double' },
    ],
  };
  const outSerde = await avro<{ sensor: string; scaled: number }>({
    registry: { url: server.url },
    subject: `${outName}-value`,
    schema: outSchema,
  });
  await admin.ensureTopics([{ name: inName }, { name: outName }]);
  const producer = new KafkaProducer({ brokers });
  const values = readings(50);
  await producer.send(values.map((v) => ({ topic: inName, key: Buffer.from(v.sensor), value: inSerde.serialize(v) })));
  await producer.close();
  const app = new Application({ brokers, consumerGroup: uniqueName('avro-app'), autoOffsetReset: 'earliest' });
  app
    .stream(app.topic<string, Reading>(inName, { value: await avro<Reading>({ registry: { url: server.url } }) }))
    .map((r: KafkaRecord<string, Reading>) => ({ sensor: r.value.sensor, scaled: r.value.value * 10 }))
    .toTopic(app.topic(outName, { value: outSerde }));
  assert.equal((await app.run({ count: 50 })).length, 50);
  const out = await collect(
    Stream.fromKafka<string, { sensor: string; scaled: number }>(outName, {
      brokers,
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      value: await avro({ registry: { url: server.url } }),
    }),
    50,
  );
  assert.deepEqual(
    out.map((r) => r.value),
    values.map((v) => ({ sensor: v.sensor, scaled: v.value * 10 })),
  );
  for (const r of out) assert.equal(r.key, r.value.sensor);
});

test('a registry that cannot be asked stops the source (the message is neither dead-lettered nor committed)', async () => {
  const topic = uniqueName('avro-noreg');
  await admin.ensureTopics([{ name: topic }]);
  const writer = await avro<Reading>({ registry: { url: server.url }, subject: `${topic}-value`, schema: READING_V1 });
  const producer = new KafkaProducer({ brokers });
  await producer.send([{ topic, value: writer.serialize(readings(1)[0]!) }]);
  await producer.close();
  // A reader whose registry is not there (nothing listens on port 9): it cannot learn the schema id.
  const reader = await avro<Reading>({ registry: { url: 'http://127.0.0.1:9', timeout: '2s' } });
  const letters: unknown[] = [];
  const groupId = uniqueName('g');
  const source = Stream.fromKafka<string, Reading>(topic, {
    brokers,
    groupId,
    autoOffsetReset: 'earliest',
    value: reader,
    onDeadLetter: (l) => letters.push(l),
    sessionTimeout: '2s',
  });
  source.sink(() => {});
  const t0 = performance.now();
  source.start();
  await assert.rejects(
    source.done,
    (e: unknown) =>
      e instanceof TwinstreamError &&
      e.code === 'TS_SCHEMA_REGISTRY' &&
      new RegExp(`looking up schema id ${writer.schemaId} at http://127.0.0.1:9 failed`).test(e.message),
  );
  assert.ok(performance.now() - t0 < 15_000);
  assert.deepEqual(letters, []);
  // The same group with a reachable registry reads the message: it was not committed past.
  const again = await collect(
    Stream.fromKafka<string, Reading>(topic, {
      brokers,
      groupId,
      autoOffsetReset: 'earliest',
      value: await avro<Reading>({ registry: { url: server.url } }),
      sessionTimeout: '2s',
    }),
    1,
  );
  assert.deepEqual(
    again.map((r) => r.value),
    readings(1),
  );
});
