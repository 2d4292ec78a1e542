import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../core/operators/filter.ts';
import '../../core/operators/map.ts';
import '../../core/operators/sink.ts';
import '../../core/operators/to-time-index.ts';
import '../../pipes/to-pipe.ts';
import '../../window/index.ts';
import { Stream } from '../../core/stream.ts';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { LocalPipe } from '../../pipes/local-pipe.ts';
import { DecimateFilter } from '../../pipes/modules/decimate-filter.ts';
import { runModule } from '../../pipes/modules/run-module.ts';
import { StoredStreamWriter } from '../../pipes/store/stored-stream-writer.ts';
import { StreamStore } from '../../pipes/store/stream-store.ts';
import { ParquetStorageEgress } from '../../sim/egress/parquet.ts';
import { StreamEgress } from '../../sim/egress/stream.ts';
import { buildModel } from '../../sim/model/build.ts';
import { shapingRouter } from '../../sim/model/sinks.ts';
import type { ModelSpec } from '../../sim/model/spec.ts';
import { validateModel } from '../../sim/model/validate.ts';
import { RealtimeEnvironment } from '../../sim/realtime.ts';
import type { SimRecord } from '../../sim/telemetry.ts';
import { count, max, mean, min } from '../../window/aggregators.ts';
import { outputFolder } from '../output-folder.ts';
import { renderChart } from './demo-chart.ts';
import { DEMO_MODEL } from './demo-model.ts';
import { StreamViewHandler } from './stream-view-handler.ts';

/** How to run the demo. */
export interface DemoOptions {
  /** Simulated seconds to run (default one week, 604,800). */
  until?: number;
  /** The output folder (default `./twinstream-out`). */
  out?: string;
  /** The random seed (default 42). */
  seed?: number;
  /** Called at most every 100 ms of wall time while the simulation runs. */
  onProgress?: (p: DemoProgress) => void;
  /**
   * Simulated seconds per wall second: 0 (default) runs as fast as the CPU allows, 60 runs a simulated minute
   * per second (a live run, with egress batches small enough to be seen as they come).
   */
  speed?: number;
  /**
   * Called once the pipeline is built, before the simulation starts (what `--live` uses to serve the dashboard);
   * what it returns is called when the run ends.
   */
  onPipeline?: (pipeline: DemoPipeline) => Promise<() => Promise<void>>;
  /**
   * Moves the records through a Kafka broker instead of in-process: the simulation produces them to a topic of
   * its own (one partition, so their order holds) and the pipeline consumes them back.
   */
  kafka?: { brokers: string };
}

/** The running demo, as `onPipeline` sees it. */
export interface DemoPipeline {
  env: RealtimeEnvironment;
  spec: ModelSpec<number>;
  /** Every record the simulation publishes. */
  records: Stream<SimRecord>;
  /** The 1-minute windows of each sensor, as they close. */
  minutes: Stream<DemoWindow>;
}

/** Where the demo is. */
export interface DemoProgress {
  simulatedSeconds: number;
  until: number;
  /** Events the simulation kernel processed so far. */
  events: number;
  /** Records the simulation published so far (each becomes a Parquet row). */
  records: number;
  wallSeconds: number;
}

/** One 1-minute window of one sensor. */
export interface DemoWindow {
  key: string;
  start: number;
  end: number;
  count: number;
  min: number;
  max: number;
  mean: number;
}

/** What the demo did: plain figures. */
export interface DemoSummary {
  simulatedSeconds: number;
  /** Events the simulation kernel processed. */
  events: number;
  /** Records the simulation published (telemetry and lifecycle events). */
  records: number;
  /** Rows written to the Parquet files. */
  rows: number;
  wallSeconds: number;
  sensors: string[];
  /** 1-minute windows aggregated. */
  windows: number;
  /** Reads of the live view by the wait model, and its mean estimate of the wait in the queue (seconds). */
  modelReads: number;
  meanExpectedWait: number;
  /** Rows of the decimated stored streams (one per sensor). */
  storedRows: number;
  /** Files written (final paths), with their row counts (the chart and the store have none). */
  files: { path: string; rows: number | null }[];
  /** With `kafka`: the topic the records went through, and how many were produced and consumed back. */
  kafka?: { topic: string; produced: number; consumed: number };
}

