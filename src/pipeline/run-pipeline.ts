import { RealClock } from '../time/clock.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { type BuildPipelineOptions, buildPipeline } from './build-pipeline.ts';
import { type LoadedPipeline, loadPipeline } from './load-pipeline.ts';

/**
 * Where a running pipeline reports what it does: pino's signature (`log.info({ input }, 'listening')`), so a pino
 * logger fits as it is.
 */
export interface PipelineLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** How to run a pipeline. */
export interface RunPipelineOptions extends BuildPipelineOptions {
  /** Stops the inputs when it aborts; the outputs then finish what they hold. */
  signal?: AbortSignal;
  /** Stops the inputs after this long (wall time): for servers and brokers, which never end by themselves. */
  for?: Duration;
  /** Where to report inputs listening, stopping, and the end (default: nowhere). */
  log?: PipelineLog;
  /** Called every 200 ms of wall time while the pipeline runs, with what it did so far (a progress display). */
  onProgress?: (progress: PipelineSummary) => void;
  /** Called when an output that serves (the dashboard) is listening, with its address. */
  onServing?: (output: { at: string; type: string; url: string }) => void;
}

/** What a pipeline run did: plain figures. */
export interface PipelineSummary {
  name: string;
  /** Elements each input passed on. */
  inputs: { name: string; type: string; records: number }[];
  /** Elements that reached the outputs. */
  emitted: number;
  /** Elements taken by dead-letter steps. */
  deadLettered: number;
  wallSeconds: number;
}

/**
 * Reads, validates, builds and runs a pipeline file until its inputs end (files read through, a simulation at its
 * `until`, an input's `limit` reached), `for` elapses or `signal` aborts; then the outputs finish (files closed
 * under their final names, producers flushed). An invalid file throws `TS_PIPELINE_BAD_SPEC` before anything
 * starts.
 *
 * @example
 * import { runPipeline } from 'twinstream/pipeline';
 * const summary = await runPipeline('examples/pipelines/csv-windows.yaml', { outDir: 'out' });
 * console.log(summary.emitted);
 */
export async function runPipeline(
  pipeline: string | LoadedPipeline,
  options: RunPipelineOptions = {},
): Promise<PipelineSummary> {
  const loaded = typeof pipeline === 'string' ? await loadPipeline(pipeline) : pipeline;
  const built = await buildPipeline(loaded, options);
  const log = options.log;
  const t0 = performance.now();
  const stop = (why: string) => {
    log?.info({ reason: why }, 'stopping the inputs');
    built.stop();
  };
  const onAbort = () => stop('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const clock = new RealClock();
  const timer = options.for === undefined ? null : clock.setTimer(toMillis(options.for, 'for'), () => stop('for'));
  const onProgress = options.onProgress;
  let ticker: { cancel(): void } | null = null;
  const tick = () => {
    onProgress!(summary());
    ticker = clock.setTimer(200, tick);
  };
  if (onProgress !== undefined) ticker = clock.setTimer(200, tick);
  try {
    if (options.signal?.aborted) return summary();
    built.start();
    void built.serving().then(
      (outputs) => {
        for (const o of outputs) {
          if (o.url === null) continue;
          log?.info({ output: o.at, type: o.type, url: o.url }, `${o.at} ${o.type} serving at ${o.url}`);
          options.onServing?.(o as { at: string; type: string; url: string });
        }
      },
      () => {},
    );
    for (const input of built.inputs) {
      const listening = input.listening();
      if (listening === null) continue;
      void listening.then(
        (a) =>
          log?.info(
            { input: input.name, host: a.address, port: a.port },
            `${input.name} listening on ${a.address}:${a.port}`,
          ),
        () => {},
      );
    }
    await built.done();
  } finally {
    timer?.cancel();
    (ticker as { cancel(): void } | null)?.cancel();
    options.signal?.removeEventListener('abort', onAbort);
  }
  const s = summary();
  log?.info(
    {
      pipeline: s.name,
      inputs: s.inputs,
      emitted: s.emitted,
      deadLettered: s.deadLettered,
      wallSeconds: s.wallSeconds,
    },
    `pipeline ${s.name} done: ${s.emitted} out, ${s.deadLettered} dead-lettered`,
  );
  return s;

  function summary(): PipelineSummary {
    return {
      name: loaded.spec.name ?? 'pipeline',
      inputs: built.inputs.map((i) => ({ name: i.name, type: i.type, records: i.count() })),
      emitted: built.emitted(),
      deadLettered: built.deadLettered(),
      wallSeconds: (performance.now() - t0) / 1000,
    };
  }
}
