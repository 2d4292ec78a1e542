// KafkaEgress against the real broker: a small simulation at factor 0, its topics read back with the Kafka
// connector, every record checked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KafkaAdmin, KafkaProducer, type KafkaRecord } from '../../../src/connectors/kafka/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';
import { KafkaEgress, RealtimeEnvironment } from '../../../src/sim/index.ts';
import { runModel } from '../../../src/sim/model/index.ts';
import { kafkaBrokers, uniqueName } from '../../kafka-setup.ts';

let brokers: string[];
let admin: KafkaAdmin;

before(async () => {
  brokers = await kafkaBrokers();
  admin = new KafkaAdmin({ brokers });
});
after(() => admin.close());

/** Reads `n` records of `topic` from the beginning (or fewer, after `timeoutMs`). */
async function readBack<V>(topic: string, n: number, timeoutMs = 30_000): Promise<KafkaRecord<string, V>[]> {
  const source = Stream.fromKafka<string, V>(topic, {
    brokers,
    groupId: uniqueName('check'),
    autoOffsetReset: 'earliest',
    key: 'string',
    value: 'json',
  });
  const out: KafkaRecord<string, V>[] = [];
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  source.sink((r: KafkaRecord<string, V>) => {
    out.push(r);
    if (out.length >= n) resolve();
  });
  source.start();
  const timer = setTimeout(resolve, timeoutMs);
  await enough;
  clearTimeout(timer);
  // A little longer: nothing more than n may arrive.
  await new Promise((r) => setTimeout(r, 300));
  source.stop();
  await source.done;
  return out;
}

const START = Date.parse('2024-01-01T00:00:00Z');

/** Two machines publish telemetry every 10 s; jobs publish queued/finished events; 100 simulated seconds. */
function smallSimulation(env: RealtimeEnvironment): void {
  for (const m of ['m1', 'm2']) {
    env.process(
      (function* () {
        for (let i = 0; ; i++) {
          env.publishTelemetry(`Line_A.${m}.temperature`, 20 + i);
          yield env.timeout(10);
        }
      })(),
    );
  }
  env.process(
    (function* () {
      for (let id = 0; ; id++) {
        env.publishEvent(`task-${id}`, { path_id: 'Line_A.service.milling', status: 'queued' });
        env.process(
          (function* () {
            yield env.timeout(3);
            env.publishEvent(`task-${id}`, { path_id: 'Line_A.service.milling', status: 'finished' });
          })(),
        );
        yield env.timeout(7);
      }
    })(),
  );
}

test('telemetry and events go to their topics, keyed, JSON, every record as published', async () => {
  const telemetryTopic = uniqueName('sim-telemetry');
  const eventTopic = uniqueName('sim-events');
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: START });
  const sink = new KafkaEgress({ brokers, topicRouter: { telemetry: telemetryTopic, event: eventTopic } });
  env.setupEgress([sink], { batchSize: 8, flushInterval: 25 });
  smallSimulation(env);
  await env.run({ until: 100 });
  await env.teardown();
  // Telemetry at 0, 10, ... 90 for two machines; tasks arrive at 0, 7, ... 98 (15), finish 3 later unless past 100.
  const expectedEvents = 15 + 14;
  assert.equal(sink.counters.sent, 20 + expectedEvents);

  const telemetry = await readBack<Record<string, unknown>>(telemetryTopic, 20);
  assert.equal(telemetry.length, 20);
  for (const m of ['m1', 'm2']) {
    const mine = telemetry.filter((r) => r.key === `Line_A.${m}.temperature`);
    assert.deepEqual(
      mine.map((r) => r.value),
      Array.from({ length: 10 }, (_, i) => ({
        stream_type: 'telemetry',
        path_id: `Line_A.${m}.temperature`,
        value: 20 + i,
        sim_ts: i * 10,
        timestamp: new Date(START + i * 10_000).toISOString(),
      })),
    );
    for (const r of mine) assert.equal(r.timestamp, Date.parse(r.value.timestamp as string)); // logical time
  }

  const events = await readBack<Record<string, any>>(eventTopic, expectedEvents);
  assert.equal(events.length, expectedEvents);
  for (const r of events) {
    assert.deepEqual(Object.keys(r.value).sort(), ['key', 'sim_ts', 'stream_type', 'timestamp', 'value']);
    assert.equal(r.key, r.value.key);
    assert.equal(r.value.stream_type, 'event');
    assert.equal(r.value.value.path_id, 'Line_A.service.milling');
    const id = Number(/^task-(\d+)$/.exec(r.key)![1]);
    assert.equal(r.value.sim_ts, id * 7 + (r.value.value.status === 'finished' ? 3 : 0));
    assert.equal(r.value.timestamp, new Date(START + r.value.sim_ts * 1000).toISOString());
  }
  assert.equal(events.filter((r) => r.value.value.status === 'queued').length, 15);
});

