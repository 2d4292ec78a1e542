// Flows of tasks side by side with desflow (PyPI `desflow` 0.25, in the venv bench/sim-replications.ts and
// scripts/desflow-compare.ts create: bench/.venv-desflow), in one run:
//  1. examples/desflow/routing.yaml (attributes, when rules, weights, rework; four resources): 20 replications of one
//     simulated hour, 2 workers, wall time of the whole command as a user types it, in desflow and in twinstream
//     (the same file, unchanged);
//  2. the week of Line_A without sinks, as steps (examples/models/line-a.yaml) and as a desflow blueprint run by
//     twinstream's task engine: events per second of each, in this process.
//   node bench/sim-flows.ts [--reps 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, runModel } from '../src/sim/model/run.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const BIN = join(ROOT, 'bench/.venv-desflow/bin/desflow');
const argv = process.argv.slice(2);
const REPS = Number(argv[argv.indexOf('--reps') + 1] ?? 3) || 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// Line_A as a desflow blueprint: the same system as examples/models/line-a.yaml, one week.
const LINE_A = `simulation: { sim_id: Line_A, random_seed: 42, factor: 0 }
resources: { lathe: { current_cap: 4, max_cap: 10 } }
services: { milling: { dist: normal, mean: 2, std: 0.2 } }
arrivals: { standard: { dist: exponential, rate: 2, spawn: milling } }
tasks: { milling: { service: milling, resource: lathe, payload: {} } }
run: { until: 604800 }
`;

function wall(cmd: string, args: string[]): number | string {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || '').trim().split('\n').slice(-2).join(' ')}`;
  return (performance.now() - t0) / 1000;
}

const routing = join(ROOT, 'examples/desflow/routing.yaml');
const ours: number[] = [];
const theirs: number[] = [];
const cli = join(ROOT, 'src/cli/main.ts');
for (let i = 0; i < REPS; i++) {
  const a = wall(process.execPath, [cli, 'sim', 'run', routing, '--replications', '20', '--workers', '2']);
  if (typeof a === 'number') ours.push(a);
  else console.error(`twinstream ${a}`);
  if (existsSync(BIN)) {
    const b = wall(BIN, ['run', routing, '--replications', '20', '--workers', '2']);
    if (typeof b === 'number') theirs.push(b);
    else console.error(`desflow ${b}`);
  }
}
console.log(`\n### examples/desflow/routing.yaml, 20 replications of one hour, 2 workers — ${REPS} runs each\n`);
console.log('| command | wall s median | × twinstream |');
console.log('| --- | ---: | ---: |');
if (ours.length > 0) console.log(`| twinstream sim run (from source) | ${median(ours).toFixed(2)} | 1.00 |`);
if (theirs.length > 0) {
  console.log(`| desflow 0.25 run | ${median(theirs).toFixed(2)} | ${(median(theirs) / median(ours)).toFixed(2)} |`);
} else console.log('| desflow | not installed: run scripts/desflow-compare.ts once to create the venv | |');

const dir = mkdtempSync(join(tmpdir(), 'twinstream-flows-bench-'));
try {
  const blueprint = join(dir, 'line_a.yaml');
  writeFileSync(blueprint, LINE_A);
  const rates: Record<string, number[]> = { steps: [], tasks: [] };
  for (let i = 0; i < REPS; i++) {
    for (const [name, file] of [
      ['steps', join(ROOT, 'examples/models/line-a.yaml')],
      ['tasks', blueprint],
    ] as const) {
      const { egress: _, ...spec } = await loadModel(file); // no sinks: the model alone
      const s = await runModel(spec, { until: 604_800, factor: 0 });
      rates[name]!.push(s.events / s.wallSeconds);
    }
  }
  console.log(`\n### the week of Line_A, no sinks, statistics "typical" — ${REPS} runs each\n`);
  console.log('| model | events/s median | × steps |');
  console.log('| --- | ---: | ---: |');
  for (const name of ['steps', 'tasks']) {
    console.log(
      `| ${name} | ${(median(rates[name]!) / 1e6).toFixed(2)}M | ${(median(rates[name]!) / median(rates.steps!)).toFixed(2)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
