import { closeOnSignal } from '../../connectors/files/close-on-signal.ts';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { RealClock, realClock, type Timer } from '../../time/clock.ts';
import type { EgressSink } from '../egress/egress.ts';
import { JsonLinesSink } from '../egress/json-lines-sink.ts';
import { RealtimeEnvironment } from '../realtime.ts';
import type { StatsLevel } from '../stats/model-statistics.ts';
import { publishReadings } from '../stats/publish-statistics.ts';
import { LAG_PATH } from '../telemetry.ts';
import { type BuiltModel, buildModel } from './build.ts';
import { loadReplays, modelDir } from './load-replays.ts';
import { modelClock } from './model-clock.ts';
import type { ModelStopReason } from './model-stop.ts';
import { type ReadModelFileOptions, readModelFile } from './read-model-file.ts';
import { scenario } from './scenario.ts';
import { withDelivery } from './sink-delivery.ts';
import { modelSinks } from './sinks.ts';
import type { ModelSink, ModelSpec } from './spec.ts';
import { validateModel } from './validate.ts';

/** Overrides of a model's run, and where its output goes. */
export interface RunModelOptions {
  /** How long to run, overriding `run.until`: seconds, or a duration string such as `'1h'`. */
  until?: number | string;
  /** Wall time per simulated time (overrides `run.factor`). */
  factor?: number;
  /** The seed (overrides `run.seed`). */
  seed?: number;
  /** The directory local sink paths are relative to (default `'data'`). */
  outDir?: string;
  /** Where the console sink prints (default `console.log`). */
  print?: (line: string) => void;
  /** Sinks added to the model's own (a `StreamEgress`, a test collector). */
  sinks?: readonly EgressSink[];
  /** After `until`, let the entities in the system finish, for at most this long (`true`: no limit; overrides `run.drain`). */
  drain?: boolean | number | string;
  /** A warm-up (overrides `run.warmup`): seconds, or a duration string such as `'1h'`. */
  warmup?: number | string;
  /** The statistics level (overrides `stats.level`; default `typical`). */
  stats?: StatsLevel;
  /**
   * Print the first `sample` event records as JSON lines through `print`, unpaced and with none of the model's
   * sinks, and stop there (desflow's `run --sample`).
   */
  sample?: number;
  /** Print every record (but the wall clock's lag readings) as a JSON line through `print`, instead of the model's sinks. */
  stdout?: boolean;
  /** Called every 200 ms of wall time while the model runs, with where it is (a progress bar). */
  onProgress?: (progress: ModelProgress) => void;
  /**
   * Stops the run when it aborts: the event being processed finishes, the sinks write what they hold and close
   * (files complete), and `runModel` resolves with the summary so far (`stopped` says so).
   */
  signal?: AbortSignal;
  /**
   * Told what the run does otherwise than asked, as desflow logs a warning: a `goLiveAt` before the start paces the
   * whole run. Default: Node's `process.emitWarning` (printed on stderr).
   */
  onWarning?: (message: string) => void;
}

/** Where a running model is. */
export interface ModelProgress {
  /** Simulated time reached, and the run's end. */
  simulatedSeconds: number;
  until: number;
  /** Events the kernel processed so far. */
  events: number;
  /** Records handed to the egress sinks so far. */
  records: number;
  wallSeconds: number;
}

/** What a model run did. */
export interface ModelSummary {
  simId: string;
  /** Simulated time reached. */
  simulatedTime: number;
  /** Events the kernel processed. */
  events: number;
  /** Entities that arrived and that went through all their steps, per flow. */
  arrived: Record<string, number>;
  completed: Record<string, number>;
  /** Lifecycle events published, by status. */
  statuses: Record<string, number>;
  /** Records handed to the egress sinks (before their routers keep or drop them). */
  recordsPublished: number;
  /** With `sample` or `stdout`: the records printed as JSON lines. */
  printed?: number;
  /** What ended the run before its end: `run.stop` (a signal or a condition), or `signal` aborting. */
  stopped?: ModelStopReason;
  /** The built-in statistics at the end of the run, by name (`<simId>.stats.<category>.<name>.<statistic>`). */
  statistics: Record<string, number>;
  wallSeconds: number;
  /** The parts of the model, for inspection. */
  model: BuiltModel;
}

/**
 * Loads a model (a YAML or JSON file path, or an object), validates it, runs it and drains its egress. An invalid
 * model throws `TS_SIM_BAD_MODEL` naming every bad dot path (and its line in the file).
 *
 * @example
 * const summary = await runModel('examples/models/line-a.yaml', { until: 3600, outDir: 'out' });
 * console.log(summary.statuses); // { queued: 7211, started: 7208, finished: 7204 }
 */
