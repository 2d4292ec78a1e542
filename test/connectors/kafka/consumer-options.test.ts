import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumerOptions } from '../../../src/connectors/kafka/kafka-source-config.ts';

test('a source fetches at most fetchMaxBytes per response (1 MiB by default) and reads ahead 65 536 messages', () => {
  const base = { brokers: 'localhost:9092', groupId: 'g' };
  const defaults = consumerOptions(base, 'Stream.fromKafka');
  assert.equal(defaults.maxBytes, 1024 * 1024);
  assert.equal(defaults.highWaterMark, 65_536);
  const set = consumerOptions({ ...base, fetchMaxBytes: 5000, highWaterMark: 10 }, 'Stream.fromKafka');
  assert.equal(set.maxBytes, 5000);
  assert.equal(set.highWaterMark, 10);
});

test('a fetchMaxBytes that is not a positive integer is refused, naming the field', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '1MB']) {
    assert.throws(
      () =>
        consumerOptions({ brokers: 'localhost:9092', groupId: 'g', fetchMaxBytes: bad as number }, 'Stream.fromKafka'),
      { code: 'TS_BAD_ARGUMENT', message: /Stream\.fromKafka: fetchMaxBytes = .* expected a positive integer/ },
    );
  }
});
