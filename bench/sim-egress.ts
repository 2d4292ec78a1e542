// Simulation egress throughput, side by side in one run: rows/s written by the JSONL and Parquet storage sinks for
// telemetry records of 3 columns (path_id string, value number, sim_ts number), against the floor of each format on
// this machine (hyparquet-writer fed ready-made typed columns; one JSON.stringify per row into one write). Batches of
// 10,000 records, as the egress queue hands them over. Every variant runs in its own fresh process; CPU time medians.
//   node bench/sim-egress.ts [--rows 1000000] [--reps 5] [--warmup 1]
//   node --expose-gc bench/sim-egress.ts --child <variant> <rows> <reps> <warmup>
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EgressSink,
  JsonlStorageEgress,
  ParquetStorageEgress,
  type PathRouter,
  RealtimeEnvironment,
} from '../src/sim/index.ts';
import { isoTimestamp } from '../src/sim/telemetry.ts';
import { timeRuns } from './harness.ts';

const BATCH = 10_000;
const PATHS = ['Line_A.lathe.in_use', 'Line_A.lathe.queue_length', 'Line_A.lathe.utilization', 'Line_A.lathe.capacity'];

function records(n: number): Record<string, unknown>[] {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { path_id: PATHS[i & 3], value: (i * 7919) % 1000, sim_ts: i * 0.25 };
  return out;
}

// Seed 002's lifecycle events, as the history example routes them: nested value flattened, 6 columns of which 4 are
// strings (two of them, key and timestamp, nearly unique).
function events(n: number): Record<string, unknown>[] {
  const status = ['queued', 'started', 'finished'];
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      stream_type: 'event',
      key: `task-${(i / 3) | 0}`,
      value: { path_id: 'Line_A.service.milling', status: status[i % 3] },
      sim_ts: i * 0.17,
      timestamp: isoTimestamp(1704067200000 + i * 170),
    };
  }
  return out;
}

const flatten =
  (file: string): PathRouter =>
  (r) => {
    const nested = r.value as Record<string, unknown>;
    delete r.value;
    Object.assign(r, nested);
    return file;
  };

async function throughSink(sink: EgressSink, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await sink.write(rows.slice(i, i + BATCH) as never);
  await sink.close?.();
}

type Variant = (rows: number, dir: string) => () => Promise<number>;

const variants: Record<string, Variant> = {
  'twinstream JsonlStorageEgress': (n, dir) => {
    const rows = records(n);
    return async () => {
      const file = join(dir, 'rows.jsonl');
      rmSync(file, { force: true });
      await throughSink(new JsonlStorageEgress({ pathRouter: () => file }), rows);
      return statSync(file).size;
    };
  },
  'floor: JSON.stringify per row, one write': (n, dir) => {
    const rows = records(n);
    return async () => {
      const file = join(dir, 'floor.jsonl');
      let text = '';
      for (const r of rows) text += `${JSON.stringify(r)}\n`;
      writeFileSync(file, text);
      return statSync(file).size;
    };
  },
  'twinstream ParquetStorageEgress': (n, dir) => {
    const rows = records(n);
    return async () => {
      const file = join(dir, 'rows.parquet');
      await throughSink(new ParquetStorageEgress({ pathRouter: () => file }), rows);
      return statSync(file).size;
    };
  },
  'floor: hyparquet-writer, typed columns': (n, dir) => {
    const rows = records(n);
    return async () => {
      const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
      const file = join(dir, 'floor.parquet');
      const schema = [
        { name: 'root', num_children: 3 },
        { name: 'path_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'value', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'sim_ts', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      ] as never;
      const w = new ParquetWriter({ writer: fileWriter(file), schema });
      for (let i = 0; i < n; i += BATCH) {
        const m = Math.min(BATCH, n - i);
        const p = new Array<string>(m);
        const v = new Float64Array(m);
        const t = new Float64Array(m);
        for (let j = 0; j < m; j++) {
          const r = rows[i + j]!;
          p[j] = r.path_id as string;
          v[j] = r.value as number;
          t[j] = r.sim_ts as number;
        }
        await w.write({
          columnData: [
            { name: 'path_id', data: p },
            { name: 'value', data: v },
            { name: 'sim_ts', data: t },
          ],
          rowGroupSize: m,
        });
      }
      w.finish();
      return statSync(file).size;
    };
  },
  'twinstream ParquetStorageEgress, seed-002 events (6 columns, flattened)': (n, dir) => {
    const rows = events(n);
    return async () => {
      const file = join(dir, 'events.parquet');
      await throughSink(new ParquetStorageEgress({ pathRouter: flatten(file) }), rows);
      return statSync(file).size;
    };
  },
  'hyparquet-writer as documented (string arrays), seed-002 events flattened': (n, dir) => {
    const rows = events(n);
    return async () => {
      const { ParquetWriter, fileWriter, schemaFromColumnData } = await import('hyparquet-writer');
      const file = join(dir, 'events-peer.parquet');
      const names = ['stream_type', 'key', 'sim_ts', 'timestamp', 'path_id', 'status'];
      const types = ['STRING', 'STRING', 'DOUBLE', 'STRING', 'STRING', 'STRING'] as const;
      const schema = schemaFromColumnData({
        columnData: names.map((name, k) => ({ name, type: types[k]!, nullable: true, data: [] })),
      });
      const w = new ParquetWriter({ writer: fileWriter(file), schema });
      for (let i = 0; i < n; i += BATCH) {
        const flat = rows.slice(i, i + BATCH).map((r) => {
          const { value, ...rest } = r;
          return { ...rest, ...(value as object) } as Record<string, unknown>;
        });
        await w.write({
          columnData: names.map((name, k) => ({ name, type: types[k]!, data: flat.map((r) => r[name] ?? null) })),
          rowGroupSize: flat.length,
        });
      }
      w.finish();
      return statSync(file).size;
    };
  },
  // End to end: a process publishes telemetry, the bounded queue batches it, the Parquet sink writes 5 columns.
  'twinstream publishTelemetry → Parquet (5 columns, end to end)': (n, dir) => async () => {
    const file = join(dir, 'e2e.parquet');
    const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: 0 });
    env.setupEgress([new ParquetStorageEgress({ pathRouter: () => file })], { batchSize: BATCH });
    env.process(
      (function* () {
        for (let i = 0; i < n; i += 4) {
          for (let k = 0; k < 4; k++) env.publishTelemetry(PATHS[k]!, (i * 7919) % 1000);
          yield env.timeout(1);
        }
      })(),
    );
    await env.run();
    await env.teardown();
    return statSync(file).size;
  },
};

