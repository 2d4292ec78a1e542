// Application against the real broker, for what only a broker shows: a 10 MB message dead-lettered without its
// value, a stop while the group join is under way. The logic of commits, dead letters, exactly-once outputs,
// restores and rebalances is tested on the in-memory cluster, in virtual time (application-memory.test.ts).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

test('records that fail to parse or to process are dead-lettered with the reason; the rest flows', async () => {
  const inName = uniqueName('in');
  const outName = uniqueName('out');
  const group = uniqueName('app');
  const huge = JSON.stringify({ v: 3, pad: 'x'.repeat(10 * 1024 * 1024) }); // 10 MB
  await produceJson(brokers, inName, ['{"v":1}', '{broken', '{"v":"two"}', huge, '{"v":4}']);
  const errors: string[] = [];
  const app = new Application({
    brokers,
    groupId: group,
    autoOffsetReset: 'earliest',
    onProcessingError: (e) => {
      errors.push(String(e));
      return true;
    },
  });
  const output = app.topic(outName);
  app
    .stream(app.topic<string, { v: number }>(inName))
    .map((r) => {
      if (typeof r.value.v !== 'number') throw new TypeError(`v is a ${typeof r.value.v}`);
      return r.value.v * 10;
    })
    .toTopic(output);
  const produced = await app.run({ timeout: 2000 });
  assert.deepEqual(
    produced.map((p) => p.value),
    [10, 40],
  );
  assert.equal(app.counters.deadLettered, 3);
  assert.equal(app.counters.processingErrors, 1);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /v is a string/);
  const dead = await readAll<string>(brokers, `${group}-dead-letters`, { value: 'string', expect: 3 });
  assert.deepEqual(
    dead.map((r) => [r.value, r.headers['x-error-code']?.toString(), r.headers['x-source-offset']?.toString()]),
    [
      ['{broken', 'TS_KAFKA_DESERIALIZE', '1'],
      ['{"v":"two"}', 'TS_KAFKA_PROCESSING', '2'],
      [null, 'TS_KAFKA_TOO_LARGE', '3'], // dead-lettered without its 10 MB value
    ],
  );
  assert.match(dead[2]!.headers['x-error-reason']!.toString(), /message of 104\d{5} bytes exceeds maxMessageBytes/);
  assert.match(dead[1]!.headers['x-error-reason']!.toString(), /v is a string/);
});

test('stop() while the consumer is still joining its group ends the run', async () => {
  const inName = uniqueName('in');
  await produceJson(brokers, inName, [{ id: 1 }]);
  const app = new Application({ brokers, groupId: uniqueName('app'), autoOffsetReset: 'earliest' });
  app.stream(app.topic(inName)).toTopic(app.topic(uniqueName('out')));
  const running = app.run({ timeout: 60_000 });
  // The source exists once the topics are there; the group join (its first step) takes a while longer.
  while ((app as unknown as { source: unknown }).source === null) await new Promise((r) => setTimeout(r, 2));
  await app.stop();
  const ended = await Promise.race([running.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);
  assert.equal(ended, true, 'run() ended after stop()');
  assert.equal(app.counters.processed, 0, 'stopped before the record was read');
});
