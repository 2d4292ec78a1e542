// fromKafka / fromKafkaBatched / toKafka against the real broker: round trips, at-least-once commits on the
// reference count, dead letters, batching.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Consumer } from '@platformatic/kafka';
import {
  KafkaAdmin,
  KafkaProducer,
  type KafkaRecord,
  type KafkaSinkNode,
} from '../../../src/connectors/kafka/index.ts';
import { Stream } from '../../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../../kafka-setup.ts';

let brokers: string[];
let admin: KafkaAdmin;

before(async () => {
  brokers = await kafkaBrokers();
  admin = new KafkaAdmin({ brokers });
});
after(() => admin.close());

/** Starts `source`, collects what reaches its sink until `n` elements arrived, stops it. */
async function collect<T>(
  source: Stream<T> & { start(): void; stop(): void; done: Promise<void> },
  n: number,
  timeoutMs = 30_000,
): Promise<T[]> {
  const out: T[] = [];
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  source.sink((x: T) => {
    out.push(x);
    if (out.length >= n) resolve();
  });
  source.start();
  const timer = setTimeout(resolve, timeoutMs);
  await enough;
  clearTimeout(timer);
  source.stop();
  await source.done;
  return out;
}

async function committed(groupId: string, topic: string): Promise<bigint[]> {
  const consumer = new Consumer({ clientId: 'check', groupId, bootstrapBrokers: brokers });
  try {
    const offsets = await consumer.listCommittedOffsets({ topics: [{ topic, partitions: [0] }] } as any);
    return [...((offsets as Map<string, bigint[]>).get(topic) ?? [])];
  } finally {
    await consumer.close(true);
  }
}

test('toKafka writes keyed JSON and fromKafka reads it back, in order per partition', async () => {
  const topic = uniqueName('roundtrip');
  await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  const input = new Stream<{ sensor: string; value: number }>();
  const sink: KafkaSinkNode = input.toKafka(topic, {
    brokers,
    key: 'sensor',
    headers: (x) => ({ unit: 'C', n: String(x.value) }),
  });
  for (let i = 0; i < 300; i++) {
    const r = input.emit({ sensor: `s${i % 5}`, value: i });
    if (r) await r;
  }
  await sink.close();
  assert.equal(sink.sent, 300);
  const source = Stream.fromKafka<string, { sensor: string; value: number }>(topic, {
    brokers,
    groupId: uniqueName('g'),
    autoOffsetReset: 'earliest',
  });
  const records = await collect(source, 300);
  assert.equal(records.length, 300);
  for (const r of records) {
    assert.equal(r.key, r.value.sensor);
    assert.equal(r.headers.unit?.toString(), 'C');
    assert.equal(r.headers.n?.toString(), String(r.value.value));
    assert.equal(r.topic, topic);
  }
  // One key, one partition; within it, the order of writing.
  const bySensor = new Map<string, KafkaRecord<string, { value: number }>[]>();
  for (const r of records) bySensor.set(r.key, [...(bySensor.get(r.key) ?? []), r]);
  for (const rs of bySensor.values()) {
    assert.equal(new Set(rs.map((r) => r.partition)).size, 1);
    const values = rs.map((r) => r.value.value);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
    );
  }
});