async function child(name: string, n: number, reps: number, warmup: number): Promise<void> {
  const make = variants[name];
  if (make === undefined) throw new Error(`unknown variant ${name}; have ${Object.keys(variants).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-egress-bench-'));
  try {
    const { times, cpu, check } = await timeRuns(make(n, dir), reps, warmup);
    process.stdout.write(`${JSON.stringify({ variant: name, n, times, cpu, check: String(check) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Result {
  variant: string;
  n: number;
  times: number[];
  cpu: number[];
  check: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function orchestrate(n: number, reps: number, warmup: number, only: string | undefined): void {
  const results: Result[] = [];
  const self = new URL(import.meta.url).pathname;
  for (const name of Object.keys(variants).filter((v) => only === undefined || v.includes(only))) {
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', self, '--child', name, String(n), String(reps), String(warmup)],
      {
        encoding: 'utf8',
        timeout: 900_000,
      },
    );
    if (r.status !== 0) {
      console.error(`${name}: FAILED (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    results.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Result);
    process.stderr.write(`${name} done\n`);
  }
  console.log(`\nsimulation egress: ${n.toLocaleString('en')} rows, batches of ${BATCH}, ${reps} runs each\n`);
  console.log('| variant | median rows/s (CPU) | min–max rows/s | median ns/row | wall rows/s | file bytes |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const rate = (t: number) => (n / t) * 1e9;
  for (const r of results) {
    console.log(
      `| ${r.variant} | ${(rate(median(r.cpu)) / 1e6).toFixed(2)}M | ${(rate(Math.max(...r.cpu)) / 1e6).toFixed(2)}–${(rate(Math.min(...r.cpu)) / 1e6).toFixed(2)}M | ${(median(r.cpu) / n).toFixed(0)} | ${(rate(median(r.times)) / 1e6).toFixed(2)}M | ${r.check} |`,
    );
  }
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}sim-egress-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ workload: 'sim-egress', rows: n, batch: BATCH, reps, warmup, node: process.version, results }, null, 2)}\n`,
  );
  console.log(`\nsaved ${file}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1]!, Number(argv[2]), Number(argv[3]), Number(argv[4]));
} else {
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  orchestrate(Number(opt('rows') ?? 1_000_000), Number(opt('reps') ?? 5), Number(opt('warmup') ?? 1), opt('only'));
}
