import { fileURLToPath } from 'node:url';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { realClock } from '../../time/clock.ts';
import { loadReplays } from '../model/load-replays.ts';
import { loadModel } from '../model/run.ts';
import type { ModelSpec } from '../model/spec.ts';
import { validateModel } from '../model/validate.ts';
import { STATS_LEVELS, type StatsLevel } from '../stats/model-statistics.ts';
import { type ReplicationOutcome, type ReplicationTask, runReplication } from './run-replication.ts';
import { spawnSeeds } from './spawn-seeds.ts';
import { type ConfidenceInterval, studentT } from './student-t.ts';

// From source, the worker is the .ts next to this file (Node strips its types). Built, it is
// dist/sim/replicate/replication-worker.js and this code is bundled into dist/sim/ or dist/chunks/: one folder below
// dist/ either way (scripts/build.ts builds the worker as an entry of its own).
const WORKER_FILE = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? './replication-worker.ts' : '../sim/replicate/replication-worker.js',
    import.meta.url,
  ),
);

/** How to replicate a model. */
export interface ReplicateOptions {
  /** How many replications (at least 2). */
  replications: number;
  /** Replications run at once: this thread and `workers - 1` worker threads (default 1: one after another here). */
  workers?: number;
  /** The confidence level of the intervals (default 0.95). */
  level?: number;
  /** The statistics to summarise, such as `tasks.milling.wait_mean` (default: every one the runs measured). */
  measures?: readonly string[];
  /** The seed the replications' seeds are spawned from (default `run.seed`, else 42). */
  seed?: number;
  /** Simulated time of each replication (default `run.until`). */
  until?: number;
  /** The statistics level of each run (default `all`). */
  stats?: StatsLevel;
}

/** One measure across the replications: its mean and Student-t interval. */
export interface ReplicatedMeasure extends ConfidenceInterval {
  name: string;
}

/** What `replicate` found. */
export interface ReplicationSummary {
  simId: string;
  /** Each replication's seed, in order: `runModel(file, { seed })` repeats one. */
  seeds: number[];
  level: number;
  measures: ReplicatedMeasure[];
  /** Every replication's statistics, in seed order. */
  runs: ReplicationOutcome[];
  /** Kernel events over all replications. */
  events: number;
  wallSeconds: number;
}

/**
 * Runs `replications` independent replications of a model (a file path or a `ModelSpec`) with seeds spawned from one
 * seed, unpaced and with no I/O, on `workers` threads, and gives each statistic's mean with its Student-t interval.
 * The same seed always gives the same summary, whatever the number of workers.
 *
 * @example
 * const r = await replicate('examples/models/line-a.yaml', { replications: 20, workers: 2, until: 3600 });
 * for (const m of r.measures) console.log(m.name, m.mean, '±', m.halfWidth);
 */
export async function replicate(model: string | ModelSpec, options: ReplicateOptions): Promise<ReplicationSummary> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) badArgument('replicate', 'workers', workers, 'an integer >= 1');
  // The worker threads start before the model is read and validated: their start-up (a thread, the kernel's
  // modules) then overlaps this thread's loading of the model, which is most of a short command's time.
  const n = options.replications;
  const threads = workers === 1 || !Number.isInteger(n) || n < 2 ? 0 : Math.min(workers - 1, n - 1);
  const pool = threads === 0 ? null : await startPool(threads);
  try {
    const plan = await planReplications(model, options, 'replicate');
    const t0 = performance.now();
    const runs = pool === null ? await inThisThread(plan.tasks) : await onWorkers(plan.tasks, pool, threads);
    return summariseReplications(plan, runs, (performance.now() - t0) / 1000);
  } finally {
    await pool?.destroy();
  }
}

/** @internal The replications a `replicate` call runs: the validated model, the spawned seeds and one task per seed. */
export interface ReplicationPlan {
  spec: ModelSpec<number>;
  seeds: number[];
  tasks: ReplicationTask[];
  level: number;
  measures: readonly string[] | undefined;
}

/**
 * @internal Validates the options and the model of a replication run and spawns its seeds: what `replicate` and
 * the replications over Kafka share, so both run the same replications for the same seed.
 * @example
 * const plan = await planReplications('line-a.yaml', { replications: 20, until: 3600 }, 'replicate');
 */
export async function planReplications(
  model: string | ModelSpec,
  options: Omit<ReplicateOptions, 'workers'>,
  where: string,
): Promise<ReplicationPlan> {
  const n = options.replications;
  if (!Number.isInteger(n) || n < 2) badArgument(where, 'replications', n, 'an integer >= 2');
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) badArgument(where, 'level', level, 'a number between 0 and 1, such as 0.95');
  const stats = options.stats ?? 'all';
  if (!STATS_LEVELS.includes(stats) || stats === 'none') {
    badArgument(where, 'stats', stats, 'one of minimal, basic, typical, all');
  }
  const spec: ModelSpec<number> =
    typeof model === 'string' ? await loadModel(model) : await validateModel(model, 'the model object');
  if (typeof model !== 'string') await loadReplays(spec, process.cwd(), realClock.now());
  const seed = options.seed ?? spec.run.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 1 || seed > 4294967295) {
    badArgument(where, 'seed', seed, 'an integer from 1 to 4294967295');
  }
  const until = options.until ?? spec.run.until;
  if (!(until > 0) || !Number.isFinite(until)) badArgument(where, 'until', until, 'a finite number > 0');
  const seeds = spawnSeeds(seed, n);
  const tasks: ReplicationTask[] = seeds.map((s) => ({ spec, seed: s, until, stats }));
  return { spec, seeds, tasks, level, measures: options.measures };
}

