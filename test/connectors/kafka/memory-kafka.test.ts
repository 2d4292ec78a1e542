// The in-memory cluster behind the Kafka port: partitioning as the producer does it, consumer groups with
// assignments and rebalances, transactions (commit, abort, fencing) and read_committed readers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaProducer, kafkaMurmur2, MemoryKafka, type PortMessages } from '../../../src/connectors/kafka/index.ts';
import type { RawMessage } from '../../../src/connectors/kafka/record-decoder.ts';
import { Stream } from '../../../src/index.ts';
import { VirtualClock } from '../../../src/time/clock.ts';

/** Everything `messages` delivers until a turn of the event loop passes without news. */
async function drain(messages: PortMessages): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  messages.on('data', (m) => out.push(m));
  for (let n = -1; n !== out.length; ) {
    n = out.length;
    // Deliveries run on setImmediate: a turn of it, then a timer turn.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 2));
  }
  return out;
}

test('a keyed message goes to the partition Kafka’s default partitioner picks (murmur2 of the key)', async () => {
  const kafka = new MemoryKafka();
  kafka.createTopic('t', 6);
  const producer = new KafkaProducer({ brokers: kafka.brokers, client: kafka });
  const keys = Array.from({ length: 50 }, (_, i) => `sensor-${i}`);
  await producer.send(keys.map((k) => ({ topic: 't', key: Buffer.from(k), value: Buffer.from('1') })));
  for (const r of kafka.read('t')) {
    assert.equal(r.partition, (kafkaMurmur2(Buffer.from(r.key!)) & 0x7fffffff) % 6, r.key);
  }
  assert.equal(kafka.read('t').length, 50);
});

test('a group spreads the partitions over its members and spreads them again when one leaves', async () => {
  const kafka = new MemoryKafka();
  kafka.createTopic('t', 4);
  const joins: string[][] = [[], []];
  const consumers = await Promise.all([0, 1].map(() => kafka.consumer({ groupId: 'g' }, false)));
  for (const [i, c] of consumers.entries()) {
    c.on('consumer:group:join', ({ assignments }) => {
      joins[i]!.push((assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)).join(','));
    });
  }
  const opts = {
    topics: ['t'],
    mode: 'committed' as const,
    fallbackMode: 'earliest' as const,
    autocommit: false as const,
  };
  await consumers[0]!.consume(opts);
  await consumers[1]!.consume(opts);
  assert.deepEqual(joins, [['t:0,t:1,t:2,t:3', 't:0,t:2'], ['t:1,t:3']]);
  await consumers[0]!.close();
  assert.deepEqual(joins[1]!.at(-1), 't:0,t:1,t:2,t:3');
  assert.equal(consumers[1]!.generationId, 3);
});

test('a member reads from the committed offsets; a killed member can commit nothing', async () => {
  const kafka = new MemoryKafka();
  kafka.produce(
    't',
    [1, 2, 3, 4].map((v) => ({ value: v })),
  );
  const a = await kafka.consumer({ groupId: 'g', clientId: 'a-consumer' }, false);
  const got = await drain(
    await a.consume({ topics: ['t'], mode: 'committed', fallbackMode: 'earliest', autocommit: false }),
  );
  assert.deepEqual(
    got.map((m) => Number(m.offset)),
    [0, 1, 2, 3],
  );
  await a.commit({ offsets: [{ topic: 't', partition: 0, offset: 2n, leaderEpoch: -1 }] });
  kafka.crash('a');
  await assert.rejects(
    a.commit({ offsets: [{ topic: 't', partition: 0, offset: 4n, leaderEpoch: -1 }] }),
    /UNKNOWN_MEMBER_ID/,
  );
  const b = await kafka.consumer({ groupId: 'g', clientId: 'b-consumer' }, false);
  const again = await drain(
    await b.consume({ topics: ['t'], mode: 'committed', fallbackMode: 'earliest', autocommit: false }),
  );
  assert.deepEqual(
    again.map((m) => Number(m.offset)),
    [2, 3],
  );
});

test('transactions: read_committed sees committed ones only, and nothing past an open one; a newer producer fences', async () => {
  const kafka = new MemoryKafka();
  const producer = await kafka.producer({ transactionalId: 'tx' });
  const send = (tx: Awaited<ReturnType<typeof producer.beginTransaction>>, v: string) =>
    tx.send({ messages: [{ topic: 't', value: Buffer.from(v) }] });
  let tx = await producer.beginTransaction();
  await send(tx, 'aborted');
  await tx.abort();
  tx = await producer.beginTransaction();
  await send(tx, 'committed');
  await tx.commit();
  tx = await producer.beginTransaction();
  await send(tx, 'open');
  kafka.produce('t', [{ value: 'plain, after the open one' }]);
  const read = async (committed: boolean) => {
    const c = await kafka.consumer({ groupId: `r${Math.random()}` }, committed);
    const m = await drain(
      await c.consume({ topics: ['t'], mode: 'committed', fallbackMode: 'earliest', autocommit: false }),
    );
    await c.close();
    return m.map((x) => x.value!.toString());
  };
  assert.deepEqual(await read(true), ['committed']);
  assert.deepEqual(await read(false), ['aborted', 'committed', 'open', 'plain, after the open one']);
  // A new producer with the same transactional id aborts the open transaction and fences the old producer.
  const successor = await kafka.producer({ transactionalId: 'tx' });
  await (await successor.beginTransaction()).cancel();
  await assert.rejects(tx.commit(), /fenced/);
  assert.deepEqual(await read(true), ['committed', 'plain, after the open one']);
});

test('a transaction commits the group offsets it was given, for a member of the current generation only', async () => {
  const kafka = new MemoryKafka();
  kafka.produce('in', [{ value: 1 }, { value: 2 }]);
  const consumer = await kafka.consumer({ groupId: 'g' }, true);
  await consumer.consume({ topics: ['in'], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  const producer = await kafka.producer({ transactionalId: 'tx' });
  const tx = await producer.beginTransaction();
  await tx.addConsumer(consumer);
  const member = { consumer: { generationId: consumer.generationId } };
  await tx.addOffset({ topic: 'in', partition: 0, offset: 1n, metadata: member });
  await tx.commit();
  assert.deepEqual(kafka.committed('g', 'in'), [2]);
  const stale = await producer.beginTransaction();
  await stale.addConsumer(consumer);
  await assert.rejects(
    stale.addOffset({ topic: 'in', partition: 0, offset: 1n, metadata: { consumer: { generationId: 0 } } }),
    /ILLEGAL_GENERATION/,
  );
});

test('fromKafka on the in-memory cluster, in virtual time: commits every commitInterval of the virtual clock', async () => {
  const clock = new VirtualClock(0);
  const kafka = new MemoryKafka({ clock });
  kafka.produce(
    't',
    [1, 2, 3].map((v) => ({ value: v })),
  );
  const source = Stream.fromKafka<string, number>(
    't',
    { brokers: kafka.brokers, client: kafka, groupId: 'g', autoOffsetReset: 'earliest', commitInterval: '5s' },
    { clock },
  );
  const seen: number[] = [];
  source.sink((r) => seen.push(r.value));
  source.start();
  await clock.advance(10);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(kafka.committed('g', 't'), [-1], 'not before the commit interval');
  await clock.advance(5000);
  assert.deepEqual(kafka.committed('g', 't'), [3]);
  source.stop();
  await source.done;
});