test('a function router reshapes copies and drops records; a shared producer is left open', async () => {
  const topic = uniqueName('sim-flat');
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: START });
  const producer = new KafkaProducer({ brokers });
  const sink = new KafkaEgress({
    brokers,
    producer,
    topicRouter: (r) => {
      if (r.stream_type !== 'event') return null;
      Object.assign(r, r.value as object);
      delete r.value;
      return topic;
    },
    key: (r) => (r.stream_type === 'event' ? `k-${r.key}` : null),
  });
  env.setupEgress([sink], { batchSize: 1000 });
  smallSimulation(env);
  await env.run({ until: 20 });
  await env.teardown();
  assert.equal(sink.counters.dropped, 4); // telemetry at 0 and 10 of two machines
  await producer.send([{ topic, value: Buffer.from('{"after":"teardown"}') }]); // still open
  await producer.close();
  // Tasks arrive at 0, 7, 14 and finish at 3, 10, 17; the message sent after teardown comes last.
  const events = await readBack<Record<string, unknown>>(topic, 7);
  assert.equal(events.length, 7);
  assert.deepEqual(events.pop()!.value, { after: 'teardown' });
  for (const r of events) {
    assert.equal(r.key, `k-${r.value.key}`);
    assert.equal(r.value.path_id, 'Line_A.service.milling');
    assert.ok(r.value.status === 'queued' || r.value.status === 'finished');
    assert.equal('value' in r.value, false);
  }
});

test('a declarative model writes to Kafka through a kafka sink', async () => {
  const prefix = uniqueName('model');
  const summary = await runModel(
    {
      simId: 'Line_A',
      arrival: { standard: { dist: 'constant', value: 10 } },
      service: { milling: { dist: 'constant', value: 4 } },
      resources: { lathe: { currentCap: 1, maxCap: 2 } },
      flows: [{ name: 'main', arrival: 'standard', steps: [{ resource: 'lathe', service: 'milling' }] }],
      telemetry: { interval: 50 },
      run: { until: 100, logicalStartTime: '2024-01-01T00:00:00Z' },
      egress: {
        sinks: [
          {
            type: 'kafka',
            brokers: brokers.join(','),
            topics: { event: `${prefix}-events`, telemetry: `${prefix}-telemetry` },
            flatten: true,
          },
        ],
      },
    } as never,
    { print: () => {} },
  );
  const published = Object.values(summary.statuses).reduce((a, b) => a + b, 0);
  const events = await readBack<Record<string, unknown>>(`${prefix}-events`, published);
  assert.equal(events.length, published);
  for (const r of events) {
    assert.equal(r.value.path_id, 'Line_A.service.milling'); // flattened
    assert.ok(['queued', 'started', 'finished'].includes(r.value.status as string));
    assert.equal(r.key, r.value.key);
  }
  const telemetry = await readBack<Record<string, unknown>>(
    `${prefix}-telemetry`,
    summary.recordsPublished - published,
  );
  assert.equal(telemetry.length, summary.recordsPublished - published);
  assert.ok(telemetry.length >= 8, `${telemetry.length} telemetry records`);
  for (const r of telemetry) assert.equal(r.key, r.value.path_id);
});

test('bad options are errors at construction', () => {
  assert.throws(() => new KafkaEgress({ brokers, topicRouter: 42 as never }), TwinstreamError);
  assert.throws(() => new KafkaEgress({ brokers, topicRouter: { metrics: 'x' } as never }), /topicRouter\.metrics/);
  assert.throws(() => new KafkaEgress({ brokers: 'nope' }), /brokers/);
  assert.throws(() => new KafkaEgress({ brokers, valueSerializer: 'yaml' as never }), /valueSerializer/);
});
