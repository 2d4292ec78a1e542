// dynamic-des's history example: one simulated week of a production line, as fast as the CPU allows (factor 0),
// lifecycle events routed to one Parquet file (flattened; telemetry and lag dropped by the router), then read back
// and checked. Deterministic output on stdout; timing figures on stderr.
//   npm run example -- sim-history [--days 7] [--dir <output folder>]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetReadObjects, parquetSchema } from 'hyparquet';
import {
  dynamicResource,
  ParquetStorageEgress,
  type PathRouter,
  RealtimeEnvironment,
  Sampler,
} from '../src/sim/index.ts';

const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const days = Number(arg('days') ?? 7);
const keep = arg('dir');
const base = keep ?? mkdtempSync(join(tmpdir(), 'twinstream-history-'));

// Router factory: drops telemetry (lag included) and flattens each event's nested value for Parquet.
function historyRouter(basePath: string): PathRouter {
  return (data) => {
    if (data.stream_type !== 'event') return null;
    const nested = data.value;
    if (nested !== null && typeof nested === 'object') {
      delete data.value;
      Object.assign(data, nested);
    }
    return `${basePath}/events.parquet`;
  };
}

const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: '2024-01-01T00:00:00Z' });
env.registry.register({
  simId: 'Line_A',
  arrival: { standard: { dist: 'exponential', rate: 2 } },
  service: { milling: { dist: 'normal', mean: 2, std: 0.2, min: 0 } },
  resources: { lathe: { currentCap: 4, maxCap: 10 } },
});
// batchSize 5000 for compression; flushInterval one simulated day.
env.setupEgress([new ParquetStorageEgress({ pathRouter: historyRouter(base) })], {
  batchSize: 5000,
  flushInterval: 86_400,
});

const lathe = dynamicResource(env.registry, 'Line_A', 'lathe');
const sampler = new Sampler({ seed: 42 });
let finished = 0;

function* arrivals() {
  const arrival = env.registry.getConfig('Line_A.arrival.standard');
  for (let id = 0; ; id++) {
    yield env.timeout(sampler.sample(arrival));
    env.process(task(id, 'Line_A.service.milling'));
  }
}

function* task(id: number, pathId: string) {
  const key = `task-${id}`;
  env.publishEvent(key, { path_id: pathId, status: 'queued' });
  const req = lathe.request();
  yield req;
  try {
    env.publishEvent(key, { path_id: pathId, status: 'started' });
    yield env.timeout(sampler.sample(env.registry.getConfig(pathId)));
    env.publishEvent(key, { path_id: pathId, status: 'finished' });
    finished++;
  } finally {
    lathe.release(req);
  }
}

function* monitor() {
  for (;;) {
    env.publishTelemetry('Line_A.lathe.capacity', lathe.capacity);
    env.publishTelemetry('Line_A.lathe.in_use', lathe.count);
    env.publishTelemetry('Line_A.lathe.queue_length', lathe.queue.length);
    env.publishTelemetry('Line_A.lathe.utilization', lathe.capacity > 0 ? (lathe.count / lathe.capacity) * 100 : 0);
    yield env.timeout(60);
  }
}

env.process(arrivals(), 'arrivals');
env.process(monitor(), 'monitor');

const t0 = performance.now();
try {
  await env.run({ until: days * 86_400 });
} finally {
  await env.teardown();
}
const seconds = (performance.now() - t0) / 1000;

// Read back column by column (a week is millions of rows: no row objects), and check.
const file = `${base}/events.parquet`;
const buffer = await asyncBufferFromFile(file);
const metadata = await parquetMetadataAsync(buffer);
const columns = parquetSchema(metadata).children.map((c) => `${c.element.name}`);
const rowCount = Number(metadata.num_rows);
const simTs = new Float64Array(rowCount);
const status: string[] = new Array(rowCount);
let telemetry = 0;
await parquetRead({
  file: buffer,
  metadata,
  columns: ['status', 'sim_ts', 'stream_type'],
  onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
    for (let i = rowStart; i < rowEnd; i++) {
      const v = columnData[i - rowStart];
      if (columnName === 'status') status[i] = String(v);
      else if (columnName === 'sim_ts') simTs[i] = v as number;
      else if (v !== 'event') telemetry++;
    }
  },
});
const byStatus = new Map<string, number>();
for (const s of status) byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
let ordered = true;
for (let i = 1; i < rowCount; i++) if (simTs[i]! < simTs[i - 1]!) ordered = false;
const [first] = await parquetReadObjects({ file: buffer, metadata, rowStart: 0, rowEnd: 1 });

console.log(`simulated ${days} days from 2024-01-01T00:00:00Z at factor 0`);
console.log(`columns: ${columns.join(', ')}`);
console.log(`rows: ${rowCount} (${[...byStatus].map(([s, n]) => `${s} ${n}`).join(', ')})`);
console.log(`tasks finished: ${finished}; still queued at the end: ${lathe.queue.length}`);
console.log(`telemetry rows: ${telemetry}`);
console.log(`rows in simulated-time order: ${ordered}`);
console.log(`first row: ${JSON.stringify(first)}`);
console.error(
  `${seconds.toFixed(2)} s wall: ${((env.scheduledCount - env.queueSize) / seconds / 1e6).toFixed(2)}M simulated events/s, ${(env.egress!.written / seconds / 1e3).toFixed(0)}k records/s published, ${(rowCount / seconds / 1e3).toFixed(0)}k rows/s written, file ${(statSync(file).size / 1e6).toFixed(1)} MB`,
);
if (keep === undefined) rmSync(base, { recursive: true, force: true });
