// Outputs that timers hand to a sink while an exactly-once commit is under way, against the real broker. A window
// with `idleTimeout` closes on the clock, not on input: with commits every 10 ms, many windows close while a
// transaction is committing. Their outputs must go into the next transaction (with their records' offsets), not
// into the committing one, and every window must come out once.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import { KafkaAdmin, KafkaProducer, type KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { count, sum } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

const N = 150;

test('exactly-once: windows closed by the clock during commits come out once each, the run failing nowhere', async () => {
  const input = uniqueName('timers-in');
  const output = uniqueName('timers-out');
  const admin = new KafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: input, partitions: 1 }]);
  await admin.close();
  const app = new Application({
    brokers,
    groupId: uniqueName('timers'),
    autoOffsetReset: 'earliest',
    commitInterval: '10ms',
    processingGuarantee: 'exactly-once',
  });
  const inTopic = app.topic<string, { id: number; ts: number }>(input, {
    value: 'json',
    timestamp: (v) => v.ts,
  });
  // Readings one second apart in event time, written every 25 ms: each one's 10 ms window closes when 15 ms of
  // the clock pass without input (as if event time kept pace), well before the next reading arrives.
  app
    .stream(inTopic)
    .tumblingWindow('10ms', {
      value: (r: KafkaRecord<string, { id: number; ts: number }>) => r.value.id,
      idleTimeout: '15ms',
      namespace: 'timers',
    })
    .agg({ n: count(), ids: sum() })
    .final()
    .toTopic(app.topic(output, { value: 'json' }));
  const running = app.run({ timeout: 3000 });
  const producer = new KafkaProducer({ brokers });
  try {
    for (let i = 0; i < N; i++) {
      await producer.send([
        {
          topic: input,
          key: Buffer.from('k'),
          value: Buffer.from(JSON.stringify({ id: i, ts: 1_700_000_000_000 + i * 1000 })),
        },
      ]);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await producer.close();
  }
  await running; // rejects if a commit or a send failed
  const got = await readAll<{ start: number; n: number; ids: number }>(brokers, output, { expect: N });
  const ids = got.map((r) => r.value.ids).sort((a, b) => a - b);
  assert.deepEqual(
    ids,
    Array.from({ length: N }, (_, i) => i),
    'each reading in its own window, each window once',
  );
  assert.ok(got.every((r) => r.value.n === 1));
});
