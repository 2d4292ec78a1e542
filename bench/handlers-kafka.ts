// The kafka handler's ingest: messages/s from a topic into its bounded time index, side by side with twinstream's
// Kafka source into a sink that does nothing (the ceiling: the same consumer without the handler), and the
// process's memory while it runs — it should stay flat at the retention bound (maxRows), whatever the topic holds.
// Starts its own broker.
//   node bench/handlers-kafka.ts [--messages 300000] [--max-rows 10000]
import { KafkaAdmin, KafkaProducer, KafkaSource } from '../src/connectors/kafka/index.ts';
import '../src/core/index.ts';
import { startKafka } from '../scripts/kafka.ts';
import { KafkaHandler } from '../src/handlers/index.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const N = opt('messages', 300_000);
const MAX_ROWS = opt('max-rows', 10_000);

const kafka = await startKafka({ heap: '1g' });
const brokers = kafka.brokers;
const admin = new KafkaAdmin({ brokers });
const topic = `bench-handler-${Date.now()}`;
await admin.ensureTopics([{ name: topic, partitions: 1 }]);
const producer = new KafkaProducer({ brokers });
for (let i = 0; i < N; i += 10_000) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + 10_000); j++) {
    const row: Record<string, number> = { t: j * 0.1 };
    for (let c = 0; c < 8; c++) row[`v${c}`] = Math.sin(j * 0.001 * (c + 1));
    batch.push({ topic, value: Buffer.from(JSON.stringify(row)), partition: 0 });
  }
  await producer.send(batch);
}
await producer.close();

const mb = () => process.memoryUsage().rss / 2 ** 20;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function until(done: () => boolean, sample: () => void): Promise<void> {
  while (!done()) {
    sample();
    await new Promise((r) => setTimeout(r, 20));
  }
}

console.log(`\n${N.toLocaleString('en')} JSON messages of 8 values, one partition, read from the start\n`);
console.log('| variant | messages/s | CPU µs/message | RSS MiB at each tenth of the run |');
console.log('| --- | ---: | ---: | --- |');
// The group join and the JIT are left out: each variant runs twice (the first run warms up), and the clock starts
// at the first message. CPU is the whole run's.
async function rawSource(): Promise<[number, number]> {
  const source = new KafkaSource(topic, { brokers, groupId: `bench-raw-${Date.now()}`, autoOffsetReset: 'earliest' });
  let n = 0;
  let first = 0;
  source.sink(() => {
    if (n++ === 0) first = performance.now();
  });
  const c0 = cpu();
  source.start();
  await until(
    () => n >= N,
    () => {},
  );
  const result: [number, number] = [N / ((performance.now() - first) / 1000), ((cpu() - c0) / N) * 1e6];
  source.stop();
  await source.done;
  return result;
}

async function handler(): Promise<[number, number, number[]]> {
  const h = new KafkaHandler({ topic, brokers, maxRows: MAX_ROWS, interpolation: 'linear' });
  for (let c = 0; c < 8; c++) h.addVariable(['model', `v${c}`], `v${c}`);
  const rss: number[] = [];
  const c0 = cpu();
  await h.start();
  let first = 0;
  let next = N / 10;
  await until(
    () => h.received >= N,
    () => {
      if (first === 0 && h.received > 0) first = performance.now();
      if (h.received >= next) {
        rss.push(mb());
        next += N / 10;
      }
    },
  );
  const result: [number, number, number[]] = [N / ((performance.now() - first) / 1000), ((cpu() - c0) / N) * 1e6, rss];
  await h.waitFor((N - 1) * 0.1);
  console.error(
    `rows held at the end: ${(h as any).index.length}; v0 at the last time: ${h.getData((N - 1) * 0.1)['model.v0']!.toFixed(4)}`,
  );
  await h.stop();
  return result;
}

await rawSource();
const [rawRate, rawCpu] = await rawSource();
await handler();
const [rate, perMessage, rss] = await handler();
console.log(
  `| Kafka source into a no-op sink (the ceiling) | ${Math.round(rawRate).toLocaleString('en')} | ${rawCpu.toFixed(2)} | — |`,
);
console.log(
  `| kafka handler into its index (maxRows ${MAX_ROWS.toLocaleString('en')}) | ${Math.round(rate).toLocaleString('en')} | ${perMessage.toFixed(2)} | ${rss.map((r) => r.toFixed(0)).join(' ')} |`,
);
console.log(`\nthe handler at ${(rate / rawRate).toFixed(2)}× the bare source's rate`);
await admin.close();
await kafka.stop();
