// The Avro serde and the schema registry client against a real Confluent-compatible registry (Apicurio's ccompat
// API, started by scripts/schema-registry.ts), without Kafka: values that do not fit, bad options, an unreachable
// registry, nested and recursive records, and a registry over HTTPS.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { makeCertificates } from '../../../scripts/kafka-secure.ts';
import { type SchemaRegistryServer, startSchemaRegistry } from '../../../scripts/schema-registry.ts';
import { avro, SchemaRegistry } from '../../../src/connectors/kafka/index.ts';
import { RecordDecoder } from '../../../src/connectors/kafka/record-decoder.ts';
import { TwinstreamError } from '../../../src/index.ts';

let server: SchemaRegistryServer;

before(async () => {
  server = await startSchemaRegistry({ unref: true });
});
after(() => server?.stop());

let counter = 0;
const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

const READING_V1 = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'ts', type: 'long' },
    { name: 'value', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'unit', type: ['null', 'string'], default: null },
  ],
};

type Reading = { sensor: string; ts: number; value: number; tags: string[]; unit: string | null };

const READING: Reading = { sensor: 's1', ts: 1_700_000_000_000, value: 21.5, tags: ['hall'], unit: 'C' };

test('a value that does not fit the schema fails to serialize, naming the field', async () => {
  const serde = await avro<unknown>({
    registry: { url: server.url },
    subject: uniqueName('avro-unit-value'),
    schema: READING_V1,
  });
  assert.throws(
    () => serde.serialize({ sensor: 's', ts: 1, value: 'high', tags: [] }),
    (e: unknown) =>
      e instanceof TwinstreamError &&
      e.code === 'TS_KAFKA_SERIALIZE' &&
      /value: expected double, got "high"/.test(e.message),
  );
  assert.throws(
    () => serde.deserialize(Buffer.concat([Buffer.from([0, 0, 0, 0x7f, 0x7f]), Buffer.from([2])])),
    /schema id 32639 \(bytes 1-4\) has not been fetched from the registry; call prepare\(bytes\)/,
  );
});

