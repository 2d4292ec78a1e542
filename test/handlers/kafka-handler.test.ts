// The kafka handler against the real broker the test setup starts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KafkaAdmin } from '../../src/connectors/kafka/admin.ts';
import type { KafkaProducer } from '../../src/connectors/kafka/producer.ts';
import { DataStreamHandler, KafkaHandler } from '../../src/handlers/index.ts';
import { uniqueName } from '../kafka-setup.ts';
import { closeKafkaClients, openKafkaClients } from '../support/kafka-clients.ts';

let brokers: string[];
let admin: KafkaAdmin;
let producer: KafkaProducer;

before(async () => ({ brokers, admin, producer } = await openKafkaClients()));
after(() => closeKafkaClients(admin, producer));

async function send(topic: string, values: (object | string)[]): Promise<void> {
  await producer.send(
    values.map((v) => ({ topic, value: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), partition: 0 })),
  );
}

test('messages produced to a topic are read at any time, interpolated; out-of-order ones placed in order', async () => {
  const topic = uniqueName('handler');
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  await send(topic, [
    { t: 0, T: 10, P: 0 },
    { t: 2, T: 30, P: 200 },
    { t: 1, T: 20, P: 100 }, // late
  ]);
  await using h = DataStreamHandler.create({
    type: 'kafka',
    config: { topic, brokers, interpolation: 'linear', firstMessageTimeout: '30s' },
  }) as KafkaHandler;
  h.addVariable(['room', 'T'], 'T');
  h.addVariable(['room', 'P'], 'P', { discrete: true });
  await h.start();
  await h.waitFor(2);
  // the watermark reached 2 with the first two messages; wait for the third one as well
  for (let i = 0; i < 200 && h.received < 3; i++) await new Promise((r) => setTimeout(r, 25));
  assert.deepEqual(h.getData(0.5), { 'room.T': 15, 'room.P': 0 });
  assert.deepEqual(h.getData(1.5), { 'room.T': 25, 'room.P': 100 });
  assert.equal(h.nextEvent(0.5), 1);
  // a live stream: new data arrives while the model runs, and waitFor waits for it
  const waiting = h.waitFor(4);
  await send(topic, [{ t: 4, T: 50, P: 400 }]);
  await waiting;
  assert.deepEqual(h.getData(3), { 'room.T': 40, 'room.P': 200 });
  assert.equal(h.behind, 0);
});

test('a stream that does not reach t: hold the last value and count it, or fail naming the topic and the lag', async () => {
  const topic = uniqueName('handler-behind');
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  await send(topic, [
    { t: 0, u: 1 },
    { t: 1, u: 2 },
  ]);
  const hold = new KafkaHandler({ topic, brokers, timeout: 300, interpolation: 'linear' });
  hold.addVariable(['m', 'u'], 'u');
  await hold.start();
  await hold.waitFor(1);
  await hold.waitFor(5); // times out after 300 ms
  assert.equal(hold.behind, 1);
  assert.equal(hold.lag, 4);
  assert.deepEqual(hold.getData(5), { 'm.u': 2 });
  await hold.stop();
  const strict = new KafkaHandler({ topic, brokers, timeout: 300, whenBehind: 'error' });
  strict.addVariable(['m', 'u'], 'u');
  await strict.start();
  await strict.waitFor(1);
  await assert.rejects(
    strict.waitFor(5),
    (e: any) =>
      e.code === 'TS_HANDLER_BEHIND' && e.message.includes(topic) && /latest time is 1, 4 behind/.test(e.message),
  );
  await strict.stop();
});

