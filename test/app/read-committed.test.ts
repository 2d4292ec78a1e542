// read_committed reading drops every aborted transaction (the client alone delivers some of their records: see
// src/connectors/kafka/read-committed.ts). Against the real broker, and on a fetch response built here.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { dropAbortedBatches, KafkaAdmin, KafkaProducer } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

test('a read_committed source skips every transaction its producer aborted, not only the last', async () => {
  const topic = uniqueName('aborted');
  const admin = new KafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  await admin.close();
  const producer = new KafkaProducer({ brokers, transactionalId: uniqueName('tx') });
  const records = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ topic, value: Buffer.from(JSON.stringify({ id: from + i })) }));
  try {
    await producer.initTransactions();
    // Thousands 0, 2 and 4 committed; 1 and 3 aborted, by the same producer (what a restarted exactly-once
    // processor leaves: one producer id, a transaction aborted at each kill).
    for (let t = 0; t < 5; t++) {
      const tx = await producer.beginTransaction();
      await producer.send(records(t * 1000, 1000), tx);
      if (t % 2 === 0) await tx.commit();
      else await tx.abort();
    }
  } finally {
    await producer.close();
  }
  const got = (await readAll<{ id: number }>(brokers, topic, { expect: 3000 })).map((r) => r.value.id);
  const aborted = got.filter((id) => Math.floor(id / 1000) % 2 === 1);
  assert.equal(aborted.length, 0, `${aborted.length} records of aborted transactions were read`);
  assert.deepEqual(
    got,
    [0, 2, 4].flatMap((t) => Array.from({ length: 1000 }, (_, i) => t * 1000 + i)),
  );
});

test('dropAbortedBatches: from an aborted transaction to its marker, with or without the marker in the response', () => {
  const control = (firstOffset: bigint, producerId: bigint, type: number) => {
    const key = Buffer.alloc(4);
    key.writeInt16BE(type, 2);
    return { firstOffset, lastOffsetDelta: 0, producerId, attributes: 0b110000, records: [{ key }] };
  };
  const data = (firstOffset: bigint, n: number, producerId: bigint, transactional = true) => ({
    firstOffset,
    lastOffsetDelta: n - 1,
    producerId,
    attributes: transactional ? 0b10000 : 0,
    records: [],
  });
  // Producer 7: committed at 0-9 (marker 10), aborted at 11-20 (marker 21), committed 22-31 (marker 32).
  // Producer 8: aborted from 25 on, its marker beyond this response. Producer -1: not transactional.
  const batches = [
    data(0n, 10, 7n),
    control(10n, 7n, 1),
    data(11n, 10, 7n),
    control(21n, 7n, 0),
    data(22n, 3, 7n),
    data(25n, 5, 8n),
    data(30n, 2, -1n, false),
    data(32n, 5, 8n),
  ];
  const response = {
    responses: [
      {
        partitions: [
          {
            abortedTransactions: [
              { producerId: 8n, firstOffset: 25n },
              { producerId: 7n, firstOffset: 11n },
            ],
            records: batches,
          },
        ],
      },
    ],
  };
  assert.equal(dropAbortedBatches(response), 3);
  assert.deepEqual(
    response.responses[0]!.partitions[0]!.records.map((b) => Number(b.firstOffset)),
    [0, 10, 21, 22, 30],
  );
});