const LATHE = ['capacity', 'in_use', 'queue_length', 'utilization'] as const;
const MEAN_SERVICE_SECONDS = 2;

/**
 * The demo of `twinstream demo`: simulates the factory line of `DEMO_MODEL` as fast as the CPU allows and streams
 * its records, in the same process and on the simulation's clock, through a pipeline that (1) downsamples each
 * sensor into 1-minute tumbling windows (count, min, max, mean), (2) keeps a live, linearly interpolated view of
 * the lathe that a small model reads through a data stream handler, and (3) decimates each raw series through a
 * pipe into a stored stream. Lifecycle events, raw telemetry and the windows go to Parquet and a chart of the
 * windows to SVG, all under `out`, written under temporary names and moved into place at the end.
 *
 * @example
 * import { runDemo } from 'twinstream/cli';
 * const summary = await runDemo({ until: 3600, out: 'twinstream-out' });
 * console.log(summary.files.map((f) => f.path));
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  checkDemoPackages();
  const out = outputFolder(options.out ?? 'twinstream-out');
  const tmp = join(out, `.twinstream-tmp-${process.pid}`);
  mkdirSync(tmp);
  // Removed however the run ends, Ctrl-C (process.exit) included: only complete files get their final names.
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', cleanup);
  try {
    const summary = await simulate(tmp, options);
    const files: DemoSummary['files'] = [];
    for (const name of readdirSync(tmp)) {
      const target = join(out, name);
      rmSync(target, { recursive: true, force: true });
      renameSync(join(tmp, name), target);
      files.push({ path: target, rows: summary.rowsByFile.get(name) ?? null });
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    return { ...summary.figures, files };
  } finally {
    process.off('exit', cleanup);
    cleanup();
  }
}

// The optional peers the demo loads as it goes: all of them named before it starts, rather than one at a time
// after a simulated week has already run.
const DEMO_PACKAGES = ['hyparquet-writer', 'lmdb', 'vega', 'vega-lite'];

function checkDemoPackages(): void {
  const missing = DEMO_PACKAGES.filter((pkg) => {
    try {
      import.meta.resolve(pkg);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new TwinstreamError(
    'TS_MISSING_DEPENDENCY',
    `twinstream demo needs the optional packages ${DEMO_PACKAGES.join(', ')}; not installed: ${missing.join(', ')}: ` +
      `run npm install ${missing.join(' ')}`,
    { context: { package: missing.join(' ') } },
  );
}

async function simulate(dir: string, options: DemoOptions) {
  const spec = await validateModel(DEMO_MODEL, 'the demo model');
  const speed = options.speed ?? 0;
  if (typeof speed !== 'number' || !(speed >= 0) || !Number.isFinite(speed)) {
    badArgument('runDemo', 'speed', speed, 'a number >= 0 (0 = as fast as the CPU allows)');
  }
  const env = new RealtimeEnvironment({
    factor: speed === 0 ? 0 : 1 / speed,
    logicalStartTime: spec.run.logicalStartTime ?? 0,
  });
  buildModel(env, spec, options.seed ?? 42, 'none');
  const until = options.until ?? spec.run.until;
  const startMs = env.logicalStartTime;
  const unitMs = env.timeUnitMs;
  const prefix = `${spec.simId}.`;
  const t0 = performance.now();

  // The pipeline, on the simulation's clock.
  const records = new Stream<SimRecord>({ clock: env.clock, name: 'simulation' });
  let published = 0;
  let lastReport = t0;
  const onProgress = options.onProgress;
  records.sink((r) => {
    published++;
    if (onProgress !== undefined && (published & 1023) === 0) {
      const now = performance.now();
      if (now - lastReport >= 100) {
        lastReport = now;
        onProgress({
          simulatedSeconds: r.sim_ts,
          until,
          events: env.scheduledCount - env.queueSize,
          records: published,
          wallSeconds: (now - t0) / 1000,
        });
      }
    }
  });
  const readings = records
    .filter((r) => r.stream_type === 'telemetry')
    .map((r) => ({
      sensor: r.path_id.slice(prefix.length),
      s: r.sim_ts,
      t: startMs + r.sim_ts * unitMs,
      value: r.value as number,
    }))
    .named('readings');

  // (1) 1-minute tumbling windows per sensor.
  const windows: DemoWindow[] = [];
  // The key is a sensor name and every window holds at least one reading, so no field is null.
  const minutes = readings
    .tumblingWindow('1m', { key: 'sensor', value: 'value', timestamp: 't' })
    .agg({ count: count(), min: min(), max: max(), mean: mean() })
    .final()
    .named('1-minute windows') as unknown as Stream<DemoWindow>;
  minutes.sink((w) => windows.push(w));

  // (2) The live view of the lathe: a time index the pipeline keeps filling (the last 20,000 samples, about 28
  // simulated hours), read through a data stream handler, interpolated linearly. The model publishes a tick's
  // samples in a fixed order (capacity, in use, queue, utilization): the last one completes the row.
  const row = { s: 0, capacity: 4, in_use: 0, queue_length: 0 };
  const index = readings
    .filter((r) => r.sensor.startsWith('lathe.'))
    .map((r) => {
      if (r.sensor !== 'lathe.utilization') row[r.sensor.slice(6) as 'capacity' | 'in_use' | 'queue_length'] = r.value;
      row.s = r.s;
      return r.sensor === 'lathe.utilization';
    })
    .filter((complete) => complete)
    .map(() => row)
    .named('lathe view')
    .toTimeIndex({ columns: ['capacity', 'in_use', 'queue_length'], time: 's', maxRows: 20_000 });
  const view = new StreamViewHandler(index, 'linear');
  view.addVariable(['lathe', 'capacity'], 'capacity');
  view.addVariable(['lathe', 'queue'], 'queue_length');
  await view.start();
  // The model: Little's law, the expected wait in the queue = queue length × service time / capacity, read at the
  // middle of every closed minute.
  let modelReads = 0;
  let waitSum = 0;
  const seen: Record<string, number> = {};
  minutes
    .filter((w) => w.key === 'lathe.queue_length')
    .sink((w) => {
      const state = view.getData(((w.start + w.end) / 2 - startMs) / unitMs, seen);
      modelReads++;
      waitSum += ((state['lathe.queue'] ?? 0) * MEAN_SERVICE_SECONDS) / Math.max(state['lathe.capacity'] ?? 1, 1);
    });

  // (3) Each raw series through a pipe and a decimating filter into a stored stream, as Joule keeps them.
  const store = await StreamStore.open({ path: join(dir, 'store') });
  const modules: Promise<void>[] = [];
  const pipes: LocalPipe[] = [];
  for (const name of LATHE) {
    const path = `/${spec.simId}/lathe/${name}~4`;
    store.createStream(path, 'float64_3');
    const pipe = new LocalPipe({ layout: 'float64_1', name: `lathe.${name}` });
    pipes.push(pipe);
    modules.push(
      runModule(new DecimateFilter(), { inputs: { in: pipe }, outputs: { out: new StoredStreamWriter(store, path) } }),
    );
    // Pipe timestamps are integer microseconds that strictly increase: the final sample of a run may repeat the
    // time of the last periodic one, and is left out of the pipe.
    let last = Number.NEGATIVE_INFINITY;
    readings
      .filter((r) => r.sensor === `lathe.${name}` && Math.round(r.t * 1000) > last)
      .map((r) => [(last = Math.round(r.t * 1000)), r.value])
      .toPipe(pipe);
  }

  // Lifecycle events (flattened) and raw telemetry to Parquet through the simulation's own egress.
  const rowsByFile = new Map<string, number>();
  const events = shapingRouter(join(dir, 'events.parquet'), { streams: ['event'], flatten: true });
  const parquet = new ParquetStorageEgress({
    pathRouter: (r) => (r.stream_type === 'event' ? events(r) : join(dir, 'telemetry.parquet')),
    onFileClosed: (path, rows) => rowsByFile.set(path.slice(dir.length + 1), rows),
  });
  const through = options.kafka === undefined ? null : await throughKafka(options.kafka.brokers, records);
  // Paced, a batch leaves every 5 simulated seconds: the plots move as the line does.
  env.setupEgress(
    [through?.egress ?? new StreamEgress(records), parquet],
    speed === 0 ? { batchSize: 5000 } : { batchSize: 5000, flushInterval: 5 },
  );

  const stopLive = options.onPipeline === undefined ? null : await options.onPipeline({ env, spec, records, minutes });
  let kafka: DemoSummary['kafka'];
  try {
    through?.source.start();
    await env.run({ until });
  } finally {
    await env.teardown();
    if (through !== null) kafka = await through.drain(() => published);
    await stopLive?.();
  }
  // The end of the input closes the last windows (synchronously, the pipeline has no buffer).
  // Through Kafka too: a topic has no end, so the consumer, drained and stopped, ends nothing by itself.
  records.end();
  for (const p of pipes) await p.close();
  await Promise.all(modules);
  let storedRows = 0;
  for (const name of LATHE) {
    storedRows += store.read(`/${spec.simId}/lathe/${name}~4`, { maxRows: Number.MAX_SAFE_INTEGER }).timestamps.length;
  }
  await store.close();

  await writeWindows(join(dir, 'windows.parquet'), windows);
  rowsByFile.set('windows.parquet', windows.length);
  writeFileSync(join(dir, 'windows.svg'), await renderChart(windows));

  const rows = [...rowsByFile.values()].reduce((a, b) => a + b, 0);
  return {
    rowsByFile,
    figures: {
      simulatedSeconds: env.now,
      events: env.scheduledCount - env.queueSize,
      records: published,
      rows,
      wallSeconds: (performance.now() - t0) / 1000,
      sensors: [...new Set(windows.map((w) => w.key))].sort(),
      windows: windows.length,
      modelReads,
      meanExpectedWait: modelReads > 0 ? waitSum / modelReads : 0,
      storedRows,
      ...(kafka === undefined ? {} : { kafka }),
    },
  };
}

/**
 * The records' way through Kafka: the simulation's Kafka egress produces every record to a new topic (one
 * partition: the windows need them in order) and a consumer of a new group feeds them to `records`. `drain` waits
 * until every produced record came back (at most a minute after the last), then stops the consumer.
 */
