// Kafka, side by side on one broker in one run (see PERF.md):
//   produce   batched produce rate, every variant warmed up alike, then rounds in alternating order (median):
//             the raw @platformatic/kafka producer (values serialized beforehand), twinstream's KafkaProducer on the
//             same input, and the toKafka sink (which serializes each element to JSON itself); per variant the
//             rate, this process's CPU per message and the broker JVM's CPU per message (start-up excluded:
//             producers connect before the clock starts)
//   consume   consume JSON -> 10 s tumbling window per key (count/min/max/mean) -> produce:
//             twinstream's Application vs the raw @platformatic/kafka consumer (JSON.parse only, no window, no
//             produce: the ceiling; with the client's fetch defaults and with twinstream's) vs quixstreams (PyPI, in its venv: see
//             below)
//             (rounds in alternating order, median rate and this process's CPU per message)
//   stateful  consume JSON -> a running count and total per key in user state (`apply(fn, { stateful: true })`,
//             checkpointed to a changelog) -> produce one output per message: twinstream's Application vs
//             quixstreams' `apply(fn, stateful=True)` on the same topic (part of --consume)
//   groupBy   consume JSON (2 partitions) -> groupBy zone (a function of the value: a repartition topic written
//             and read back) -> 10 s tumbling window per zone, 1 h of grace (count/mean) -> produce: twinstream's Application vs
//             quixstreams' group_by; the clock runs from the first input message to the N-th record read back
//             from the repartition topic
//   join      consume JSON (2 partitions) joined with a table topic of one record per sensor (2 partitions, read
//             by the same application, co-partitioned) -> produce each enriched reading: twinstream's `joinLookup`
//             and `joinAsof` vs quixstreams' `join_asof` (how 'left' in all three: which topic is read first is
//             up to the consumer); the clock runs from the first input message to the N-th joined output
//   The quixstreams venv (~/.cache/twinstream/quix-venv, or QUIX_VENV) is made with pip when missing.
//   node bench/kafka.ts [--n 500000] [--quick] [--produce | --consume | --groupby | --join] [--batch 10000]
//   (--produce: the produce part only; --consume: the consume part only)
import { spawnSync } from 'node:child_process';
import { tracingChannel } from 'node:diagnostics_channel';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Consumer, Producer } from '@platformatic/kafka';
import { startKafka } from '../scripts/kafka.ts';
import { Application } from '../src/app/index.ts';
import { KafkaAdmin, KafkaProducer, type OutgoingMessage } from '../src/connectors/kafka/index.ts';
import { count, max, mean, min, type State, Stream } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const produceOnly = process.argv.includes('--produce');
// --groupby: the groupBy job alone (with its input), neither produce nor the other consume variants.
const groupByOnly = process.argv.includes('--groupby');
// --join: the join jobs alone (with their inputs).
const joinOnly = process.argv.includes('--join');
const consumeOnly = process.argv.includes('--consume') || groupByOnly || joinOnly;
const nArg = process.argv.indexOf('--n');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : quick ? 200_000 : 500_000;
const ROUNDS = quick ? 3 : 5;
const KEYS = 100;
const batchArg = process.argv.indexOf('--batch');
// Messages per produce request. Every variant holds batch × IN_FLIGHT messages until acknowledged: at 10,000 the
// garbage collector's copying of them dominates (all three variants get faster at 1,000-2,000).
const BATCH = batchArg > 0 ? Number(process.argv[batchArg + 1]) : 10_000;
if (!Number.isInteger(BATCH) || BATCH < 1)
  throw new Error(`--batch: expected a positive integer, got ${process.argv[batchArg + 1]}`);
const IN_FLIGHT = 4;
/** The quixstreams release the peer runs (installed into its venv when missing). */
const QUIX_VERSION = '3.28.0';

const kafka = await startKafka({ heap: '1g' });
const brokers = kafka.brokers;
const admin = new KafkaAdmin({ brokers });
interface Result {
  messages: number;
  seconds: number;
  rate: number;
  /** CPU of this process per message, µs (user + system). */
  cpuUsPerMessage?: number;
  /** CPU of the broker's JVM per message, µs. */
  brokerUsPerMessage?: number;
}
const results: Record<string, Result> = {};
const record = (name: string, messages: number, seconds: number, extra: Partial<Result> = {}) => {
  results[name] = { messages, seconds, rate: messages / seconds, ...extra };
  const cpu =
    extra.cpuUsPerMessage === undefined
      ? ''
      : `  cpu ${extra.cpuUsPerMessage.toFixed(2)} µs/msg, broker ${extra.brokerUsPerMessage?.toFixed(2) ?? 'n/a'} µs/msg`;
  console.log(
    `${name.padEnd(52)} ${String(Math.round(messages / seconds)).padStart(9)} msg/s  (${messages} in ${seconds.toFixed(2)} s)${cpu}`,
  );
};

