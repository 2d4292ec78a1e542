// A broker that refuses the connection or whose name does not resolve fails fast and says so (TS_KAFKA_CONNECT),
// within the configured timeout, instead of a minute of retries ending in a failed group join.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, test } from 'node:test';
import { Application } from '../../../src/app/index.ts';
import { KafkaProducer } from '../../../src/connectors/kafka/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';

// The client library loaded beforehand: its first import (seconds on a loaded machine) is no network wait.
before(async () => {
  await import('@platformatic/kafka');
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<{ error: TwinstreamError; ms: number }> {
  const t0 = performance.now();
  const error = await p.then(
    () => assert.fail('it should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TwinstreamError, String(error));
  return { error, ms: performance.now() - t0 };
}

test('a source pointed at a port nothing listens on fails within its timeout, naming the address and ECONNREFUSED', async () => {
  const address = `127.0.0.1:${await closedPort()}`;
  const source = Stream.fromKafka('t', { brokers: address, groupId: 'g', timeout: 3000 });
  source.sink(() => {});
  source.start();
  const { error, ms } = await failure(source.done);
  assert.equal(error.code, 'TS_KAFKA_CONNECT');
  assert.match(error.message, new RegExp(`${address.replace('.', '\\.')} \\(ECONNREFUSED: connection refused\\)`));
  assert.ok(ms < 3000, `failed after ${Math.round(ms)} ms`);
});

test('an application pointed at a host name that does not resolve fails within its timeout with the cause', async () => {
  const app = new Application({ brokers: 'no-such-broker.invalid:9092', groupId: 'g', timeout: 3000 });
  app.stream(app.topic('in')).toTopic(app.topic('out'));
  const { error, ms } = await failure(app.run({ count: 1 }));
  assert.equal(error.code, 'TS_KAFKA_CONNECT');
  assert.match(error.message, /no-such-broker\.invalid:9092 \((ENOTFOUND|EAI_AGAIN): /);
  assert.ok(ms < 3000, `failed after ${Math.round(ms)} ms`);
});

test('a producer fails its first send the same way; every broker of the list is named', async () => {
  const a = `127.0.0.1:${await closedPort()}`;
  const b = `127.0.0.1:${await closedPort()}`;
  const producer = new KafkaProducer({ brokers: [a, b], timeout: 3000 });
  const { error } = await failure(producer.send([{ topic: 't', value: Buffer.from('x') }]));
  assert.equal(error.code, 'TS_KAFKA_CONNECT');
  assert.ok(error.message.includes(a) && error.message.includes(b), error.message);
  assert.deepEqual(error.context?.causes, ['ECONNREFUSED', 'ECONNREFUSED']);
  await producer.close();
});
