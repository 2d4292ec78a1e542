import type { PipelineSummary } from '../pipeline/run-pipeline.ts';

/** A live line on a terminal while a pipeline runs: `update` with what it did so far, `stop` at the end. */
export interface PipelineProgressLine {
  update(p: PipelineSummary): void;
  stop(): void;
}

/**
 * What `twinstream run` shows on stderr while it runs (cli-progress): elements in, out and dead-lettered, and the
 * rate in. A pipeline has no known end (a server, a broker), so it is a counter, not a bar. Returns null when
 * stderr is not a terminal (a pipe, a CI log), where the log says what happened instead.
 *
 * @example
 * const line = await pipelineProgress();
 * await runPipeline('p.yaml', { onProgress: (p) => line?.update(p) });
 * line?.stop();
 * @internal
 */
export async function pipelineProgress(
  stream: NodeJS.WriteStream = process.stderr,
): Promise<PipelineProgressLine | null> {
  if (stream.isTTY !== true) return null;
  const { default: cliProgress } = await import('cli-progress');
  const line = new cliProgress.SingleBar({
    stream,
    format: 'running | {records} in | {emitted} out | {dead} dead-lettered | {rate} in/s',
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(p) {
      const records = p.inputs.reduce((n, i) => n + i.records, 0);
      const payload = {
        records: records.toLocaleString('en-US'),
        emitted: p.emitted.toLocaleString('en-US'),
        dead: p.deadLettered.toLocaleString('en-US'),
        rate: Math.round(records / Math.max(p.wallSeconds, 1e-9)).toLocaleString('en-US'),
      };
      if (!started) {
        line.start(0, 0, payload);
        started = true;
      }
      line.update(0, payload);
    },
    stop() {
      if (started) line.stop();
    },
  };
}