function reading(i: number): { sensor: string; value: number; t: number } {
  return { sensor: `sensor-${i % KEYS}`, value: (i * 7919) % 101, t: 1_700_000_000_000 + i * 10 };
}

/** The broker JVM's CPU time so far in ms (Linux /proc), or null where that cannot be read. */
function brokerCpuMs(): number | null {
  try {
    const config = join(dirname(kafka.nodes[0]!.log), 'server.properties');
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmd: string;
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmd.includes(config)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
    }
  } catch {}
  return null;
}

/**
 * The Python of the quixstreams venv (QUIX_VENV, else ~/.cache/twinstream/quix-venv), made with quixstreams from
 * PyPI when missing; null (the peer skipped, with a note) when it cannot be made.
 */
function quixPython(): string | null {
  const venv = process.env.QUIX_VENV ?? join(homedir(), '.cache', 'twinstream', 'quix-venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    console.log(`quixstreams: making its venv in ${venv} (python3 -m venv, pip install quixstreams==${QUIX_VERSION})`);
    const made = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    const pip =
      made.status === 0
        ? spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', `quixstreams==${QUIX_VERSION}`], { encoding: 'utf8' })
        : made;
    if (pip.status !== 0) {
      console.log(`quixstreams: could not make its venv; skipped:\n${(pip.stderr ?? '').slice(-1000)}`);
      return null;
    }
  }
  return python;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

try {
  // --- produce -------------------------------------------------------------------------------------------------
  const input = 'bench-readings';
  const topics = ['raw', 'producer', 'toKafka'].map((v) => `bench-produce-${v}`);
  await admin.ensureTopics([...topics.map((name) => ({ name })), { name: input }]);
  // Everything a variant is not asked to do happens here, before any clock starts.
  const rows = Array.from({ length: N }, (_, i) => reading(i));
  const values = rows.map((r) => Buffer.from(JSON.stringify(r)));
  const keys = Array.from({ length: KEYS }, (_, k) => Buffer.from(`sensor-${k}`));
  const stamps = rows.map((r) => BigInt(r.t));

  type Variant = (compression: 'none' | 'lz4', n: number) => Promise<() => Promise<void>>;
  const variants: Record<string, Variant> = {
    // The raw client as its README shows batched sends: arrays of messages, a few sends in flight.
    'raw @platformatic/kafka send()': async (compression, n) => {
      const raw = new Producer({ clientId: 'bench', bootstrapBrokers: brokers, compression });
      await raw.metadata({ topics: [topics[0]!] });
      return async () => {
        const inflight: Promise<unknown>[] = [];
        for (let i = 0; i < n; i += BATCH) {
          const messages = [];
          for (let j = i; j < Math.min(n, i + BATCH); j++) {
            messages.push({ topic: topics[0]!, key: keys[j % KEYS]!, value: values[j]!, timestamp: stamps[j]! });
          }
          inflight.push(raw.send({ messages, acks: -1 }));
          if (inflight.length >= IN_FLIGHT) await inflight.shift();
        }
        await Promise.all(inflight);
        await raw.close();
      };
    },
    // twinstream's producer on the same serialized input: the encoders side by side.
    'twinstream KafkaProducer.send()': async (compression, n) => {
      const producer = new KafkaProducer({ brokers, compression });
      await ((await producer.producer()) as unknown as Producer).metadata({ topics: [topics[1]!] });
      return async () => {
        const inflight: Promise<unknown>[] = [];
        for (let i = 0; i < n; i += BATCH) {
          const messages: OutgoingMessage[] = [];
          for (let j = i; j < Math.min(n, i + BATCH); j++) {
            messages.push({ topic: topics[1]!, key: keys[j % KEYS]!, value: values[j]!, timestamp: rows[j]!.t });
          }
          inflight.push(producer.send(messages));
          if (inflight.length >= IN_FLIGHT) await inflight.shift();
        }
        await Promise.all(inflight);
        await producer.close();
      };
    },
    // The sink: elements in, JSON serialization, keys and timestamps taken from the element.
    'twinstream toKafka (JSON serialize)': async (compression, n) => {
      const producer = new KafkaProducer({ brokers, compression });
      await ((await producer.producer()) as unknown as Producer).metadata({ topics: [topics[2]!] });
      return async () => {
        const source = new Stream<{ sensor: string; value: number; t: number }>();
        const sink = source.toKafka(topics[2]!, {
          brokers,
          producer,
          key: 'sensor',
          timestamp: (x) => x.t,
          batchSize: BATCH,
          maxInFlight: IN_FLIGHT,
        });
        for (let i = 0; i < n; i++) {
          const r = source.emit(rows[i]!);
          if (r !== undefined) await r;
        }
        await sink.close();
        await producer.close();
      };
    },
  };

  const names = Object.keys(variants);
  const samples = new Map<string, { rate: number[]; cpu: number[]; broker: number[] }>();
  for (let round = consumeOnly ? ROUNDS : -1; round < ROUNDS; round++) {
    // Round -1 warms every variant and compression up alike (JIT, broker log segments); later rounds alternate the
    // order so that none always runs first.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const compression of round % 2 === 0 ? (['none', 'lz4'] as const) : (['lz4', 'none'] as const)) {
      for (const name of order) {
        const n = round < 0 ? Math.min(N, 4 * BATCH) : N;
        const run = await variants[name]!(compression, n);
        const b0 = brokerCpuMs();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await run();
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const b1 = brokerCpuMs();
        if (round < 0) continue;
        const key = `produce ${compression}: ${name}`;
        const s = samples.get(key) ?? { rate: [], cpu: [], broker: [] };
        s.rate.push((n / ms) * 1000);
        s.cpu.push((c.user + c.system) / n);
        if (b0 !== null && b1 !== null) s.broker.push(((b1 - b0) * 1000) / n);
        samples.set(key, s);
      }
    }
  }
  for (const compression of consumeOnly ? [] : ['none', 'lz4']) {
    for (const name of names) {
      const key = `produce ${compression}: ${name}`;
      const s = samples.get(key)!;
      const rate = median(s.rate);
      record(key, N, N / rate, {
        cpuUsPerMessage: median(s.cpu),
        ...(s.broker.length ? { brokerUsPerMessage: median(s.broker) } : {}),
      });
    }
  }

  if (!produceOnly) {
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
    // Each run reads the whole topic with a new consumer group. Two clocks stop at the N-th message: one started at
    // the first message (group join excluded; so is the decoding of the first fetch response, which holds up to
    // maxBytes of records: with the client's default of 50 MB, nearly the whole topic), and one started when the
    // consumer sends its first fetch request (decoding included: the fair measure of the work per message). CPU
    // is this process's from the first fetch. Round 0 warms both variants up; later rounds alternate their order.
    let fetchAt: { t: number; cpu: NodeJS.CpuUsage } | null = null;
    tracingChannel('plt:kafka:consumer:fetches').subscribe({
      start() {
        fetchAt ??= { t: performance.now(), cpu: process.cpuUsage() };
      },
      end() {},
      asyncStart() {},
      asyncEnd() {},
      error() {},
    });
    const sinceFetch = (last: number, first: number) => ({
      fetchMs: last - fetchAt!.t,
      startMs: first - fetchAt!.t,
      cpuUs: (({ user, system }) => user + system)(process.cpuUsage(fetchAt!.cpu)),
    });
    type ConsumeRun = () => Promise<{ ms: number; fetchMs: number; startMs: number; cpuUs: number; seen: number }>;
    // Each run its own consumer group, so that it reads the whole topic again.
    const benchApplication = (group: string) =>
      new Application({
        brokers,
        groupId: `${group}-${Date.now()}-${Math.random()}`,
        autoOffsetReset: 'earliest',
        deadLetterTopic: false,
      });
    // Both clocks of an application's run: a sink on its input, attached before the pipeline under test, stops it
    // at the N-th record. Returns the run.
    const timedRun = (app: Application, s: Stream<unknown>) => {
      let first = 0;
      let seen = 0;
      let end = { ms: 0, fetchMs: 0, startMs: 0, cpuUs: 0 };
      fetchAt = null;
      s.sink(() => {
        if (seen === 0) first = performance.now();
        if (++seen === N) {
          const last = performance.now();
          end = { ms: last - first, ...sinceFetch(last, first) };
          void app.stop();
        }
      });
      return async () => {
        await app.run();
        return { ...end, seen };
      };
    };
    const rawConsume = async (fetch: { maxBytes?: number; highWaterMark?: number }) => {
      const consumer = new Consumer({
        clientId: 'bench',
        groupId: `raw-${Date.now()}-${Math.random()}`,
        bootstrapBrokers: brokers,
        autocommit: false,
        maxWaitTime: 200,
        ...fetch,
      });
      fetchAt = null;
      const stream = await consumer.consume({ topics: [input], mode: 'earliest' });
      let seen = 0;
      let first = 0;
      let sum = 0;
      let end = { ms: 0, fetchMs: 0, startMs: 0, cpuUs: 0 };
      await new Promise<void>((resolve) => {
        stream.on('data', (m) => {
          if (seen === 0) first = performance.now();
          sum += JSON.parse(m.value.toString()).value;
          if (++seen === N) {
            const last = performance.now();
            end = { ms: last - first, ...sinceFetch(last, first) };
            resolve();
          }
        });
      });
      if (sum < 0) console.log(sum);
      await stream.close();
      await consumer.close(true);
      return { ...end, seen };
    };
    const consumeVariants: Record<string, ConsumeRun> = {
      // The client's defaults: fetches of up to 50 MB, 1024 messages read ahead.
      'consume: raw @platformatic/kafka (JSON.parse)': () => rawConsume({}),
      // The fetch settings twinstream's sources default to (KafkaSourceConfig.fetchMaxBytes, highWaterMark).
      'consume: raw @platformatic/kafka, 1 MiB fetches, 65536 ahead': () =>
        rawConsume({ maxBytes: 1024 * 1024, highWaterMark: 65_536 }),
      'window: twinstream Application': async () => {
        const app = benchApplication('twinstream');
        const inTopic = app.topic<string, { value: number }>(input, { value: 'json' });
        const outTopic = app.topic('bench-agg-twinstream', { value: 'json' });
        const s = app.stream(inTopic);
        const run = timedRun(app, s);
        s.tumblingWindow('10s')
          .agg({ count: count(), min: min('value'), max: max('value'), mean: mean('value') })
          .final()
          .map((w) => ({ time: w.end, temperature: { count: w.count, min: w.min, max: w.max, mean: w.mean } }))
          .toTopic(outTopic);
        return run();
      },
      'stateful: twinstream Application': async () => {
        const app = benchApplication('twinstream-stateful');
        const inTopic = app.topic<string, { sensor: string; value: number }>(input, { value: 'json' });
        const outTopic = app.topic('bench-stateful-twinstream', { value: 'json' });
        const s = app.stream(inTopic);
        const run = timedRun(app, s);
        s.apply(
          (r, state: State<{ n: number; total: number }>) => {
            const n = state.get('n', 0) + 1;
            const total = state.get('total', 0) + r.value.value;
            state.set('n', n);
            state.set('total', total);
            return { sensor: r.value.sensor, n, mean: total / n };
          },
          { stateful: true, namespace: 'running' },
        ).toTopic(outTopic);
        return run();
      },
    };
    const consumeNames = groupByOnly || joinOnly ? [] : Object.keys(consumeVariants);
    const consumeSamples = new Map<string, { rate: number[]; fetchRate: number[]; cpu: number[]; start: number[] }>();
    for (let round = 0; round <= ROUNDS; round++) {
      for (const name of round % 2 ? consumeNames : [...consumeNames].reverse()) {
        const r = await consumeVariants[name]!();
        if (round === 0) continue;
        const s = consumeSamples.get(name) ?? { rate: [], fetchRate: [], cpu: [], start: [] };
        s.rate.push((r.seen / r.ms) * 1000);
        s.fetchRate.push((r.seen / r.fetchMs) * 1000);
        s.cpu.push(r.cpuUs / r.seen);
        s.start.push(r.startMs);
        consumeSamples.set(name, s);
      }
    }
    for (const name of consumeNames) {
      const s = consumeSamples.get(name)!;
      record(name, N, N / median(s.rate));
      record(`${name}, from first fetch`, N, N / median(s.fetchRate), { cpuUsPerMessage: median(s.cpu) });
    }
    // Part of the clock from the first fetch, not work per message: the raw consumer's first response decoded
    // (all of the topic at the client's default fetch size), the application's partition restore (its state).
    for (const name of consumeNames) {
      console.log(
        `  first fetch to first message: ${name.padEnd(62)} ${median(consumeSamples.get(name)!.start).toFixed(0)} ms`,
      );
    }

    const python = quixPython();

    // --- groupBy -------------------------------------------------------------------------------------------------
    // Both peers re-key through a repartition topic (quixstreams skips it on a one-partition input: two here).
    const input2 = 'bench-readings-2p';
    await admin.ensureTopics([{ name: input2, partitions: 2 }]);
    const load2 = new Stream<{ sensor: string; value: number; t: number }>();
    const loader2 = load2.toKafka(input2, { brokers, key: 'sensor', timestamp: (x) => x.t, batchSize: BATCH });
    for (let i = 0; i < N; i++) {
      const r = load2.emit(reading(i));
      if (r !== undefined) await r;
    }
    await loader2.close();
    const zone = (sensor: string) => `zone-${Number(sensor.slice(7)) % 10}`;
    const groupByRun = async (): Promise<number> => {
      const app = benchApplication('twinstream-groupby');
      const inTopic = app.topic<string, { sensor: string; value: number }>(input2);
      let first = 0;
      let seen = 0;
      let ms = 0;
      const s = app.stream(inTopic);
      s.sink(() => {
        if (first === 0) first = performance.now();
      });
      const zones = s.groupBy((r) => zone(r.value.sensor), { name: 'zone' });
      zones.sink(() => {
        if (++seen === N) {
          ms = performance.now() - first;
          void app.stop();
        }
      });
      // An hour of grace: the two input partitions are read interleaved, so a zone's readings come out of order.
      zones
        .tumblingWindow('10s', { grace: '1h' })
        .agg({ count: count(), mean: mean('value') })
        .final()
        .map((w) => ({ time: w.end, count: w.count, mean: w.mean }))
        .toTopic(app.topic('bench-groupby-twinstream'));
      await app.run();
      return ms;
    };
    const groupByMs: number[] = [];
    for (let round = 0; round <= (joinOnly ? -1 : Math.min(ROUNDS, 3)); round++) {
      const ms = await groupByRun();
      if (round > 0) groupByMs.push(ms);
    }
    if (!joinOnly) record('groupBy: twinstream Application', N, median(groupByMs) / 1000);
    if (python !== null && !joinOnly) {
      const run = spawnSync(
        python,
        ['bench/kafka-quix.py', brokers.join(','), input2, 'bench-groupby-quix', String(N), 'groupby'],
        { encoding: 'utf8', timeout: 600_000, maxBuffer: 256 * 1024 * 1024 },
      );
      try {
        const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { messages: number; seconds: number };
        record('groupBy: quixstreams (Python)', r.messages, r.seconds);
      } catch {
        console.log(`quixstreams groupby run failed:\n${run.stderr.slice(-2000)}`);
      }
    }

    // --- joins ---------------------------------------------------------------------------------------------------
    // The readings of the groupBy job (2 partitions, keyed by sensor) joined with one record per sensor, written
    // before them in event time, on a table topic of 2 partitions.
    const table = 'bench-sensors-2p';
    if (joinOnly) {
      await admin.ensureTopics([{ name: table, partitions: 2 }]);
      const loadT = new Stream<{ sensor: string; site: string }>();
      const loaderT = loadT.toKafka(table, { brokers, key: 'sensor', timestamp: () => 1_699_999_999_000 });
      for (let k = 0; k < KEYS; k++) loadT.emit({ sensor: `sensor-${k}`, site: `site-${k % 7}` });
      await loaderT.close();
    }
    const joinRun = async (kind: 'joinLookup' | 'joinAsof'): Promise<number> => {
      const app = benchApplication(`twinstream-${kind}`);
      const right = app.stream(app.topic<string, { sensor: string; site: string }>(table));
      const left = app.stream(app.topic<string, { sensor: string; value: number }>(input2));
      let first = 0;
      let seen = 0;
      let ms = 0;
      left.sink(() => {
        if (first === 0) first = performance.now();
      });
      const joined =
        kind === 'joinLookup'
          ? left.joinLookup(right, { how: 'left' })
          : left.joinAsof(right, { on: 'key', how: 'left' });
      joined.sink(() => {
        if (++seen === N) {
          ms = performance.now() - first;
          void app.stop();
        }
      });
      joined.map((r) => (r as { value: unknown }).value).toTopic(app.topic(`bench-${kind}-twinstream`));
      await app.run();
      return ms;
    };
    for (const kind of joinOnly ? (['joinLookup', 'joinAsof'] as const) : []) {
      const ms: number[] = [];
      for (let round = 0; round <= Math.min(ROUNDS, 3); round++) {
        const t = await joinRun(kind);
        if (round > 0) ms.push(t);
      }
      record(`${kind}: twinstream Application`, N, median(ms) / 1000);
    }
    if (python !== null && joinOnly) {
      const run = spawnSync(
        python,
        ['bench/kafka-quix.py', brokers.join(','), input2, 'bench-join-quix', String(N), 'join', table],
        { encoding: 'utf8', timeout: 600_000, maxBuffer: 256 * 1024 * 1024 },
      );
      try {
        const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { messages: number; seconds: number };
        record('join_asof: quixstreams (Python)', r.messages, r.seconds);
      } catch {
        console.log(`quixstreams join run failed:\n${run.stderr.slice(-2000)}`);
      }
    }

    for (const [job, name] of [
      ['window', 'window: quixstreams (Python)'],
      ['stateful', 'stateful: quixstreams (Python)'],
    ] as const) {
      if (python === null || groupByOnly || joinOnly) break;
      const run = spawnSync(
        python,
        ['bench/kafka-quix.py', brokers.join(','), input, `bench-${job}-quix`, String(N), job],
        {
          encoding: 'utf8',
          timeout: 600_000,
        },
      );
      const line = run.stdout.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as { messages: number; seconds: number };
        record(name, r.messages, r.seconds);
      } catch {
        console.log(`quixstreams ${job} run failed:\n${run.stderr.slice(-2000)}`);
      }
    }
  }

  const cpuRatio = (a: string, b: string) =>
    results[a]?.cpuUsPerMessage && results[b]?.cpuUsPerMessage
      ? (results[b].cpuUsPerMessage / results[a].cpuUsPerMessage).toFixed(2)
      : 'n/a';
  const ratio = (a: string, b: string) =>
    results[a] && results[b] ? (results[a].rate / results[b].rate).toFixed(2) : 'n/a';
  if (!produceOnly) {
    console.log(
      `\ntwinstream window / raw consume: ${ratio('window: twinstream Application', 'consume: raw @platformatic/kafka (JSON.parse)')} from the first message, ${ratio('window: twinstream Application, from first fetch', 'consume: raw @platformatic/kafka (JSON.parse), from first fetch')} from the first fetch; CPU per message (from the first fetch) ${cpuRatio('consume: raw @platformatic/kafka (JSON.parse), from first fetch', 'window: twinstream Application, from first fetch')}× more`,
    );
    const tuned = 'consume: raw @platformatic/kafka, 1 MiB fetches, 65536 ahead, from first fetch';
    console.log(
      `twinstream window / raw consume at twinstream's fetch settings: ${ratio('window: twinstream Application, from first fetch', tuned)} from the first fetch; CPU per message ${cpuRatio(tuned, 'window: twinstream Application, from first fetch')}× more`,
    );
    console.log(
      `twinstream window / quixstreams:  ${ratio('window: twinstream Application', 'window: quixstreams (Python)')}`,
    );
    console.log(
      `twinstream stateful / quixstreams:  ${ratio('stateful: twinstream Application', 'stateful: quixstreams (Python)')}`,
      `twinstream groupBy / quixstreams: ${ratio('groupBy: twinstream Application', 'groupBy: quixstreams (Python)')}`,
    );
    console.log(
      `twinstream joinLookup / quixstreams join_asof: ${ratio('joinLookup: twinstream Application', 'join_asof: quixstreams (Python)')}`,
      `twinstream joinAsof / quixstreams join_asof: ${ratio('joinAsof: twinstream Application', 'join_asof: quixstreams (Python)')}`,
    );
  }
  for (const c of consumeOnly ? [] : ['none', 'lz4']) {
    const raw = `produce ${c}: raw @platformatic/kafka send()`;
    for (const [label, v] of [
      ['KafkaProducer', `produce ${c}: twinstream KafkaProducer.send()`],
      ['toKafka', `produce ${c}: twinstream toKafka (JSON serialize)`],
    ] as const) {
      console.log(
        `${label} / raw produce (${c}):${' '.repeat(18 - label.length - c.length)}rate ${ratio(v, raw)}, CPU per message ${cpuRatio(v, raw)}× less`,
      );
    }
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/kafka-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`,
    `${JSON.stringify({ n: N, batch: BATCH, kafka: kafka.version, results }, null, 2)}\n`,
  );
} finally {
  await admin.close();
  await kafka.stop();
}
