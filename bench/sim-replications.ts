// Replications side by side with desflow (PyPI `desflow`, the renamed dynamic-des), in one run: 20 replications of
// one simulated hour of Line_A (exponential arrivals at 2/s, normal service 2 ± 0.2 s, a lathe of 4 units), with 2
// workers, every statistic at level "all", wall time of the whole command as a user types it (start-up included).
// desflow runs from a venv this script creates (bench/.venv-desflow, gitignored). With --week, also the week of
// Line_A written to Parquet by `twinstream sim run`, with statistics at each level (CPU seconds). twinstream runs
// as installed: the built bin, dist/cli/main.js (the script builds it first). With --kafka, also the replications
// over Kafka: a broker started here (scripts/kafka.ts), `workers` processes of `twinstream sim worker` started and
// warmed up once, and `twinstream sim run --replications n --kafka <broker>` timed beside the others (the workers'
// CPU is counted from /proc).
//   node bench/sim-replications.ts [--reps 3] [--replications 20] [--workers 2] [--week] [--kafka]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const VENV = join(ROOT, 'bench/.venv-desflow');
const DESFLOW_VERSION = '0.25.0';
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const REPS = Number(opt('reps', '3'));
const N = opt('replications', '20');
const W = opt('workers', '2');

// Line_A as a desflow blueprint: the same system as examples/models/line-a.yaml.
const BLUEPRINT = `simulation:
  sim_id: Line_A
  random_seed: 42
resources:
  lathe: { current_cap: 4, max_cap: 10 }
services:
  milling: { dist: normal, mean: 2, std: 0.2 }
arrivals:
  standard: { dist: exponential, rate: 2, spawn: milling }
tasks:
  milling: { service: milling, resource: lathe, payload: {} }
stats:
  level: all
run:
  until: 3600
`;

