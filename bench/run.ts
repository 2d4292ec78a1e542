// Every benchmark, side by side with the peers: first the core's workloads (each (workload, variant) in its own
// fresh process; a table per workload with median and min-max ns/element and the ratio to twinstream, JSON saved
// under bench/results/), then the suites of the other layers, each its own script with its own table.
//   npm run bench                       everything, 10M elements for the synchronous workloads
//   npm run bench -- --quick            1M elements, fewer runs
//   npm run bench -- --only core,window  some suites: core, window, frame, sim (kernel, replications beside desflow), handlers, pipes, files, connectors-net, databases, pipeline
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a) => a.startsWith('--only'));
const only =
  onlyArg === undefined
    ? null
    : (onlyArg.split('=')[1] ?? process.argv[process.argv.indexOf(onlyArg) + 1] ?? '').split(',');
const wants = (suite: string) => only === null || only.includes(suite);
const BIG = quick ? 1e6 : 1e7;
const ASYNC = quick ? 2e5 : 1e6;
const REPS = quick ? 5 : 7;

interface Plan {
  title: string;
  file: string;
  n: number;
  base: string;
  variants: string[];
  target?: number;
}

const plans: Plan[] = [
  {
    title: '(a) map -> filter -> accumulate, synchronous',
    file: 'bench/core/chain.ts',
    n: BIG,
    base: 'twinstream',
    target: 1.5,
    variants: [
      'loop',
      'twinstream',
      'twinstream-emit-loop',
      'twinstream-sink',
      'twinstream-metrics',
      'most-1x',
      'most-core',
      'rxjs',
      'highland',
    ],
  },
  {
    title: '(b) sliding mean over 100',
    file: 'bench/core/sliding.ts',
    n: BIG,
    base: 'twinstream',
    target: 5,
    variants: ['loop-ring', 'twinstream', 'twinstream-sink', 'most-core-scan', 'most-core-scan-perf', 'rxjs-scan'],
  },
  {
    title: '(c) the chain of (a) with an async sink awaited per element',
    file: 'bench/core/chain.ts',
    n: ASYNC,
    base: 'twinstream-async-sink',
    target: 40,
    variants: ['twinstream-async-sink', 'async-generators'],
  },
  {
    title: '(c) the same in batches of 1,000',
    file: 'bench/core/chain.ts',
    n: BIG,
    base: 'twinstream-async-batch1k',
    target: 3,
    variants: ['twinstream-async-batch1k', 'async-generators-batch1k'],
  },
];

interface Result {
  variant: string;
  n: number;
  times: number[];
  cpu?: number[];
  check: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function runNode(file: string, variant: string, n: number): Result | string {
  const r = spawnSync(process.execPath, ['--expose-gc', file, variant, String(n), String(REPS), '2'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').slice(0, 300)}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

function runStreamz(n: number): Result | string {
  const r = spawnSync('python3', ['bench/peers/streamz_chain.py', String(n), '3'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0)
    return `not measured: ${(r.stderr || 'python3 missing').trim().split('\n').pop()} (pip install streamz)`;
  return JSON.parse(r.stdout.trim()) as Result;
}

const report: { plan: Plan; results: Result[]; notes: string[] }[] = [];
for (const plan of wants('core') ? plans : []) {
  const results: Result[] = [];
  const notes: string[] = [];
  for (const v of plan.variants) {
    process.stderr.write(`${plan.title}: ${v} ...\n`);
    const r = runNode(plan.file, v, plan.n);
    if (typeof r === 'string') notes.push(`${v}: ${r}`);
    else results.push(r);
  }
  if (plan.file.endsWith('chain.ts') && plan.base === 'twinstream') {
    const r = runStreamz(Math.min(plan.n, 1e6));
    if (typeof r === 'string') notes.push(`streamz-python: ${r}`);
    else results.push(r);
  }
  report.push({ plan, results, notes });
}

for (const { plan, results, notes } of report) {
  const base = results.find((r) => r.variant === plan.base);
  const baseNs = base ? median(base.times) / base.n : Number.NaN;
  console.log(
    `\n### ${plan.title} — N = ${plan.n.toLocaleString('en')}${plan.target ? `, target ≤ ${plan.target} ns/element` : ''}\n`,
  );
  const baseCpu = base?.cpu ? median(base.cpu) / base.n : Number.NaN;
  console.log(
    '| variant | ns/element median | min – max | × twinstream | CPU ns/element median | × twinstream (CPU) | check |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const ns = r.times.map((t) => t / r.n);
    const med = median(r.times) / r.n;
    const cpuMed = r.cpu ? median(r.cpu) / r.n : Number.NaN;
    const same = base === undefined || r.check === base.check ? 'ok' : r.check;
    console.log(
      `| ${r.variant}${r.n !== plan.n ? ` (N=${r.n.toLocaleString('en')})` : ''} | ${med.toFixed(2)} | ${Math.min(...ns).toFixed(2)} – ${Math.max(...ns).toFixed(2)} | ${(med / baseNs).toFixed(2)} | ${Number.isNaN(cpuMed) ? '–' : cpuMed.toFixed(2)} | ${Number.isNaN(cpuMed) ? '–' : (cpuMed / baseCpu).toFixed(2)} | ${same} |`,
    );
  }
  for (const n of notes) console.log(`\n- ${n}`);
}

if (report.length > 0) {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/core-${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}.json`;
  writeFileSync(file, `${JSON.stringify({ node: process.version, quick, report }, null, 2)}\n`);
  console.log(`\nsaved ${file}`);
}

// The other suites print their own tables.
const suites: [string, string, string[]][] = [
  ['window', 'bench/window.ts', quick ? ['--quick'] : []],
  ['frame', 'bench/frame.ts', quick ? ['--quick'] : []],
  ['sim', 'bench/sim-kernel.ts', quick ? ['--events', '500000', '--reps', '3'] : []],
  ['sim', 'bench/sim-replications.ts', quick ? ['--reps', '1'] : ['--week']],
  ['sim', 'bench/sim-flows.ts', quick ? ['--reps', '1'] : []],
  ['handlers', 'bench/handlers.ts', quick ? ['--queries', '1000000', '--peer-queries', '300', '--reps', '3'] : []],
  ['pipes', 'bench/pipes.ts', quick ? ['--quick'] : []],
  ['files', 'bench/connectors-files.ts', quick ? ['--csv-mib', '8', '--rows', '200000', '--reps', '3'] : []],
  ['connectors-net', 'bench/connectors-net.ts', quick ? ['--quick'] : []],
  ['databases', 'bench/databases.ts', quick ? ['--quick'] : []],
  ['pipeline', 'bench/pipeline.ts', quick ? ['--rows', '200000', '--reps', '3'] : []],
];
for (const [name, script, args] of suites) {
  if (!wants(name)) continue;
  console.log(`\n## ${name}\n`);
  const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', timeout: 3_600_000 });
  if (r.status !== 0) console.log(`\n- ${name}: the suite failed (exit ${r.status})`);
}