export async function runModel(model: string | ModelSpec, options: RunModelOptions = {}): Promise<ModelSummary> {
  const sample = options.sample;
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= 1))
    badArgument('runModel', 'sample', sample, 'an integer >= 1 (the number of events to print)');
  const spec = typeof model === 'string' ? await loadModel(model) : await validateModel(model, 'the model object');
  if (typeof model !== 'string') await loadReplays(spec, process.cwd(), realClock.now());
  const run = spec.run;
  // Without a start time, records are stamped from now, as a RealtimeEnvironment does (not from 1970).
  const clock = modelClock(run, realClock.now());
  if (clock.warning !== undefined) (options.onWarning ?? warn)(clock.warning);
  const goLive = sample === undefined ? clock.goLive : undefined;
  // With goLiveAt: unpaced until then, then at the factor (default 1, real time).
  const factor = sample === undefined ? (options.factor ?? run.factor ?? (goLive === undefined ? 0 : 1)) : 0;
  const env = new RealtimeEnvironment({
    factor: goLive === undefined || goLive <= 0 ? factor : 0,
    logicalStartTime: clock.startMs,
    ...(run.localTimestamps === true ? { timeZone: run.timeZone ?? 'UTC' } : {}),
  });
  const built = buildModel(env, spec, options.seed ?? run.seed ?? 42, options.stats ?? spec.stats?.level);
  if (spec.scenario !== undefined && spec.scenario.length > 0)
    env.process(scenario(env, spec.scenario, built), 'scenario');
  const until = options.until === undefined ? run.until : env.toUnits(options.until, 'runModel: until');
  // --sample stops at the N-th event, or at `until` if fewer came.
  const end = sample === undefined ? null : env.event();
  const lines =
    sample === undefined && options.stdout !== true
      ? null
      : new JsonLinesSink({
          ...(options.print === undefined ? {} : { print: options.print }),
          skipPaths: [LAG_PATH],
          ...(sample === undefined
            ? {}
            : { streams: ['event'], limit: sample, onLimit: () => void (end!.triggered || end!.succeed()) }),
        });
  const sinks = [
    ...(lines === null
      ? deliveredSinks(
          spec.egress?.sinks ?? [],
          options,
          goLive,
          (spec.scenario ?? []).some((s) => s.record !== undefined),
        )
      : [lines]),
    ...(options.sinks ?? []),
  ];
  const warmup = options.warmup === undefined ? (run.warmup ?? 0) : env.toUnits(options.warmup, 'runModel: warmup');
  if (!(warmup < until)) {
    throw new TwinstreamError(
      'TS_SIM_BAD_MODEL',
      `run.warmup = ${warmup} is not valid; expected a time less than until (${until})`,
      { context: { warmup, until } },
    );
  }
  // The egress is set up after the warm-up: until then nothing is published.
  const setupEgress = () => {
    if (sinks.length > 0) {
      const batchSize = sample ?? spec.egress?.batchSize;
      env.setupEgress(sinks, {
        ...(batchSize === undefined ? {} : { batchSize }),
        ...(spec.egress?.flushInterval === undefined ? {} : { flushInterval: spec.egress.flushInterval }),
      });
    }
  };
  if (end !== null) {
    env.process(
      (function* () {
        yield env.timeout(until);
        if (!end.triggered) end.succeed();
      })(),
      'sample-until',
    );
  }
  const t0 = performance.now();
  // Ctrl-C or SIGTERM mid-run: the egress flushes what it holds and closes its files (Parquet footers written)
  // before the process exits.
  const unregister = closeOnSignal(() => env.teardown());
  // The kernel yields to the event loop every few milliseconds when unpaced, so a wall-clock timer gets its turn.
  const wallClock = new RealClock();
  const onProgress = options.onProgress;
  let ticker: Timer | null = null;
  const tick = () => {
    onProgress!({
      simulatedSeconds: env.now,
      until,
      events: env.scheduledCount - env.queueSize,
      records: env.egress?.written ?? 0,
      wallSeconds: (performance.now() - t0) / 1000,
    });
    ticker = wallClock.setTimer(200, tick);
  };
  if (onProgress !== undefined) ticker = wallClock.setTimer(200, tick);
  const abort = () => {
    built.stopped ??= { by: 'stopped from outside', at: env.now };
    env.stop();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort);
  try {
    if (warmup > 0) {
      await env.run({ until: warmup });
      built.statistics.reset();
    }
    setupEgress();
    if (goLive !== undefined && goLive > env.now && goLive < until) {
      await env.run({ until: goLive });
      env.factor = factor;
    }
    await env.run({ until: end ?? until });
    const drain = options.drain ?? run.drain;
    if (end === null && !env.stopped && drain !== undefined && drain !== false) {
      await drainModel(env, built, drain === true ? Number.POSITIVE_INFINITY : env.toUnits(drain, 'runModel: drain'));
    }
    if (spec.stats !== undefined) publishReadings(env, built.statistics, built.published);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    (ticker as Timer | null)?.cancel();
    unregister();
    await env.teardown();
  }
  return {
    simId: spec.simId,
    simulatedTime: env.now,
    events: env.scheduledCount - env.queueSize,
    arrived: built.counts.arrived,
    completed: built.counts.completed,
    statuses: built.counts.statuses,
    recordsPublished: env.egress?.written ?? 0,
    ...(lines === null ? {} : { printed: lines.printed }),
    ...(built.stopped === null ? {} : { stopped: built.stopped }),
    statistics: built.statistics.readings(),
    wallSeconds: (performance.now() - t0) / 1000,
    model: built,
  };
}