test('bad options and an unreachable registry fail with clear errors', async () => {
  await assert.rejects(
    avro({
      registry: { url: server.url },
      subject: 'x-value',
      schema: { type: 'record', name: 'R', fields: [{ name: 'a' }] },
    }),
    (e: unknown) =>
      e instanceof TwinstreamError &&
      e.code === 'TS_BAD_ARGUMENT' &&
      /avro: schema = .* a valid Avro schema/.test(e.message),
  );
  await assert.rejects(
    avro({ registry: { url: server.url }, schema: READING_V1 }),
    /avro: subject = undefined is not valid; expected a subject to register the schema under/,
  );
  assert.throws(
    () => new SchemaRegistry({ url: 'localhost:8081' }),
    /url = "localhost:8081" is not valid; expected an http/,
  );
  // A registry that is not there: the lookup fails naming the URL (nothing listens on port 9 here).
  const gone = new SchemaRegistry({ url: 'http://127.0.0.1:9', timeout: '2s' });
  await assert.rejects(
    gone.schemaById(1),
    (e: unknown) =>
      e instanceof TwinstreamError &&
      e.code === 'TS_SCHEMA_REGISTRY' &&
      /looking up schema id 1 at http:\/\/127\.0\.0\.1:9 failed/.test(e.message),
  );
  // Credentials in the URL are sent as basic authentication and never shown.
  const withCredentials = new SchemaRegistry({ url: 'http://reader:s3cr3t-pw@127.0.0.1:9/', timeout: '2s' });
  assert.equal(withCredentials.url, 'http://127.0.0.1:9');
  await assert.rejects(withCredentials.schemaById(1), (e: unknown) => {
    assert.ok(e instanceof TwinstreamError && e.code === 'TS_SCHEMA_REGISTRY');
    assert.ok(!inspect(e, { depth: 10 }).includes('s3cr3t-pw'));
    return true;
  });
  const port = new URL(server.url).port;
  const authenticated = new SchemaRegistry({ url: `http://reader:s3cr3t-pw@127.0.0.1:${port}/apis/ccompat/v7` });
  assert.ok(Number.isInteger(await authenticated.register(uniqueName('auth-value'), READING_V1)));
  // A subject the registry does not have.
  await assert.rejects(
    avro({ registry: { url: server.url }, subject: uniqueName('missing-value') }),
    (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SCHEMA_REGISTRY' && /HTTP 404/.test(e.message),
  );
});

test('nested, recursive and union records decode to plain objects', async () => {
  const schema = {
    type: 'record',
    name: 'Node',
    fields: [
      { name: 'id', type: 'int' },
      { name: 'next', type: ['null', 'Node'], default: null },
      {
        name: 'byName',
        type: { type: 'map', values: { type: 'record', name: 'Leaf', fields: [{ name: 'x', type: 'double' }] } },
      },
      { name: 'leaves', type: { type: 'array', items: 'Leaf' } },
      { name: 'raw', type: 'bytes' },
    ],
  };
  const serde = await avro<unknown>({
    registry: { url: server.url },
    subject: uniqueName('avro-nested-value'),
    schema,
  });
  const value = {
    id: 1,
    next: { id: 2, next: null, byName: {}, leaves: [], raw: Buffer.from([9]) },
    byName: { a: { x: 1.5 }, b: { x: -2 } },
    leaves: [{ x: 3 }],
    raw: Buffer.from([1, 2, 3]),
  };
  const bytes = serde.serialize(value);
  // A reader of its own, which fetches the schema by id from the registry.
  const reader = await avro<unknown>({ registry: { url: server.url } });
  const fetching = reader.prepare(bytes);
  assert.ok(fetching instanceof Promise);
  await fetching;
  assert.equal(reader.prepare(bytes), null);
  assert.deepStrictEqual(reader.deserialize(bytes), value);
  assert.deepStrictEqual(serde.deserialize(bytes), value);
});

test('an https registry: its CA in tls, and without it a clear certificate error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-registry-tls-'));
  const password = 'registry-store-pass';
  const certs = await makeCertificates(dir, password);
  const secure = await startSchemaRegistry({ unref: true, tls: { ...certs, password } });
  try {
    assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+\//);
    const writer = await avro<Reading>({
      registry: { url: secure.url, tls: { ca: certs.ca } },
      subject: 'tls-readings-value',
      schema: READING_V1,
    });
    const bytes = writer.serialize(READING);
    const reader = await avro<Reading>({ registry: { url: secure.url, tls: { ca: certs.ca } } });
    await reader.prepare(bytes);
    assert.deepEqual(reader.deserialize(bytes), READING);
    const untrusting = await avro<Reading>({ registry: { url: secure.url } });
    await assert.rejects(
      untrusting.prepare(bytes)!,
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SCHEMA_REGISTRY' && /certificate/.test(e.message),
    );
  } finally {
    await secure.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a record decoder fetches the schemas of an Avro key and value before decoding', async () => {
  const keySchema = { type: 'record', name: 'SensorKey', fields: [{ name: 'site', type: 'string' }] };
  const keyWriter = await avro({ registry: { url: server.url }, subject: uniqueName('k-key'), schema: keySchema });
  const valueWriter = await avro({ registry: { url: server.url }, subject: uniqueName('k-value'), schema: READING_V1 });
  const registry = { url: server.url };
  const decoder = new RecordDecoder({ key: await avro({ registry }), value: await avro({ registry }) }, 'test');
  const m = {
    topic: 't',
    partition: 0,
    offset: 7n,
    key: keyWriter.serialize({ site: 'north' }),
    value: valueWriter.serialize(READING),
    timestamp: 1_700_000_000_000n,
    headers: new Map<string, Buffer>(),
  };
  const fetching = decoder.prepare(m);
  assert.ok(fetching instanceof Promise);
  await fetching;
  assert.equal(decoder.prepare(m), null);
  const record = decoder.decode(m);
  assert.deepStrictEqual(record.key, { site: 'north' });
  assert.deepStrictEqual(record.value, READING);
  // A decoder of serdes without prepare never waits.
  assert.equal(new RecordDecoder({ value: 'json' }, 'test').prepare({ ...m, value: Buffer.from('{}') }), null);
});