/**
 * @internal The summary of a plan's runs (in seed order), as `replicate` gives it.
 * @example
 * const summary = summariseReplications(plan, runs, wallSeconds);
 */
export function summariseReplications(
  plan: ReplicationPlan,
  runs: ReplicationOutcome[],
  wallSeconds: number,
): ReplicationSummary {
  return {
    simId: plan.spec.simId,
    seeds: plan.seeds,
    level: plan.level,
    measures: summarise(runs, plan.measures, plan.level, plan.spec.simId),
    runs,
    events: runs.reduce((a, r) => a + r.events, 0),
    wallSeconds,
  };
}

async function inThisThread(tasks: ReplicationTask[]): Promise<ReplicationOutcome[]> {
  const out: ReplicationOutcome[] = [];
  for (let i = 0; i < tasks.length; i++) {
    try {
      out.push(await runReplication(tasks[i]!));
    } catch (error) {
      throw replicationFailed(i, tasks[i]!, error);
    }
  }
  return out;
}

// A replication's error, whichever thread ran it, as the replications over Kafka report one: its index and seed
// (to repeat it alone: `runModel(file, { seed })`), the message and the code of the error inside.
function replicationFailed(index: number, task: ReplicationTask, error: unknown): TwinstreamError {
  const e = error as { message?: unknown; code?: unknown };
  return new TwinstreamError(
    'TS_SIM_REPLICATION_FAILED',
    `replication ${index} (seed ${task.seed}) failed: ${String(e?.message ?? error)}`,
    { cause: error, context: { index, seed: task.seed, code: typeof e?.code === 'string' ? e.code : null } },
  );
}

type Pool = import('piscina').Piscina;

async function startPool(threads: number): Promise<Pool> {
  const { Piscina } = await importOptional('piscina', 'replications on several workers', () => import('piscina'));
  return new Piscina({ filename: WORKER_FILE, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 2 });
}

// A replication runs to its end without giving the event loop a turn; this thread waits for one turn after each
// (setImmediate), so the worker threads' results are received and each is handed its next replication at once.
// Without it, a worker's result would wait until this thread had run every replication left.
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// `threads + 1` replications at once: this thread is one of them (it has the model loaded already, and a thread
// less to start saves its module loading), worker threads the others. Each takes the next replication when it is
// done; results keep the seeds' order, so the summary does not depend on who ran what. A worker thread holds two
// replications at a time: its next one waits in the thread and starts as the last ends, rather than when this thread
// (busy with a replication of its own) next hands one over.
async function onWorkers(tasks: ReplicationTask[], pool: Pool, threads: number): Promise<ReplicationOutcome[]> {
  const results: ReplicationOutcome[] = new Array(tasks.length);
  let next = 0;
  const pump = async (run: (t: ReplicationTask) => Promise<ReplicationOutcome>, here: boolean) => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = await run(tasks[i]!);
      } catch (error) {
        // The run fails with this error: the others take no more replications.
        next = tasks.length;
        throw replicationFailed(i, tasks[i]!, error);
      }
      if (here) await nextTurn();
    }
  };
  const remote = (t: ReplicationTask) => pool.run(t) as Promise<ReplicationOutcome>;
  await Promise.all([...Array.from({ length: 2 * threads }, () => pump(remote, false)), pump(runReplication, true)]);
  return results;
}

// The measures asked for (a name with or without the `<simId>.stats.` prefix), or every one any run measured.
function summarise(
  runs: ReplicationOutcome[],
  asked: readonly string[] | undefined,
  level: number,
  simId: string,
): ReplicatedMeasure[] {
  const known: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    for (const name of Object.keys(r.statistics)) {
      if (!seen.has(name)) {
        seen.add(name);
        known.push(name);
      }
    }
  }
  const prefix = `${simId}.stats.`;
  const names = (asked ?? known).map((m) => (m.startsWith(prefix) ? m.slice(prefix.length) : m));
  for (const name of names) {
    if (!seen.has(name)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_MEASURE',
        `measure "${name}" is not a statistic of this model; expected one of: ${known.join(', ')}`,
        { context: { measure: name } },
      );
    }
  }
  return names.map((name) => {
    const xs: number[] = [];
    for (const r of runs) {
      const v = r.statistics[name];
      if (v !== undefined) xs.push(v);
    }
    return { name, ...studentT(xs, level) };
  });
}

/**
 * A replication summary as lines of text: one row per measure with n, mean and half-width, then the seeds.
 *
 * @example
 * for (const line of formatReplications(summary)) console.log(line);
 */
export function formatReplications(s: ReplicationSummary): string[] {
  const pct = `half-width (${Math.round(s.level * 1000) / 10}%)`;
  const w = Math.max(7, ...s.measures.map((m) => m.name.length));
  const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));
  return [
    `${'measure'.padEnd(w)}  ${'n'.padStart(4)}  ${'mean'.padStart(12)}  ${pct.padStart(18)}`,
    ...s.measures.map(
      (m) =>
        `${m.name.padEnd(w)}  ${String(m.n).padStart(4)}  ${num(m.mean).padStart(12)}  ${num(m.halfWidth).padStart(18)}`,
    ),
    '',
    `${s.runs.length} replications of ${s.simId} in ${s.wallSeconds.toFixed(2)} s wall (${s.events} events)`,
    `replication seeds: ${s.seeds.join(', ')}`,
  ];
}
