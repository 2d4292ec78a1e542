// read_committed reading drops every aborted transaction (the client alone delivers some of their records: see
// src/connectors/kafka/read-committed.ts). Against the real broker, and on a fetch response built here.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Producer } from '@platformatic/kafka';
import { KafkaAdmin, KafkaProducer, type KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { dropAbortedBatches } from '../../src/connectors/kafka/read-committed.ts';
import { Stream } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

/** A new one-partition topic, and `records(from, n)`: messages `{ id }` for ids from..from+n-1 to it. */
async function topicWithRecords(prefix: string): Promise<{
  topic: string;
  records: (from: number, n: number) => { topic: string; value: Buffer }[];
}> {
  const topic = uniqueName(prefix);
  const admin = new KafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  await admin.close();
  const records = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ topic, value: Buffer.from(JSON.stringify({ id: from + i })) }));
  return { topic, records };
}

test('a read_committed source skips every transaction its producer aborted, not only the last', async () => {
  const { topic, records } = await topicWithRecords('aborted');
  const producer = new KafkaProducer({ brokers, transactionalId: uniqueName('tx') });
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

/** Reads `topic` read_committed with fetches of at most `fetchMaxBytes`, until `n` records or 20 s. */
async function readCommitted(
  topic: string,
  n: number,
  fetchMaxBytes: number,
  isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<number[]> {
  const source = Stream.fromKafka<string, { id: number }>(topic, {
    brokers,
    groupId: uniqueName('reader'),
    autoOffsetReset: 'earliest',
    isolationLevel,
    fetchMaxBytes,
  });
  const got: number[] = [];
  source.sink((r: KafkaRecord<string, { id: number }>) => {
    got.push(r.value.id);
  });
  source.start();
  const by = Date.now() + 20_000;
  while (got.length < n && Date.now() < by) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // anything past the expected records would show up meanwhile
  source.stop();
  await source.done;
  return got;
}

// What a killed exactly-once processor leaves: an aborted transaction, committed ones, then the abort marker of a
// transaction with no records (its successor fenced it after it had added the partition, before its first write).
// The client ended the aborted range at the producer's last abort marker in a response, so it dropped the
// committed transactions in between (11,000 of 100,000 outputs in the fault tests).
test('a read_committed source keeps the committed transactions between an aborted one and a later abort marker', async () => {
  const { topic, records } = await topicWithRecords('aborted-late');
  const producer = new KafkaProducer({ brokers, transactionalId: uniqueName('tx') });
  try {
    await producer.initTransactions();
    // 0-599 aborted (three batches), 1000-1399 committed (two), an empty aborted transaction, 2000-2199 committed.
    let tx = await producer.beginTransaction();
    for (let b = 0; b < 3; b++) await producer.send(records(b * 200, 200), tx);
    await tx.abort();
    tx = await producer.beginTransaction();
    for (let b = 0; b < 2; b++) await producer.send(records(1000 + b * 200, 200), tx);
    await tx.commit();
    tx = await producer.beginTransaction();
    // The client's own objects behind the broker port: an empty transaction needs its partition added by hand.
    const client = (await producer.producer()) as unknown as Producer;
    const metadata = await client.metadata({ topics: [topic] });
    await (tx as unknown as { addPartitions(m: unknown, p: unknown): Promise<void> }).addPartitions(metadata, [
      { topic, partition: 0 },
    ]);
    await tx.abort();
    tx = await producer.beginTransaction();
    await producer.send(records(2000, 200), tx);
    await tx.commit();
  } finally {
    await producer.close();
  }
  const want = [...Array.from({ length: 400 }, (_, i) => 1000 + i), ...Array.from({ length: 200 }, (_, i) => 2000 + i)];
  // One response holding everything, and fetches of one batch each: an aborted batch alone in a response must not
  // stop the reading.
  assert.deepEqual(await readCommitted(topic, want.length, 1024 * 1024), want);
  assert.deepEqual(await readCommitted(topic, want.length, 64), want);
  // Read uncommitted, every record comes, the aborted ones too (the client's own read_committed stays off).
  const all = [...Array.from({ length: 600 }, (_, i) => i), ...want];
  assert.deepEqual(await readCommitted(topic, all.length, 1024 * 1024, 'read_uncommitted'), all);
});

// A restarted exactly-once processor reads its committed offsets after initTransactions: the transaction its killed
// predecessor left open must be over by then (aborted), and the predecessor fenced.
test('initTransactions fences an earlier producer of the same transactional id and aborts its open transaction', async () => {
  const { topic, records } = await topicWithRecords('fenced');
  const id = uniqueName('tx');
  const first = new KafkaProducer({ brokers, transactionalId: id });
  const second = new KafkaProducer({ brokers, transactionalId: id });
  try {
    await first.initTransactions();
    const open = await first.beginTransaction();
    await first.send(records(0, 100), open);
    await second.initTransactions();
    // Nothing committed yet: a read_committed reader's end is the stable offset, past the aborted records only.
    const { Consumer } = await import('@platformatic/kafka');
    const consumer = new Consumer({ bootstrapBrokers: brokers, clientId: 'fence-test', groupId: uniqueName('g') });
    try {
      const stable = (await consumer.listOffsets({ topics: [topic], isolationLevel: 1 })).get(topic)![0]!;
      assert.equal(stable, 101n, 'the open transaction was aborted (100 records and their abort marker)');
    } finally {
      await consumer.close(true);
    }
    await assert.rejects(open.commit(), 'the earlier producer is fenced');
    const tx = await second.beginTransaction();
    await second.send(records(100, 50), tx);
    await tx.commit();
  } finally {
    await first.close();
    await second.close();
  }
  assert.deepEqual(
    await readCommitted(topic, 50, 1024 * 1024),
    Array.from({ length: 50 }, (_, i) => 100 + i),
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
  const kept = response.responses[0]!.partitions[0]!.records;
  assert.deepEqual(
    kept.map((b) => Number(b.firstOffset)),
    [0, 10, 21, 22, 30, 32],
  );
  // The dropped last batch stays as a control batch without records: the client's position moves past it.
  assert.deepEqual(
    { ...kept[5], records: kept[5]!.records.length },
    { ...batches[7], attributes: 0b110000, records: 0 },
  );
  assert.equal(batches[7]!.attributes, 0b10000, "the response's own batch is not changed");
});
