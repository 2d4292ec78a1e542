// Declarative pipelines against the same graph written in code, side by side in one run: a CSV file of readings
// (time, value, sensor) through a filter, a map and 1-minute tumbling windows per sensor (count, mean) to a JSON
// Lines file. The pipeline file's cost is its reading, validation and building, plus the nodes it adds (an input
// counter, an output counter); the figures are rows per second of wall time, medians of the runs, each variant in
// its own fresh process.
//   node bench/pipeline.ts [--rows 1000000] [--reps 5]
//   node bench/pipeline.ts --child <variant> <dir> <reps>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stream } from '../src/core/index.ts';
import '../src/connectors/files/index.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { count, mean } from '../src/window/index.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const SENSORS = ['pump-1', 'pump-2', 'valve-a', 'valve-b', 'motor-7'];

// The functions both variants call, as a module the pipeline file names.
const FUNCTIONS = `export function plausible(r) { return r.value > -100; }
export function scaled(r) { return { ...r, value: r.value * 1.8 + 32 }; }
`;
const PIPELINE = `inputs:
  - { type: csv, path: readings.csv }
functions: ./functions.js
steps:
  - filter: plausible
  - map: scaled
  - window: { size: 1m, key: sensor, timestamp: time, aggregate: { n: count, mean: { fn: mean, field: value } } }
outputs:
  - { type: jsonl, path: out.jsonl }
`;

async function child(variant: string, dir: string, reps: number): Promise<void> {
  const { plausible, scaled } = (await import(join(dir, 'functions.js'))) as Record<string, (r: any) => any>;
  const times: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    if (variant === 'code') {
      const source = Stream.fromCsv(join(dir, 'readings.csv'));
      source
        .filter(plausible!)
        .map(scaled!)
        .tumblingWindow('1m', { key: 'sensor', timestamp: 'time' })
        .agg({ n: count(), mean: mean('value') })
        .final()
        .toJsonl(join(dir, `out-code-${rep}.jsonl`));
      source.start();
      await source.done;
    } else {
      await runPipeline(join(dir, 'pipeline.yaml'), { outDir: dir });
    }
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify(times));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
} else {
  const rows = arg('--rows', 1_000_000);
  const reps = arg('--reps', 5);
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-bench-pipeline-'));
  try {
    const lines = ['time,value,sensor'];
    for (let i = 0; i < rows; i++)
      lines.push(`${1_700_000_000_000 + i * 250},${((i * 7919) % 100000) / 7},${SENSORS[i % 5]}`);
    writeFileSync(join(dir, 'readings.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'functions.js'), FUNCTIONS);
    writeFileSync(join(dir, 'pipeline.yaml'), PIPELINE);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const results: Record<string, number> = {};
    for (const variant of ['code', 'pipeline']) {
      const r = spawnSync(process.execPath, [import.meta.filename, '--child', variant, dir, String(reps)], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(r.stderr);
      results[variant] = median(JSON.parse(r.stdout.trim().split('\n').at(-1)!));
    }
    console.log(
      `\npipelines: CSV -> filter -> map -> 1-minute windows -> JSONL, ${rows.toLocaleString('en-US')} rows, median of ${reps}`,
    );
    console.log('| variant | ms | rows/s | vs code |');
    console.log('| --- | --- | --- | --- |');
    for (const [v, ms] of Object.entries(results)) {
      console.log(
        `| ${v} | ${ms.toFixed(0)} | ${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} | ${(ms / results.code!).toFixed(2)}x |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