function desflow(): string | null {
  const bin = join(VENV, 'bin/desflow');
  if (existsSync(bin)) {
    // A venv made before the week wrote Parquet lacks pyarrow: add the extra once.
    const py = join(VENV, 'bin/python');
    if (spawnSync(py, ['-c', 'import pyarrow'], { encoding: 'utf8' }).status !== 0) {
      spawnSync(join(VENV, 'bin/pip'), ['install', '-q', `desflow[parquet]==${DESFLOW_VERSION}`], {
        encoding: 'utf8',
        timeout: 900_000,
      });
    }
    return bin;
  }
  process.stderr.write(`creating ${VENV} and installing desflow ${DESFLOW_VERSION} from PyPI ...\n`);
  const venv = spawnSync('python3', ['-m', 'venv', VENV], { encoding: 'utf8' });
  if (venv.status !== 0) return null;
  // The parquet extra (pyarrow): the week below writes Parquet in both.
  const pip = spawnSync(join(VENV, 'bin/pip'), ['install', '-q', `desflow[parquet]==${DESFLOW_VERSION}`], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (pip.status !== 0) {
    process.stderr.write(`pip install desflow failed: ${pip.stderr.trim().split('\n').pop()}\n`);
    return null;
  }
  return existsSync(bin) ? bin : null;
}

interface Timed {
  wall: number[];
  cpu: number[];
  last: string;
}

// Wall and CPU seconds (the child's user + system, from /usr/bin/time's format) of one command, `REPS` times.
function time(cmd: string, args: string[], cwd: string, reps = REPS): Timed | string {
  const wall: number[] = [];
  const cpu: number[] = [];
  let last = '';
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { cwd, encoding: 'utf8', timeout: 900_000 });
    const t1 = performance.now();
    if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`;
    const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    wall.push((t1 - t0) / 1000);
    cpu.push(u! + s!);
    last = r.stdout;
  }
  return { wall, cpu, last };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (t: Timed) =>
  `${median(t.wall).toFixed(2)} | ${Math.min(...t.wall).toFixed(2)}–${Math.max(...t.wall).toFixed(2)} | ${median(t.cpu).toFixed(2)}`;

// CPU seconds a process has used so far (user + system, from /proc; clock ticks of 10 ms).
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const dir = mkdtempSync(join(tmpdir(), 'twinstream-replications-bench-'));
const rows: [string, Timed | string][] = [];
let stopCluster: (() => Promise<void>) | null = null;
const workerProcs: ChildProcess[] = [];
let kafkaBrokers: string | null = null;
try {
  const model = join(ROOT, 'examples/models/line-a.yaml');
  const node = process.execPath;
  // The command as installed: the built `twinstream` bin (dist/cli/main.js), built here first; from source (Node
  // stripping the types of every module at start-up) if the build fails.
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.ts')], { cwd: ROOT, encoding: 'utf8' });
  const main = join(ROOT, build.status === 0 ? 'dist/cli/main.js' : 'src/cli/main.ts');
  if (build.status !== 0) {
    console.error(`build failed, running from source: ${(build.stdout + build.stderr).slice(0, 300)}`);
  }
  const blueprint = join(dir, 'line_a.yaml');
  writeFileSync(blueprint, BLUEPRINT);
  const bin = desflow();
  const overKafka: Timed = { wall: [], cpu: [], last: '' };
  const workersCpu: number[] = [];
  if (argv.includes('--kafka')) {
    const { startKafka } = await import('../scripts/kafka.ts');
    const k = await startKafka({});
    stopCluster = () => k.stop();
    kafkaBrokers = k.bootstrap;
    for (let i = 0; i < Number(W); i++) {
      workerProcs.push(
        spawn(node, [main, 'sim', 'worker', '--kafka', kafkaBrokers, '--quiet'], { cwd: dir, stdio: 'ignore' }),
      );
    }
    // A first job warms the workers up (start-up, group join): a cluster's workers are started once.
    const warm = time(
      node,
      [main, 'sim', 'run', model, '--until', '60', '--replications', '4', '--kafka', kafkaBrokers],
      dir,
      1,
    );
    if (typeof warm === 'string') console.error(`warm-up over Kafka ${warm}`);
  }
  // Interleaved, one command after the other, so both see the same machine.
  const ours: Timed = { wall: [], cpu: [], last: '' };
  const theirs: Timed = { wall: [], cpu: [], last: '' };
  let failed: string | null = null;
  for (let i = 0; i < REPS && failed === null; i++) {
    const a = time(
      node,
      [main, 'sim', 'run', model, '--until', '3600', '--replications', N, '--workers', W, '--stats', 'all'],
      dir,
      1,
    );
    if (typeof a === 'string') failed = `twinstream ${a}`;
    else {
      ours.wall.push(...a.wall);
      ours.cpu.push(...a.cpu);
      ours.last = a.last;
    }
    if (kafkaBrokers !== null) {
      const before = workerProcs.reduce((x, w) => x + cpuOf(w.pid!), 0);
      const k = time(
        node,
        [main, 'sim', 'run', model, '--until', '3600', '--replications', N, '--stats', 'all', '--kafka', kafkaBrokers],
        dir,
        1,
      );
      if (typeof k === 'string') failed = `twinstream over Kafka ${k}`;
      else {
        overKafka.wall.push(...k.wall);
        overKafka.cpu.push(...k.cpu);
        overKafka.last = k.last;
        workersCpu.push(workerProcs.reduce((x, w) => x + cpuOf(w.pid!), 0) - before);
      }
    }
    if (bin !== null) {
      const b = time(bin, ['run', blueprint, '--replications', N, '--workers', W], dir, 1);
      if (typeof b === 'string') failed = `desflow ${b}`;
      else {
        theirs.wall.push(...b.wall);
        theirs.cpu.push(...b.cpu);
        theirs.last = b.last;
      }
    }
  }
  if (failed !== null) console.error(failed);
  rows.push([`twinstream sim run --replications ${N} --workers ${W}`, ours]);
  if (kafkaBrokers !== null) {
    rows.push([`twinstream sim run --replications ${N} --kafka (${W} sim worker processes)`, overKafka]);
  }
  rows.push([
    `desflow ${DESFLOW_VERSION} run --replications ${N} --workers ${W}`,
    bin === null ? 'not installed (pip install desflow failed); published figure: 4.2–4.4 s wall' : theirs,
  ]);
  console.log(
    `\n### ${N} replications of one simulated hour of Line_A, ${W} workers, statistics "all" — ${REPS} runs each\n`,
  );
  console.log('| command | wall s median | min–max | CPU s median | × twinstream (wall) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, t] of rows) {
    if (typeof t === 'string') console.log(`| ${name} | ${t} | | | |`);
    else console.log(`| ${name} | ${fmt(t)} | ${(median(t.wall) / median(ours.wall)).toFixed(2)} |`);
  }
  const wait = (out: string) => /tasks\.milling\.wait_mean\s+\d+\s+([\d.]+)\s+([\d.]+)/.exec(out)?.slice(1).join(' ± ');
  console.log(`\nwait_mean: twinstream ${wait(ours.last)}, desflow ${theirs.last ? wait(theirs.last) : '-'}`);
  if (kafkaBrokers !== null) {
    console.log(
      `over Kafka: wait_mean ${wait(overKafka.last)} (the same seeds: the same figures); the workers' CPU per run: ${workersCpu.map((c) => c.toFixed(2)).join(', ')} s (the CPU column is the coordinator's)`,
    );
  }

  if (argv.includes('--week')) {
    console.log('\n### the week of Line_A to Parquet, `twinstream sim run` with statistics at each level\n');
    console.log('| statistics | wall s median | min–max | CPU s median | × none (CPU) |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    const week: [string, Timed | string][] = [];
    for (const level of ['none', 'typical', 'all']) {
      week.push([
        level,
        time(node, [main, 'sim', 'run', model, '--out', join(dir, level), '--stats', level, '--quiet'], dir),
      ]);
    }
    const none = week[0]![1];
    for (const [level, t] of week) {
      if (typeof t === 'string') console.log(`| ${level} | ${t} | | | |`);
      else
        console.log(
          `| ${level} | ${fmt(t)} | ${typeof none === 'string' ? '-' : (median(t.cpu) / median(none.cpu)).toFixed(2)} |`,
        );
    }
    // The same week as a desflow blueprint with a Parquet sink (unpaced: `factor: 0`; desflow's default is real
    // time), run unchanged by desflow and by `twinstream sim run`, once each (desflow takes minutes): wall and CPU
    // of the whole command, and the event rows written.
    const weekFile = join(dir, 'line-a-week.yaml');
    writeFileSync(
      weekFile,
      `${BLUEPRINT.replace('random_seed: 42', 'random_seed: 42\n  factor: 0').replace('level: all', 'level: typical').replace('until: 3600', 'until: 604800')}egress:\n  - { type: Parquet, config: { default_path: events.parquet } }\n`,
    );
    const rowsIn = (d: string): string => {
      if (bin === null) return '-';
      const code = `import glob,pyarrow.parquet as pq;print(sum(pq.read_metadata(f).num_rows for f in glob.glob(${JSON.stringify(`${d}/**/*.parquet`)},recursive=True)))`;
      return spawnSync(join(VENV, 'bin/python'), ['-c', code], { encoding: 'utf8' }).stdout.trim() || '-';
    };
    const oursWeek = time(node, [main, 'sim', 'run', weekFile, '--out', join(dir, 'week-ts'), '--quiet'], dir, 1);
    mkdirSync(join(dir, 'week-desflow'));
    const theirsWeek = bin === null ? 'not installed' : time(bin, ['run', weekFile], join(dir, 'week-desflow'), 1);
    console.log('\n### the week of Line_A as a desflow blueprint to Parquet (statistics typical), one run each\n');
    console.log('| command | wall s | CPU s | event rows | × twinstream (wall) | × twinstream (CPU) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, t, d] of [
      ['twinstream sim run', oursWeek, 'week-ts'],
      [`desflow ${DESFLOW_VERSION} run`, theirsWeek, 'week-desflow'],
    ] as const) {
      if (typeof t === 'string') console.log(`| ${name} | ${t} | | | | |`);
      else {
        const ref = typeof oursWeek === 'string' ? null : oursWeek;
        console.log(
          `| ${name} | ${t.wall[0]!.toFixed(1)} | ${t.cpu[0]!.toFixed(1)} | ${rowsIn(join(dir, d))} | ${ref ? (t.wall[0]! / ref.wall[0]!).toFixed(2) : '-'} | ${ref ? (t.cpu[0]! / ref.cpu[0]!).toFixed(2) : '-'} |`,
        );
      }
      rows.push([`week to Parquet: ${name}`, t]);
    }
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, `bench/results/sim-replications-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ replications: N, workers: W, reps: REPS, rows }, null, 2)}\n`);
  console.log(`\nsaved ${file}`);
} finally {
  for (const w of workerProcs) w.kill('SIGTERM');
  await stopCluster?.();
  rmSync(dir, { recursive: true, force: true });
}
