// The produce path: twinstream's record-batch encoder against the client's decoder and against the real broker
// (every key, value, header, timestamp and partition read back), and the 32-bit murmur2 against the client's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as kafka from '@platformatic/kafka';
import { fastProduceInstalled, installFastProduce } from '../../../src/connectors/kafka/fast-produce.ts';
import {
  KafkaAdmin,
  KafkaProducer,
  kafkaMurmur2,
  murmur2Partitioner,
  type OutgoingMessage,
} from '../../../src/connectors/kafka/index.ts';
import { encodeRecordBatch } from '../../../src/connectors/kafka/record-batch.ts';
import { Stream } from '../../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../../kafka-setup.ts';

let brokers: string[];
let admin: KafkaAdmin;

before(async () => {
  brokers = await kafkaBrokers();
  admin = new KafkaAdmin({ brokers });
});
after(() => admin.close());

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

/** Lengths around every varint boundary the encoder has a branch for. */
const LENGTHS = [0, 1, 3, 31, 32, 63, 64, 65, 127, 128, 200, 8191, 8192, 20_000];

function messages(seed: number, n: number, topic: string, withNulls: boolean): OutgoingMessage[] {
  const rnd = random(seed);
  const pick = () => LENGTHS[Math.floor(rnd() * rnd() * LENGTHS.length)]!;
  const base = Date.now() - 86_400_000;
  const out: OutgoingMessage[] = [];
  for (let i = 0; i < n; i++) {
    const headers = new Map<string, Buffer>();
    const nh = Math.floor(rnd() * 3);
    for (let h = 0; h < nh; h++) headers.set(`h${h}-${Math.floor(rnd() * 1000)}`, bytes(rnd, pick()));
    out.push({
      topic,
      key: withNulls && rnd() < 0.1 ? undefined : Buffer.from(`key-${Math.floor(rnd() * 40)}`),
      value: withNulls && rnd() < 0.05 ? null : bytes(rnd, pick()),
      headers: nh > 0 ? headers : undefined,
      // Out of order within a batch: negative timestamp deltas too; some far from the first.
      timestamp: base + Math.floor(rnd() * 3_600_000) - (rnd() < 0.1 ? 40_000_000 : 0),
    });
  }
  return out;
}

test('kafkaMurmur2 equals the client’s (Java-compatible) murmur2 on random keys of every length', () => {
  const rnd = random(7);
  for (let i = 0; i < 2000; i++) {
    const key = bytes(rnd, i % 70);
    assert.equal(kafkaMurmur2(key), kafka.murmur2(key), `key ${key.toString('hex')}`);
  }
});

test('encodeRecordBatch writes what the client decodes, with a valid CRC, for every compression', () => {
  const crc = kafka.crc32c as (b: Buffer) => number;
  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const input = messages(11, 300, 't', true);
    const algorithm = (kafka.compressionsAlgorithms as any)[compression];
    const encoded = encodeRecordBatch(
      input.map((m) => ({
        topic: m.topic,
        key: m.key,
        value: m.value,
        headers: m.headers
          ? new Map([...(m.headers as Map<string, Buffer>)].map(([k, v]) => [Buffer.from(k), v]))
          : undefined,
        timestamp: BigInt(m.timestamp!),
      })),
      compression === 'none'
        ? { producerId: 42n, producerEpoch: 3, baseSequence: 17 }
        : {
            compress: (b) => algorithm.compressSync(b),
            compressionBits: algorithm.bitmask,
            producerId: 42n,
            producerEpoch: 3,
            baseSequence: 17,
            transactional: true,
          },
      crc,
    );
    const batch = kafka.readRecordsBatch(kafka.Reader.from(encoded));
    assert.equal(batch.length, encoded.length - 12, `${compression}: batch length`);
    assert.equal(batch.magic, 2);
    assert.equal(batch.crc, crc(encoded.subarray(21)) >>> 0, `${compression}: CRC`);
    assert.equal(batch.attributes & 7, algorithm.bitmask, `${compression}: compression bits`);
    assert.equal(Boolean(batch.attributes & 0x10), compression !== 'none', `${compression}: transactional bit`);
    assert.equal(batch.producerId, 42n);
    assert.equal(batch.producerEpoch, 3);
    assert.equal(batch.firstSequence, 17);
    assert.equal(batch.lastOffsetDelta, input.length - 1);
    const times = input.map((m) => m.timestamp!);
    assert.equal(batch.firstTimestamp, BigInt(times[0]!));
    assert.equal(batch.maxTimestamp, BigInt(Math.max(...times)));
    assert.equal(batch.records.length, input.length);
    batch.records.forEach((r: any, i: number) => {
      const m = input[i]!;
      const where = `${compression}: record ${i}`;
      assert.equal(r.offsetDelta, i, where);
      assert.equal(BigInt(times[0]!) + r.timestampDelta, BigInt(m.timestamp!), where);
      assert.deepEqual(r.key ?? undefined, m.key, `${where}: key`);
      assert.deepEqual(r.value, m.value, `${where}: value`);
      const headers = [...((m.headers as Map<string, Buffer> | undefined) ?? [])];
      assert.deepEqual(
        r.headers.map(([k, v]: [Buffer, Buffer]) => [k.toString(), v]),
        headers,
        `${where}: headers`,
      );
    });
  }
});

