// Time-indexed access side by side with CoFmuPy's handler (PERF.md): a CSV file of 1M rows, a time column and 8
// value columns; `getData(t)` for the 8 variables at increasing times (a co-simulation master's steps) and at
// random times, linear interpolation (CoFmuPy's fastest method: NumPy's interp), plus a plain binary-search loop
// over the same arrays (the limit) and the CSV load. CoFmuPy runs in a venv this script makes (bench/.venv,
// `pip install cofmupy`); without Python or network it is skipped with a note. Times are CPU time.
//   node bench/handlers.ts [--rows 1000000] [--queries 10000000] [--peer-queries 2000] [--reps 5]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvHandler } from '../src/handlers/index.ts';
import { searchSorted } from '../src/time/search-sorted.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const ROWS = opt('rows', 1_000_000);
const QUERIES = opt('queries', 10_000_000);
const PEER_QUERIES = opt('peer-queries', 2000);
const REPS = opt('reps', 5);
const VARS = 8;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// The data: t every 0.1 s with some jitter-free steps, 8 smooth columns.
const dir = mkdtempSync(join(tmpdir(), 'bench-handlers-'));
const path = join(dir, 'inputs.csv');
{
  const lines = [`t,${Array.from({ length: VARS }, (_, i) => `v${i}`).join(',')}`];
  for (let r = 0; r < ROWS; r++) {
    const t = Math.round(r * 0.1 * 1e6) / 1e6;
    const cells = [t];
    for (let c = 0; c < VARS; c++) cells.push(Math.round(Math.sin(r * 0.001 * (c + 1)) * 1e6) / 1e3);
    lines.push(cells.join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
const bytes = statSync(path).size;
const span = (ROWS - 1) * 0.1;
const increasing = new Float64Array(QUERIES);
for (let i = 0; i < QUERIES; i++) increasing[i] = (span * (i + 0.5)) / QUERIES;
const random = new Float64Array(QUERIES);
let seed = 7;
for (let i = 0; i < QUERIES; i++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  random[i] = (seed / 4294967296) * span;
}

const loads: number[] = [];
let handler!: CsvHandler;
for (let r = 0; r < REPS; r++) {
  const h = new CsvHandler({ path, interpolation: 'linear' });
  for (let c = 0; c < VARS; c++) h.addVariable(['model', `v${c}`], `v${c}`);
  const t0 = cpu();
  await h.start();
  loads.push(cpu() - t0);
  handler = h;
}

type Variant = (times: Float64Array) => number;
const out = new Float64Array(VARS);
const into: Record<string, number> = {};
const times = (handler as any).index.timeColumn() as Float64Array;
const cols = Array.from({ length: VARS }, (_, c) => (handler as any).index.column(`v${c}`) as Float64Array);
const variants: Record<string, Variant> = {
  // the limit: a binary search and 8 linear interpolations on the arrays, nothing else
  'plain binary-search loop': (ts) => {
    let check = 0;
    for (let q = 0; q < ts.length; q++) {
      const t = ts[q]!;
      const i = searchSorted(times, 0, times.length, t);
      for (let c = 0; c < VARS; c++) {
        const ys = cols[c]!;
        out[c] =
          i < 0
            ? ys[0]!
            : i >= times.length - 1
              ? ys[times.length - 1]!
              : ys[i]! + ((ys[i + 1]! - ys[i]!) / (times[i + 1]! - times[i]!)) * (t - times[i]!);
      }
      check += out[3]!;
    }
    return check;
  },
  'getValues(t, out)': (ts) => {
    let check = 0;
    for (let q = 0; q < ts.length; q++) check += handler.getValues(ts[q]!, out)[3]!;
    return check;
  },
  'getData(t, into)': (ts) => {
    let check = 0;
    for (let q = 0; q < ts.length; q++) check += handler.getData(ts[q]!, into)['model.v3']!;
    return check;
  },
  'getData(t)': (ts) => {
    let check = 0;
    for (let q = 0; q < ts.length; q++) check += handler.getData(ts[q]!)['model.v3']!;
    return check;
  },
};

interface Row {
  name: string;
  order: string;
  perSecond: number;
  check: number;
}
const rows: Row[] = [];
for (const [order, ts] of [
  ['increasing', increasing],
  ['random', random],
] as const) {
  for (const [name, fn] of Object.entries(variants)) {
    fn(ts.subarray(0, Math.min(ts.length, 200_000))); // warm-up
    const secs: number[] = [];
    let check = 0;
    for (let r = 0; r < REPS; r++) {
      const t0 = cpu();
      check = fn(ts);
      secs.push(cpu() - t0);
    }
    rows.push({ name, order, perSecond: ts.length / median(secs), check });
    process.stderr.write(`${name} ${order} done\n`);
  }
}

// CoFmuPy, in a venv made here on first use.
const venv = new URL('./.venv/', import.meta.url).pathname;
const python = join(venv, 'bin', 'python');
let peer: { version: string; load_s: number; queries: number; increasing_s: number[]; random_s: number[] } | null =
  null;
let note = '';
if (!existsSync(join(venv, 'bin', 'pip')) || spawnSync(python, ['-c', 'import cofmupy']).status !== 0) {
  process.stderr.write('making bench/.venv with cofmupy (once)\n');
  const mk = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
  const pip =
    mk.status === 0 ? spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', 'cofmupy'], { encoding: 'utf8' }) : mk;
  if (pip.status !== 0) note = `CoFmuPy not measured: ${(pip.stderr || String(pip.error)).trim().split('\n').pop()}`;
}
if (note === '') {
  const r = spawnSync(
    python,
    [
      new URL('./handlers-cofmupy.py', import.meta.url).pathname,
      path,
      'linear',
      String(PEER_QUERIES),
      String(Math.min(REPS, 3)),
    ],
    { encoding: 'utf8', timeout: 1_800_000 },
  );
  if (r.status === 0) peer = JSON.parse(r.stdout.trim().split('\n').pop()!);
  else note = `CoFmuPy failed: ${r.stderr.trim().split('\n').pop()}`;
}
rmSync(dir, { recursive: true, force: true });

const fmt = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1);
console.log(
  `\ngetData(t) for ${VARS} variables on a ${ROWS.toLocaleString('en')}-row index, linear; ${QUERIES.toLocaleString('en')} lookups, median of ${REPS} (CPU time)\n`,
);
console.log('| variant | increasing lookups/s | random lookups/s | increasing vs CoFmuPy | random vs CoFmuPy |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const peerInc = peer ? peer.queries / median(peer.increasing_s) : Number.NaN;
const peerRnd = peer ? peer.queries / median(peer.random_s) : Number.NaN;
for (const name of Object.keys(variants)) {
  const inc = rows.find((r) => r.name === name && r.order === 'increasing')!.perSecond;
  const rnd = rows.find((r) => r.name === name && r.order === 'random')!.perSecond;
  console.log(
    `| ${name} | ${fmt(inc)} | ${fmt(rnd)} | ${peer ? `${Math.round(inc / peerInc).toLocaleString('en')}×` : '—'} | ${peer ? `${Math.round(rnd / peerRnd).toLocaleString('en')}×` : '—'} |`,
  );
}
if (peer) console.log(`| CoFmuPy ${peer.version} get_data(t) | ${fmt(peerInc)} | ${fmt(peerRnd)} | 1× | 1× |`);
const mib = bytes / 2 ** 20;
console.log(
  `\nCSV load (${mib.toFixed(1)} MiB, ${ROWS.toLocaleString('en')} rows × ${VARS + 1} columns): twinstream ${(mib / median(loads)).toFixed(1)} MiB/s` +
    (peer ? `, CoFmuPy (pandas.read_csv) ${(mib / peer.load_s).toFixed(1)} MiB/s` : ''),
);
const checks = new Set(rows.filter((r) => r.order === 'increasing').map((r) => r.check.toFixed(3)));
console.log(
  `every twinstream variant gives the same sum: ${checks.size === 1 ? 'yes' : `no (${[...checks].join(', ')})`}`,
);
if (note) console.log(`\n- ${note}`);
const resultsDir = new URL('./results/', import.meta.url).pathname;
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}handlers-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
  file,
  `${JSON.stringify({ rows: ROWS, queries: QUERIES, reps: REPS, node: process.version, loads, results: rows, peer }, null, 2)}\n`,
);
console.log(`saved ${file}`);