test('bad messages go to the error report and the dead-letter topic; the handler keeps serving', async () => {
  const topic = uniqueName('handler-bad');
  const dlt = uniqueName('handler-dlt');
  await admin.ensureTopics([
    { name: topic, partitions: 1 },
    { name: dlt, partitions: 1 },
  ]);
  await send(topic, [{ t: 0, u: 1 }, { u: 5 }, 'not json', { t: 'soon', u: 1 }, { t: 1, u: 'x' }, { t: 2, u: 3 }]);
  await using h = new KafkaHandler({ topic, brokers, deadLetterTopic: dlt, interpolation: 'linear' });
  h.addVariable(['m', 'u'], 'u');
  await h.start();
  await h.waitFor(2);
  for (let i = 0; i < 200 && h.errorCount < 4; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(h.errorCount, 4);
  assert.deepEqual(
    h.errors.map((e) => e.offset),
    ['0:1', '0:2', '0:3', '0:4'],
  );
  assert.match(h.errors[0]!.reason, /no time: "t" is missing/);
  assert.match(h.errors[2]!.reason, /"soon"/);
  assert.match(h.errors[3]!.reason, /"u" = "x" is not a number/);
  assert.deepEqual(h.getData(1), { 'm.u': 2 });
  // the dead letters are on their topic
  const check = new KafkaHandler({
    topic: dlt,
    brokers,
    parse: (payload) => ({ t: 0, values: { n: payload.length } }),
    timeout: 5000,
  });
  check.addVariable(['dlt', 'n'], 'n');
  await check.start();
  for (let i = 0; i < 400 && check.received < 4; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(check.received, 4);
  await check.stop();
});

test('network settings from a separate JSON file; bad configs name the field', async () => {
  const topic = uniqueName('handler-net');
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  await send(topic, [{ t: 0, u: 7 }]);
  const file = join(mkdtempSync(join(tmpdir(), 'kafka-net-')), 'network.json');
  writeFileSync(file, JSON.stringify({ brokers }));
  await using h = new KafkaHandler({ topic, networkConfig: file });
  h.addVariable(['m', 'u'], 'u');
  await h.start();
  await h.waitFor(0);
  assert.deepEqual(h.getData(3), { 'm.u': 7 });
  assert.ok(h.isEquivalentStream({ topic, networkConfig: file, interpolation: 'linear' }));
  assert.ok(!h.isEquivalentStream({ topic: 'other', networkConfig: file }));
  assert.throws(
    () => new KafkaHandler({ topic }),
    (e: any) => e.code === 'TS_HANDLER_BAD_CONFIG' && /brokers/.test(e.message),
  );
  assert.throws(() => new KafkaHandler({ topic, brokers: 'nohost' }), /brokers: expected 'host:port'/);
  assert.throws(() => new KafkaHandler({ topic, brokers, offsetReset: 'middle' as never }), /offsetReset/);
  assert.throws(() => new KafkaHandler({ topic, brokers, whenBehind: 'wait' as never }), /whenBehind/);
  assert.ok(new KafkaHandler({ topic, brokers: ['[::1]:9092', '127.0.0.1:9093'] }));
  const missing = new KafkaHandler({ topic, networkConfig: join(tmpdir(), 'absent-network.json') });
  await assert.rejects(missing.start(), /networkConfig .* is not a readable JSON file/);
});

test('waitFor before start rejects; a consumer that cannot reach its broker fails the waiters, naming the broker', async () => {
  const h = new KafkaHandler({
    topic: 'nowhere',
    brokers: '127.0.0.1:1',
    maxRetries: 0,
    retryDelay: 10,
    reconnectTimeout: '1s',
    firstMessageTimeout: '60s',
  });
  h.addVariable(['m', 'u'], 'u');
  await assert.rejects(h.waitFor(0), (e: any) => e.code === 'TS_HANDLER_NOT_STARTED');
  await h.start();
  const t0 = Date.now();
  await assert.rejects(h.waitFor(0), (e: any) => {
    assert.match(String(e.message), /127\.0\.0\.1:1/);
    return true;
  });
  assert.ok(Date.now() - t0 < 30_000, 'failed long before firstMessageTimeout');
  await assert.rejects(h.waitFor(1), (e: any) => e === h.failure);
  await h.stop();
});