async function throughKafka(brokers: string, records: Stream<SimRecord>) {
  const [{ KafkaEgress }] = await Promise.all([
    import('../../sim/egress/kafka.ts'),
    import('../../connectors/kafka/from-kafka.ts'),
  ]);
  const run = `${process.pid}-${Math.round(performance.timeOrigin)}`;
  const topic = `twinstream-demo-records-${run}`;
  const egress = new KafkaEgress({
    brokers,
    topicRouter: topic,
    createTopics: { partitions: 1, replicationFactor: 1 },
  });
  const source = Stream.fromKafka<string, SimRecord>(topic, {
    brokers,
    groupId: `twinstream-demo-${run}`,
    autoOffsetReset: 'earliest',
    value: 'json',
  });
  let consumed = 0;
  source
    .map((m) => {
      consumed++;
      return m.value;
    })
    .named('from kafka')
    .connect(records);
  const drain = async (seen: () => number) => {
    const produced = egress.counters.sent;
    const deadline = performance.now() + 60_000;
    while (seen() < produced && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    source.stop();
    await source.done;
    if (seen() < produced) {
      throw new TwinstreamError(
        'TS_KAFKA_TIMEOUT',
        `twinstream demo --kafka: ${produced} records produced to ${topic}, only ${seen()} came back within a minute`,
      );
    }
    return { topic, produced, consumed };
  };
  return { egress, source, drain };
}

async function writeWindows(file: string, windows: readonly DemoWindow[]): Promise<void> {
  const { parquetWriteFile } = await importOptional(
    'hyparquet-writer',
    'twinstream demo',
    () => import('hyparquet-writer'),
  );
  const column = (f: (w: DemoWindow) => number) => Float64Array.from(windows, f);
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'sensor', data: windows.map((w) => w.key), type: 'STRING', nullable: false },
      { name: 'window_start', data: windows.map((w) => new Date(w.start)), type: 'TIMESTAMP', nullable: false },
      { name: 'window_end', data: windows.map((w) => new Date(w.end)), type: 'TIMESTAMP', nullable: false },
      { name: 'count', data: Int32Array.from(windows, (w) => w.count), type: 'INT32', nullable: false },
      { name: 'min', data: column((w) => w.min), type: 'DOUBLE', nullable: false },
      { name: 'max', data: column((w) => w.max), type: 'DOUBLE', nullable: false },
      { name: 'mean', data: column((w) => w.mean), type: 'DOUBLE', nullable: false },
    ],
  });
}