// Node's warning channel: printed on stderr by default, seen by `process.on('warning')`.
function warn(message: string): void {
  process.emitWarning(message, 'TwinstreamWarning');
}

// No more arrivals; run until the last entity in the model leaves (the event being processed finishes, none after
// it), or until `limit` has passed (before the events due then), as desflow's drain ends.
async function drainModel(env: RealtimeEnvironment, built: BuiltModel, limit: number): Promise<void> {
  built.closed = true;
  if (built.inSystem === 0) return;
  built.onLeave = () => {
    if (built.inSystem === 0) env.stop();
  };
  await env.run(Number.isFinite(limit) ? { until: env.now + limit } : {});
}

// The model's own sinks, each given the records its `when` asks for, as often as it asks.
function deliveredSinks(
  specs: readonly ModelSink[],
  options: RunModelOptions,
  goLive: number | undefined,
  labels: boolean,
) {
  const sinks = modelSinks(specs, options.outDir ?? 'data', options.print);
  return sinks.map((sink, i) => withDelivery(sink, specs[i]!, goLive, labels));
}

/**
 * Reads and validates a model file: `.json` as JSON, anything else as YAML, with `${NAME:-default}` replaced by
 * environment variables and, in YAML, `!include file.yaml` by that file's content. Errors name the file, the dot
 * path and the line (in the included file when the path leads there).
 *
 * @example
 * const spec = await loadModel('examples/models/line-a.yaml');
 */
export async function loadModel(file: string, options: ReadModelFileOptions = {}): Promise<ModelSpec<number>> {
  const { data, lineOf } = await readModelFile(file, options);
  const spec = await validateModel(data, file, lineOf);
  await loadReplays(spec, modelDir(file), realClock.now());
  return spec;
}

/**
 * A summary as lines of text, for the command line.
 *
 * @example
 * for (const line of formatSummary(summary)) console.log(line);
 */
export function formatSummary(s: ModelSummary): string[] {
  const perFlow = Object.keys(s.arrived).map((f) => `${f} ${s.arrived[f]} arrived, ${s.completed[f] ?? 0} completed`);
  return [
    `model ${s.simId}: simulated ${Number(s.simulatedTime.toFixed(3))} time units in ${s.wallSeconds.toFixed(2)} s wall`,
    ...(s.stopped === undefined ? [] : [`stopped at ${Number(s.stopped.at.toFixed(3))} by ${s.stopped.by}`]),
    `events processed: ${s.events} (${(s.events / Math.max(s.wallSeconds, 1e-9) / 1e6).toFixed(2)}M/s)`,
    `entities: ${perFlow.length ? perFlow.join('; ') : 'none arrived'}`,
    `lifecycle events: ${
      Object.entries(s.statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    `records published: ${s.recordsPublished}`,
    ...formatStatistics(s.simId, s.statistics),
  ];
}

// One line per statistic, its name without the `<simId>.stats.` prefix, to 4 significant digits.
function formatStatistics(simId: string, stats: Record<string, number>): string[] {
  const names = Object.keys(stats);
  if (names.length === 0) return [];
  const prefix = `${simId}.stats.`;
  const width = Math.max(...names.map((n) => n.length - prefix.length));
  return ['statistics:', ...names.map((n) => `  ${n.slice(prefix.length).padEnd(width)}  ${formatNumber(stats[n]!)}`)];
}

/**
 * A number as the summaries print it: integers whole, others to 4 significant digits.
 *
 * @example
 * formatNumber(99.1534); // '99.15'
 */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
