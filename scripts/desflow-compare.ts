// Runs the desflow blueprints in examples/desflow/ in desflow 0.25 (PyPI, in a venv this script creates:
// bench/.venv-desflow, gitignored) and in twinstream, each as 20 replications from the blueprint's seed, and
// compares every statistic both publish: they agree when their 95% confidence intervals overlap. Exits 1 when one
// does not. With --record, writes desflow's figures to test/sim/model/desflow-figures.json, which the tests check
// twinstream against (run `npm run format` after recording: the file is formatted as the repository's JSON).
//   node scripts/desflow-compare.ts [--replications 20] [--record] [file.yaml ...]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { replicate } from '../src/sim/replicate/replicate.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const VENV = join(ROOT, 'bench/.venv-desflow');
const DESFLOW_VERSION = '0.25.0';
const FIGURES = join(ROOT, 'test/sim/model/desflow-figures.json');
const argv = process.argv.slice(2);
const at = argv.indexOf('--replications');
const N = at >= 0 ? Number(argv[at + 1]) : 20;
const record = argv.includes('--record');
const named = argv.filter((a, i) => a.endsWith('.yaml') && argv[i - 1] !== '--replications');
const files =
  named.length > 0
    ? named
    : readdirSync(join(ROOT, 'examples/desflow'))
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(ROOT, 'examples/desflow', f));

/** The statistics worth comparing: averages, means, percentiles and counts (not the last instant's values). */
export const COMPARED =
  /(_avg|_mean|_p50|_p95|\.downtime|\.failures|\.finished|\.started|\.balked|\.reneged|\.failed|\.interrupted|\.preempted|\.resumed)$/;

function desflow(): string {
  const bin = join(VENV, 'bin/desflow');
  if (existsSync(bin)) return bin;
  process.stderr.write(`creating ${VENV} and installing desflow ${DESFLOW_VERSION} from PyPI ...\n`);
  const venv = spawnSync('python3', ['-m', 'venv', VENV], { encoding: 'utf8' });
  if (venv.status !== 0) throw new Error(`python3 -m venv failed: ${venv.stderr}`);
  const pip = spawnSync(join(VENV, 'bin/pip'), ['install', '-q', `desflow==${DESFLOW_VERSION}`], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (pip.status !== 0) throw new Error(`pip install desflow failed: ${pip.stderr}`);
  return bin;
}

interface Figure {
  mean: number;
  halfWidth: number;
}

// desflow's replication table: `measure  n  mean  half-width`, one line per statistic.
function runDesflow(bin: string, file: string, seed: number): Record<string, Figure> {
  const r = spawnSync(bin, ['run', file, '--replications', String(N), '--seed', String(seed), '--workers', '2'], {
    encoding: 'utf8',
    timeout: 1_800_000,
  });
  if (r.status !== 0) throw new Error(`desflow run ${file} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const out: Record<string, Figure> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)$/.exec(line.trim());
    if (m !== null && m[1] !== 'measure') out[m[1]!] = { mean: Number(m[3]), halfWidth: Number(m[4]) };
  }
  return out;
}

function seedOf(file: string): number {
  const m = /random_seed:\s*(\d+)/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : 42;
}

/** Whether two estimates agree: their intervals overlap (a figure with no spread must match to rounding). */
export function agree(a: Figure, b: Figure): boolean {
  const tolerance = a.halfWidth + b.halfWidth + 1e-6 * Math.max(1, Math.abs(a.mean), Math.abs(b.mean));
  // desflow prints 4 significant digits
  return Math.abs(a.mean - b.mean) <= tolerance + 5e-4 * Math.abs(b.mean);
}

if (import.meta.main) {
  const bin = desflow();
  const recorded: Record<string, { seed: number; replications: number; measures: Record<string, Figure> }> = {};
  let disagreements = 0;
  for (const file of files) {
    const name = relative(ROOT, file);
    const seed = seedOf(file);
    const theirs = runDesflow(bin, file, seed);
    const ours = await replicate(file, { replications: N, workers: 2, seed });
    const mine = new Map(ours.measures.map((m) => [m.name, m]));
    const kept: Record<string, Figure> = {};
    process.stdout.write(`\n${name} (${N} replications, seed ${seed})\n`);
    process.stdout.write(`${'measure'.padEnd(40)} ${'desflow'.padStart(22)} ${'twinstream'.padStart(22)}\n`);
    for (const [measure, d] of Object.entries(theirs)) {
      if (!COMPARED.test(measure)) continue;
      kept[measure] = d;
      const t = mine.get(measure);
      const ok = t !== undefined && agree({ mean: t.mean, halfWidth: t.halfWidth }, d);
      if (!ok) disagreements++;
      const fmt = (f: Figure | undefined) =>
        f === undefined ? 'missing' : `${Number(f.mean.toPrecision(4))} ± ${Number(f.halfWidth.toPrecision(3))}`;
      process.stdout.write(
        `${measure.padEnd(40)} ${fmt(d).padStart(22)} ${fmt(t).padStart(22)}${ok ? '' : '  DIFFERENT'}\n`,
      );
    }
    recorded[name] = { seed, replications: N, measures: kept };
  }
  if (record) {
    const python = spawnSync(join(VENV, 'bin/python'), ['--version'], { encoding: 'utf8' }).stdout.trim();
    // Blueprints not run this time keep their recorded figures.
    const before = existsSync(FIGURES) ? JSON.parse(readFileSync(FIGURES, 'utf8')).blueprints : {};
    const vector = {
      source: `desflow ${DESFLOW_VERSION} from PyPI (${python}), each blueprint run as \`desflow run <file> --replications ${N} --seed <seed> --workers 2\`; its table of means and 95% half-widths, the averages, means, percentiles and counts only`,
      recorded: new Date().toISOString().slice(0, 10),
      blueprints: { ...before, ...recorded },
    };
    writeFileSync(FIGURES, `${JSON.stringify(vector, null, 1)}\n`);
    process.stdout.write(`\nwrote ${relative(ROOT, FIGURES)}\n`);
  }
  process.stdout.write(`\n${disagreements === 0 ? 'all statistics agree' : `${disagreements} statistics differ`}\n`);
  process.exitCode = disagreements === 0 ? 0 : 1;
}
