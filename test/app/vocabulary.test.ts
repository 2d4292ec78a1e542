// The application speaks the package's vocabulary (groupId, timestamp) and still accepts Quix's names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Application } from '../../src/app/index.ts';

test('the consumer group is groupId; Quix spelling consumerGroup is accepted', () => {
  const app = new Application({ brokers: '127.0.0.1:1', groupId: 'temps' });
  assert.equal(app.config.groupId, 'temps');
  const quix = new Application({ brokers: '127.0.0.1:1', consumerGroup: 'temps-quix' });
  assert.equal(quix.config.groupId, 'temps-quix');
  assert.throws(
    () => new Application({ brokers: '127.0.0.1:1' } as never),
    (e: any) => e.code === 'TS_BAD_ARGUMENT' && /groupId/.test(e.message) && /consumerGroup/.test(e.message),
  );
});

test("a topic's event time is timestamp; Quix spelling timestampExtractor is accepted", () => {
  const app = new Application({ brokers: '127.0.0.1:1', groupId: 'g' });
  const ts = (v: { ts: string }) => v.ts;
  assert.equal(app.topic<string, { ts: string }>('a', { timestamp: ts }).config.timestamp, ts);
  assert.equal(app.topic<string, { ts: string }>('b', { timestampExtractor: ts }).config.timestamp, ts);
  assert.throws(
    () => app.topic('c', { timestampExtractor: 'ts' as never }),
    (e: any) => e.code === 'TS_BAD_ARGUMENT' && /timestampExtractor/.test(e.message),
  );
});
