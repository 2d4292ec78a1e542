// A soak of a long run: Line_A simulated at factor 0 (as fast as the CPU allows), its records counted in 1-minute
// event-time windows, the lifecycle events and the window results written to Parquet (files rolled by the
// writer's default row bound, deleted once complete so the disk does not fill). Prints RSS and heap over time and
// fails when RSS grows past the bound after the warm-up.
//   npm run soak -- --minutes 10                 the 10-minute soak
//   npm run soak -- --minutes 3 --bound-mb 96    growth allowed after the warm-up (default 96 MB)
//   npm run soak -- --rows-per-file 1000000      roll the events file more often (default: the writer's 10M)
//   npm run soak -- --batch-size 100             a row group per 100 records (many more row groups per file)
//   npm run soak -- --row-groups-per-file 1e12   effectively no rolling by row groups (default: the writer's 10,000)
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { Stream } from '../src/index.ts';
import {
  buildModel,
  ParquetStorageEgress,
  RealtimeEnvironment,
  type SimRecord,
  StreamEgress,
  validateModel,
} from '../src/sim/index.ts';
import '../src/window/index.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? Number(argv[at + 1]) : fallback;
};
const minutes = arg('minutes', 3);
const boundMb = arg('bound-mb', 96);
const sampleEvery = arg('sample-seconds', 10) * 1000;
// Rows per Parquet file before it rolls over (default: the writer's own, 10,000,000).
const rowsPerFile = arg('rows-per-file', 0);
// Records per egress batch, so per Parquet row group (default 5000): smaller batches make many more row groups.
const batchSize = arg('batch-size', 5000);
const rowGroupsPerFile = arg('row-groups-per-file', 0);
// The warm-up: until the heap and the JIT settle (a quarter of the run, at most a minute).
const warmupMs = Math.min(60_000, (minutes * 60_000) / 4);

const dir = mkdtempSync(join(tmpdir(), 'twinstream-soak-'));
const spec = await validateModel(
  YAML.parse(readFileSync(new URL('../examples/models/line-a.yaml', import.meta.url), 'utf8')),
  'line-a.yaml',
);
delete spec.egress;
const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: spec.run.logicalStartTime ?? 0 });
buildModel(env, spec, 42);

let files = 0;
let parquetBytes = 0;
let parquetRows = 0;
const closed = (path: string, rows: number) => {
  files++;
  parquetRows += rows;
  parquetBytes += statSync(path).size;
  rmSync(path);
};
const events = new ParquetStorageEgress({
  pathRouter: (r) => (r.stream_type === 'event' ? join(dir, 'events.parquet') : null),
  onFileClosed: closed,
  ...(rowsPerFile > 0 ? { maxRowsPerFile: rowsPerFile } : {}),
  ...(rowGroupsPerFile > 0 ? { maxRowGroupsPerFile: rowGroupsPerFile } : {}),
});
const windowFile = new ParquetStorageEgress({ pathRouter: () => join(dir, 'windows.parquet'), onFileClosed: closed });

// Every record into 1-minute windows per event status (or telemetry path): counts, closed by event time.
const start = env.toTimestamp(0);
const records = new Stream<SimRecord>();
let windowRows: SimRecord[] = [];
records
  .tumblingWindow('1m', {
    timestamp: (r: SimRecord) => start + r.sim_ts * 1000,
    key: (r: SimRecord) => (r.stream_type === 'event' ? String((r.value as { status?: string }).status) : r.path_id),
  })
  .count()
  .final()
  .sink((w: { key: unknown; start: number; end: number; value: number }) => {
    windowRows.push({
      stream_type: 'event',
      key: String(w.key),
      value: w.value,
      sim_ts: w.start,
      timestamp: String(w.end),
    });
  });
env.setupEgress([new StreamEgress(records), events], { batchSize, flushInterval: 86_400 });

const mb = (n: number) => Math.round(n / 1048576);
const t0 = performance.now();
let nextSample = 0;
let warmPeak = 0;
let laterPeak = 0;
let simulated = 0;
console.log(`soak: ${minutes} min, RSS bound: warm-up peak + ${boundMb} MB (warm-up ${warmupMs / 1000} s)`);
console.log('  wall s   RSS MB  heap MB  events (M)  Parquet files  Parquet MB');
while (performance.now() - t0 < minutes * 60_000) {
  simulated += 3600; // an hour of simulated time per step
  await env.run({ until: simulated });
  if (windowRows.length >= 5000) {
    await windowFile.write(windowRows);
    windowRows = [];
  }
  const wall = performance.now() - t0;
  if (wall < nextSample) continue;
  nextSample = wall + sampleEvery;
  const { rss, heapUsed } = process.memoryUsage();
  if (wall < warmupMs) warmPeak = Math.max(warmPeak, rss);
  else laterPeak = Math.max(laterPeak, rss);
  const evs = (env.scheduledCount - env.queueSize) / 1e6;
  console.log(
    `  ${(wall / 1000).toFixed(0).padStart(6)} ${String(mb(rss)).padStart(8)} ${String(mb(heapUsed)).padStart(8)} ${evs.toFixed(1).padStart(11)} ${String(files).padStart(14)} ${String(mb(parquetBytes)).padStart(11)}`,
  );
}
await env.teardown();
await windowFile.write(windowRows);
await windowFile.close();
rmSync(dir, { recursive: true, force: true });
const growth = laterPeak - warmPeak;
console.log(
  `soak: ${((env.scheduledCount - env.queueSize) / 1e6).toFixed(1)}M events, ${(simulated / 86_400).toFixed(0)} simulated days, ${parquetRows} Parquet rows in ${files} files (${mb(parquetBytes)} MB)`,
);
console.log(
  `soak: RSS warm-up peak ${mb(warmPeak)} MB, later peak ${mb(laterPeak)} MB, growth ${mb(growth)} MB (bound ${boundMb} MB)`,
);
if (growth > boundMb * 1048576) {
  console.error(`soak: FAILED: RSS grew ${mb(growth)} MB past the warm-up peak (bound ${boundMb} MB)`);
  process.exit(1);
}
console.log('soak: held');