/**
 * Creates the topic and waits until every partition takes writes: right after creation a partition can answer "not
 * the leader" for a moment, and the client's retry of a partly failed request can then write a batch twice (its
 * recovery re-sends under a new producer id), which would blur what these tests compare. One probe message per
 * partition (key "probe", left out of the comparisons) proves each is ready.
 */
async function readyTopic(topic: string, partitions: number): Promise<void> {
  await admin.ensureTopics([{ name: topic, partitions }]);
  const producer = new KafkaProducer({ brokers, recordEncoder: 'client' });
  const probes = Array.from({ length: partitions }, (_, partition) => ({
    topic,
    partition,
    key: Buffer.from('probe'),
    value: Buffer.from('probe'),
  }));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await producer.send(probes);
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await producer.close();
  }
}

/** Reads `n` messages of `topic` from the start, the probes of readyTopic left out. */
async function readAll(topic: string, n: number, readCommitted = false): Promise<any[]> {
  const consumer = new kafka.Consumer({
    clientId: 'check',
    groupId: uniqueName('check'),
    bootstrapBrokers: brokers,
    autocommit: false,
    maxWaitTime: 200,
    ...(readCommitted ? { isolationLevel: 'READ_COMMITTED' } : {}),
  } as any);
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' } as any);
  const out: any[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${n} messages of ${topic}`)), 30_000);
      stream.on('data', (m: any) => {
        if (m.key?.toString() === 'probe') return;
        out.push(m);
        if (out.length === n) {
          clearTimeout(timer);
          resolve();
        }
      });
      stream.on('error', reject);
    });
  } finally {
    await stream.close();
    await consumer.close(true);
  }
  return out;
}

/** Compares what the broker returned with what was sent: per partition, in order, every field. */
function compare(sent: OutgoingMessage[], read: any[], partitions: number, what: string): void {
  const expected = new Map<number, OutgoingMessage[]>();
  for (const m of sent) {
    const p = m.key === undefined ? 0 : (kafka.murmur2(m.key) & 0x7fffffff) % partitions;
    if (!expected.has(p)) expected.set(p, []);
    expected.get(p)!.push(m);
  }
  const got = new Map<number, any[]>();
  const offsets = new Set(read.map((r) => `${r.partition}:${r.offset}`));
  assert.equal(offsets.size, read.length, `${what}: a record was read twice`);
  for (const r of read) {
    if (!got.has(r.partition)) got.set(r.partition, []);
    got.get(r.partition)!.push(r);
  }
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort(), `${what}: partitions`);
  for (const [p, list] of expected) {
    const records = got.get(p)!.sort((a, b) => (a.offset < b.offset ? -1 : 1));
    assert.equal(records.length, list.length, `${what}: partition ${p} count`);
    list.forEach((m, i) => {
      const r = records[i]!;
      const where = `${what}: partition ${p} #${i}`;
      assert.deepEqual(r.key?.length ? r.key : undefined, m.key?.length ? m.key : undefined, `${where} key`);
      assert.deepEqual(r.value?.length ? r.value : null, m.value?.length ? m.value : null, `${where} value`);
      assert.equal(r.timestamp, BigInt(m.timestamp!), `${where} timestamp`);
      const headers = [...((m.headers as Map<string, Buffer> | undefined) ?? [])];
      assert.deepEqual(
        [...(r.headers ?? [])].map(([k, v]: [Buffer, Buffer]) => [k.toString(), v]),
        headers,
        `${where} headers`,
      );
    });
  }
}

