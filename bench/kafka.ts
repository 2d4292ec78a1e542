// Kafka, side by side on one broker in one run (see PERF.md):
//   produce   batched produce rate: twinstream's toKafka sink vs the raw @platformatic/kafka producer
//   consume   consume JSON -> 10 s tumbling window per key (count/min/max/mean) -> produce:
//             twinstream's Application vs the raw @platformatic/kafka consumer (JSON.parse only, no window, no
//             produce: the ceiling) vs quixstreams (PyPI, in ~/.cache/twinstream/quix-venv; skipped with a note
//             when absent — `python3 -m venv ~/.cache/twinstream/quix-venv && …/pip install quixstreams`)
//   node bench/kafka.ts [--n 500000] [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Producer } from '@platformatic/kafka';
import { startKafka } from '../scripts/kafka.ts';
import { Application, count, KafkaAdmin, max, mean, min, Stream } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const nArg = process.argv.indexOf('--n');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : quick ? 200_000 : 500_000;
const KEYS = 100;
const BATCH = 10_000;

const kafka = await startKafka({ heap: '1g' });
const brokers = kafka.brokers;
const admin = new KafkaAdmin({ brokers });
const results: Record<string, { messages: number; seconds: number; rate: number }> = {};
const record = (name: string, messages: number, seconds: number) => {
  results[name] = { messages, seconds, rate: messages / seconds };
  console.log(
    `${name.padEnd(44)} ${String(Math.round(messages / seconds)).padStart(9)} msg/s  (${messages} in ${seconds.toFixed(2)} s)`,
  );
};

function reading(i: number): { sensor: string; value: number; t: number } {
  return { sensor: `sensor-${i % KEYS}`, value: (i * 7919) % 101, t: 1_700_000_000_000 + i * 10 };
}

try {
  // --- produce -------------------------------------------------------------------------------------------------
  const rawTopic = 'bench-produce-raw';
  const sinkTopic = 'bench-produce-twinstream';
  const input = 'bench-readings';
  await admin.ensureTopics([{ name: rawTopic }, { name: sinkTopic }, { name: input }]);
  const values = Array.from({ length: N }, (_, i) => Buffer.from(JSON.stringify(reading(i))));
  const keys = Array.from({ length: KEYS }, (_, k) => Buffer.from(`sensor-${k}`));

  for (const compression of ['none', 'lz4'] as const) {
    const raw = new Producer({ clientId: 'bench', bootstrapBrokers: brokers, compression });
    let t0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < N; i += BATCH) {
      const messages = [];
      for (let j = i; j < Math.min(N, i + BATCH); j++) {
        messages.push({ topic: rawTopic, key: keys[j % KEYS]!, value: values[j]!, timestamp: BigInt(reading(j).t) });
      }
      inflight.push(raw.send({ messages, acks: -1 }));
      if (inflight.length >= 4) await inflight.shift();
    }
    await Promise.all(inflight);
    record(`produce ${compression}: raw @platformatic/kafka send()`, N, (performance.now() - t0) / 1000);
    await raw.close();

    const source = new Stream<{ sensor: string; value: number; t: number }>();
    const sink = source.toKafka(sinkTopic, {
      brokers,
      key: 'sensor',
      timestamp: (x) => x.t,
      batchSize: BATCH,
      maxInFlight: 4,
      compression,
    });
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const r = source.emit(reading(i));
      if (r !== undefined) await r;
    }
    await sink.close();
    record(`produce ${compression}: twinstream toKafka (JSON serialize)`, N, (performance.now() - t0) / 1000);
  }

  // The input of the consume benchmarks: the readings, keyed, stamped with their event time.
  const load = new Stream<{ sensor: string; value: number; t: number }>();
  const loader = load.toKafka(input, {
    brokers,
    key: 'sensor',
    timestamp: (x) => x.t,
    batchSize: BATCH,
    compression: 'none',
  });
  for (let i = 0; i < N; i++) {
    const r = load.emit(reading(i));
    if (r !== undefined) await r;
  }
  await loader.close();

  // --- consume -------------------------------------------------------------------------------------------------
  {
    const consumer = new Consumer({
      clientId: 'bench',
      groupId: `raw-${Date.now()}`,
      bootstrapBrokers: brokers,
      autocommit: false,
      maxWaitTime: 200,
    });
    const stream = await consumer.consume({ topics: [input], mode: 'earliest' });
    let seen = 0;
    let first = 0;
    let sum = 0;
    await new Promise<void>((resolve) => {
      stream.on('data', (m) => {
        if (seen === 0) first = performance.now();
        sum += JSON.parse(m.value.toString()).value;
        if (++seen === N) resolve();
      });
    });
    record('consume: raw @platformatic/kafka (JSON.parse)', N, (performance.now() - first) / 1000);
    if (sum < 0) console.log(sum);
    await stream.close();
    await consumer.close(true);
  }

  {
    const app = new Application({
      brokers,
      consumerGroup: `twinstream-${Date.now()}`,
      autoOffsetReset: 'earliest',
      deadLetterTopic: false,
    });
    const inTopic = app.topic<string, { value: number }>(input, { value: 'json' });
    const outTopic = app.topic('bench-agg-twinstream', { value: 'json' });
    let first = 0;
    let last = 0;
    let seen = 0;
    const s = app.stream(inTopic);
    s.sink(() => {
      if (seen === 0) first = performance.now();
      if (++seen === N) {
        last = performance.now();
        void app.stop();
      }
    });
    s.tumblingWindow('10s')
      .agg({ count: count(), min: min('value'), max: max('value'), mean: mean('value') })
      .final()
      .map((w) => ({ time: w.end, temperature: { count: w.count, min: w.min, max: w.max, mean: w.mean } }))
      .toTopic(outTopic);
    await app.run();
    record('window: twinstream Application', seen, (last - first) / 1000);
  }

  const python = join(process.env.QUIX_VENV ?? join(homedir(), '.cache', 'twinstream', 'quix-venv'), 'bin', 'python');
  if (existsSync(python)) {
    const run = spawnSync(python, ['bench/kafka-quix.py', brokers.join(','), input, 'bench-agg-quix', String(N)], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const line = run.stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line) as { messages: number; seconds: number };
      record('window: quixstreams (Python)', r.messages, r.seconds);
    } catch {
      console.log(`quixstreams run failed:\n${run.stderr.slice(-2000)}`);
    }
  } else {
    console.log(`quixstreams: not installed at ${python}; skipped`);
  }

  const ratio = (a: string, b: string) =>
    results[a] && results[b] ? (results[a].rate / results[b].rate).toFixed(2) : 'n/a';
  console.log(
    `\ntwinstream window / raw consume: ${ratio('window: twinstream Application', 'consume: raw @platformatic/kafka (JSON.parse)')}`,
  );
  console.log(
    `twinstream window / quixstreams:  ${ratio('window: twinstream Application', 'window: quixstreams (Python)')}`,
  );
  for (const c of ['none', 'lz4']) {
    const r = ratio(
      `produce ${c}: twinstream toKafka (JSON serialize)`,
      `produce ${c}: raw @platformatic/kafka send()`,
    );
    console.log(`toKafka / raw produce (${c}):${' '.repeat(5 - c.length)}   ${r}`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/kafka-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`,
    `${JSON.stringify({ n: N, kafka: kafka.version, results }, null, 2)}\n`,
  );
} finally {
  await admin.close();
  await kafka.stop();
}