test('an element still held downstream is not committed; the next run reads it again', async () => {
  const topic = uniqueName('alo');
  const groupId = uniqueName('g');
  await admin.ensureTopics([{ name: topic, partitions: 1 }]);
  const input = new Stream<number>();
  const sink = input.toKafka(topic, { brokers, valueSerializer: 'int' });
  for (let i = 0; i < 10; i++) input.emit(i);
  await sink.close();

  const first = Stream.fromKafka<string, number>(topic, {
    brokers,
    groupId,
    autoOffsetReset: 'earliest',
    value: 'int',
    commitInterval: 50,
  });
  const seen: number[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // The sink finishes offsets 0..4 at once and holds offset 5 (an async sink still working on it).
  first.sink((r) => {
    seen.push(r.value);
    return r.offset === 5 ? held : undefined;
  });
  first.start();
  while (seen.length < 6) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // several commit intervals
  first.stop();
  await first.done;
  release();
  assert.deepEqual(await committed(groupId, topic), [5n]);

  const second = Stream.fromKafka<string, number>(topic, {
    brokers,
    groupId,
    autoOffsetReset: 'earliest',
    value: 'int',
  });
  const again = await collect(second, 5);
  assert.deepEqual(
    again.map((r) => r.value),
    [5, 6, 7, 8, 9],
  );
  assert.deepEqual(await committed(groupId, topic), [10n]);
});

test('malformed messages are dead-lettered with the reason and the rest flows', async () => {
  const topic = uniqueName('dirty');
  const dlq = `${topic}-dlq`;
  await admin.ensureTopics([{ name: topic }, { name: dlq }]);
  const raw = new Stream<string>();
  const sink = raw.toKafka(topic, { brokers, valueSerializer: 'string' });
  for (const v of [
    '{"ts":"2024-06-14T10:00:00Z","value":1}',
    '{not json',
    '{"value":2}',
    '{"ts":"2024-06-14T10:00:01Z","value":3}',
  ])
    raw.emit(v);
  await sink.close();
  const letters: string[] = [];
  const source = Stream.fromKafka<string, { ts: string; value: number }>(topic, {
    brokers,
    groupId: uniqueName('g'),
    autoOffsetReset: 'earliest',
    timestamp: (v) => v.ts,
    deadLetterTopic: dlq,
    onDeadLetter: (l) => letters.push(`${l.code}@${l.offset}`),
  });
  const good = await collect(source, 2);
  assert.deepEqual(
    good.map((r) => [r.value.value, r.timestamp]),
    [
      [1, Date.parse('2024-06-14T10:00:00Z')],
      [3, Date.parse('2024-06-14T10:00:01Z')],
    ],
  );
  assert.deepEqual(letters, ['TS_KAFKA_DESERIALIZE@1', 'TS_KAFKA_BAD_TIMESTAMP@2']);
  assert.equal(source.counters.deadLettered, 2);
  const dead = await collect(
    Stream.fromKafka<string, string>(dlq, {
      brokers,
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      value: 'string',
    }),
    2,
  );
  assert.equal(dead[0]!.value, '{not json');
  assert.equal(dead[0]!.headers['x-error-code']?.toString(), 'TS_KAFKA_DESERIALIZE');
  assert.match(dead[0]!.headers['x-error-reason']!.toString(), /malformed JSON/);
  assert.equal(dead[0]!.headers['x-source-topic']?.toString(), topic);
  assert.equal(dead[0]!.headers['x-source-partition']?.toString(), '0');
  assert.equal(dead[0]!.headers['x-source-offset']?.toString(), '1');
  assert.equal(dead[1]!.headers['x-error-code']?.toString(), 'TS_KAFKA_BAD_TIMESTAMP');
  assert.match(dead[1]!.headers['x-error-reason']!.toString(), /missing timestamp/);
});

test('fromKafkaBatched emits batches per partition no larger than maxBatchSize', async () => {
  const topic = uniqueName('batched');
  await admin.ensureTopics([{ name: topic, partitions: 2 }]);
  const input = new Stream<number>();
  const sink = input.toKafka(topic, { brokers, partition: (x) => x % 2, compression: 'lz4', batchSize: 100 });
  for (let i = 0; i < 1000; i++) input.emit(i);
  await sink.close();
  const source = Stream.fromKafkaBatched<string, number>(
    topic,
    { brokers, groupId: uniqueName('g'), autoOffsetReset: 'earliest' },
    { maxBatchSize: 64, pollInterval: '100ms' },
  );
  const batches: KafkaRecord<string, number>[][] = [];
  let total = 0;
  await new Promise<void>((resolve) => {
    source.sink((b) => {
      batches.push(b);
      total += b.length;
      if (total >= 1000) resolve();
    });
    source.start();
  });
  source.stop();
  await source.done;
  assert.equal(total, 1000);
  for (const b of batches) {
    assert.ok(b.length >= 1 && b.length <= 64);
    assert.equal(new Set(b.map((r) => r.partition)).size, 1);
    for (const r of b) assert.equal(r.value % 2, r.partition);
  }
});

test('a dead-letter topic that does not exist yet is created at start, and bad records go there', async () => {
  const topic = uniqueName('dlq-missing');
  const dlq = `${topic}-dlq`;
  await admin.ensureTopics([{ name: topic }]);
  assert.equal((await admin.topicNames()).has(dlq), false);
  const raw = new Stream<string>();
  const sink = raw.toKafka(topic, { brokers, valueSerializer: 'string' });
  for (const v of ['{"value":1}', '{not json', '{"value":2}']) raw.emit(v);
  await sink.close();
  const letters: string[] = [];
  const source = Stream.fromKafka<string, { value: number }>(topic, {
    brokers,
    groupId: uniqueName('g'),
    autoOffsetReset: 'earliest',
    deadLetterTopic: dlq,
    onDeadLetter: (l) => letters.push(`${l.code}@${l.offset}`),
  });
  const good = await collect(source, 2);
  assert.deepEqual(
    good.map((r) => r.value.value),
    [1, 2],
  );
  assert.deepEqual(letters, ['TS_KAFKA_DESERIALIZE@1']);
  const dead = await collect(
    Stream.fromKafka<string, string>(dlq, {
      brokers,
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      value: 'string',
    }),
    1,
  );
  assert.equal(dead[0]?.value, '{not json');
});

test('the key "" is a key (windows count it), and a header named "__proto__" is a header', async () => {
  const topic = uniqueName('empty-key');
  await admin.ensureTopics([{ name: topic }]);
  const producer = new KafkaProducer({ brokers });
  const ts = Date.parse('2024-06-14T10:00:00Z');
  const json = (v: number) => Buffer.from(JSON.stringify({ v }));
  await producer.send([
    { topic, key: Buffer.alloc(0), value: json(1), timestamp: ts },
    { topic, value: json(2), timestamp: ts + 1 },
    {
      topic,
      key: Buffer.alloc(0),
      value: json(3),
      timestamp: ts + 2,
      headers: new Map([['__proto__', Buffer.from('p')]]),
    },
    { topic, key: Buffer.from('a'), value: json(4), timestamp: ts + 3 },
    { topic, key: Buffer.alloc(0), value: json(5), timestamp: ts + 60_000 }, // closes the first minute of ""
  ]);
  await producer.close();
  const source = Stream.fromKafka<string | null, { v: number }>(topic, {
    brokers,
    groupId: uniqueName('g'),
    autoOffsetReset: 'earliest',
  });
  const counts = source
    .tumblingWindow('1m', { value: (r: any) => r.value.v })
    .count()
    .final()
    .sinkToList();
  const records = await collect(source, 5);
  assert.deepEqual(
    records.map((r) => r.key),
    ['', null, '', 'a', ''],
  );
  assert.equal(Object.getOwnPropertyDescriptor(records[2]!.headers, '__proto__')?.value.toString(), 'p');
  assert.equal(Object.prototype.isPrototypeOf.call(Object.prototype, records[2]!.headers), false);
  // The keyless record is skipped by the keyed window; the two records keyed "" are counted.
  assert.deepEqual(
    counts.map((w: any) => [w.key, w.value]),
    [['', 2]],
  );
});