for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`KafkaProducer (${compression}) writes batches the broker stores exactly: idempotent sequences over many sends`, async () => {
    const topic = uniqueName(`produce-${compression}`);
    await readyTopic(topic, 3);
    const producer = new KafkaProducer({ brokers, compression });
    const sent = messages(compression.length, 1500, topic, true);
    try {
      // Several sends in flight: the broker checks every batch's sequence against the last one per partition.
      await Promise.all([0, 1, 2, 3, 4].map((k) => producer.send(sent.slice(k * 300, k * 300 + 300))));
      assert.ok(fastProduceInstalled(await producer.producer()), 'the twinstream encoder is in use');
    } finally {
      await producer.close();
    }
    compare(sent, await readAll(topic, sent.length), 3, compression);
  });
}

test('acks none: fire-and-forget requests (no response expected) still write every record', async () => {
  const topic = uniqueName('produce-acks0');
  await readyTopic(topic, 2);
  const producer = new KafkaProducer({ brokers, acks: 'none', compression: 'lz4' });
  const sent = messages(3, 500, topic, true);
  try {
    await producer.send(sent.slice(0, 250));
    await producer.send(sent.slice(250));
  } finally {
    await producer.close();
  }
  compare(sent, await readAll(topic, sent.length), 2, 'acks none');
});

test('a timestamp that is not milliseconds since the epoch fails clearly, naming the field', async () => {
  const producer = new KafkaProducer({ brokers });
  try {
    await assert.rejects(
      producer.send([{ topic: 'never-written', value: Buffer.from('x'), timestamp: Number.NaN }]),
      /KafkaProducer\.send.*timestamp.*milliseconds since the epoch/s,
    );
  } finally {
    await producer.close();
  }
  const input = new Stream<{ t: unknown }>();
  input.toKafka('never-written', { brokers, timestamp: (x) => x.t as number });
  assert.throws(() => input.emit({ t: 'yesterday' }), /toKafka.*timestamp.*milliseconds since the epoch/s);
});

test('the client’s encoder and twinstream’s put the same keys in the same partitions', async () => {
  const topic = uniqueName('produce-both');
  await readyTopic(topic, 5);
  const sent = messages(5, 400, topic, false);
  for (const recordEncoder of ['client', 'twinstream'] as const) {
    const producer = new KafkaProducer({ brokers, recordEncoder, compression: 'lz4' });
    try {
      await producer.send(sent);
      assert.equal(fastProduceInstalled(await producer.producer()), recordEncoder === 'twinstream');
    } finally {
      await producer.close();
    }
  }
  const read = await readAll(topic, 800);
  compare(sent, firstOfEach(read, 0), 5, 'client');
  compare(sent, firstOfEach(read, 1), 5, 'twinstream');
});

/** Per partition, the first (which 0) or second (which 1) half of the records, in offset order. */
function firstOfEach(read: any[], which: 0 | 1): any[] {
  const by = new Map<number, any[]>();
  for (const r of read) {
    if (!by.has(r.partition)) by.set(r.partition, []);
    by.get(r.partition)!.push(r);
  }
  const out: any[] = [];
  for (const list of by.values()) {
    list.sort((a, b) => (a.offset < b.offset ? -1 : 1));
    out.push(...list.slice((which * list.length) / 2, ((which + 1) * list.length) / 2));
  }
  return out;
}

test('a Produce version twinstream does not write (an older broker) is left to the client, messages converted', async () => {
  const topic = uniqueName('produce-older');
  await readyTopic(topic, 3);
  // The broker here speaks v11; without twinstream's v11 the client's own v11 writes the request.
  const { produceV11: _, ...withoutV11 } = kafka;
  const client = new kafka.Producer({ clientId: 'older', bootstrapBrokers: brokers, partitioner: murmur2Partitioner });
  const sent = messages(21, 300, topic, true);
  try {
    assert.ok(installFastProduce(withoutV11 as typeof kafka, client));
    // As KafkaProducer.sendPrepared hands them over: string values, number timestamps (the client's encoder would
    // fail on a number timestamp and write a string's characters as if they were bytes).
    const prepared = sent.map((m) => ({
      topic,
      key: m.key,
      value: m.value === null ? null : m.value!.toString('latin1'),
      headers: m.headers
        ? new Map([...(m.headers as Map<string, Buffer>)].map(([k, v]) => [Buffer.from(k), v]))
        : undefined,
      partition: undefined,
      timestamp: m.timestamp,
    }));
    await client.send({ messages: prepared as any, acks: -1 });
  } finally {
    await client.close();
  }
  const expected = sent.map((m) => ({
    ...m,
    value: m.value === null ? null : Buffer.from(m.value!.toString('latin1')),
  }));
  compare(expected, await readAll(topic, sent.length), 3, 'older version');
});

test('a transactional producer commits batches encoded by twinstream; read_committed sees all of them', async () => {
  const topic = uniqueName('produce-tx');
  await readyTopic(topic, 2);
  const producer = new KafkaProducer({ brokers, transactionalId: uniqueName('tx'), compression: 'lz4' });
  const sent = messages(9, 600, topic, false);
  try {
    await producer.initTransactions();
    const tx = await producer.beginTransaction();
    await producer.send(sent.slice(0, 300), tx);
    await producer.send(sent.slice(300), tx);
    await tx.commit();
  } finally {
    await producer.close();
  }
  compare(sent, await readAll(topic, sent.length, true), 2, 'transactional');
});

for (const recordEncoder of ['twinstream', 'client'] as const) {
  test(`toKafka (${recordEncoder} encoder): JSON values (non-ASCII too), string keys, headers and event-time timestamps round-trip`, async () => {
    const topic = uniqueName('produce-sink');
    await readyTopic(topic, 4);
    const input = new Stream<{ sensor: string; value: number; t: number; note: string }>();
    const sink = input.toKafka(topic, {
      brokers,
      key: 'sensor',
      timestamp: (x) => x.t,
      headers: (x) => (x.value % 3 === 0 ? { unit: '°C', n: String(x.value) } : undefined),
      batchSize: 250,
      compression: 'lz4',
      recordEncoder,
    });
    const notes = ['', 'ok', 'Grüße', 'température ≥ 20 °C', '温度センサー', '🌡️'.repeat(30), 'x'.repeat(70)];
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      sensor: `s-${i % 13}`,
      value: i,
      t: 1_700_000_000_000 + i,
      note: notes[i % notes.length]!,
    }));
    for (const row of rows) {
      const r = input.emit(row);
      if (r !== undefined) await r;
    }
    await sink.close();
    const sent = rows.map((x) => ({
      topic,
      key: Buffer.from(x.sensor),
      value: Buffer.from(JSON.stringify(x)),
      headers:
        x.value % 3 === 0
          ? new Map([
              ['unit', Buffer.from('°C')],
              ['n', Buffer.from(String(x.value))],
            ])
          : undefined,
      timestamp: x.t,
    }));
    compare(sent, await readAll(topic, rows.length), 4, `toKafka (${recordEncoder})`);
  });
}
