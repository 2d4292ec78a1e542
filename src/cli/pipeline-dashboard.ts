import type { DashboardOutputDefaults } from '../dashboard/dashboard-pipeline-output.ts';
import type { CliOutput } from './option-parsers.ts';
import { provideDashboard } from './pipeline-commands.ts';

/**
 * True when `file` holds a pipeline (top-level `inputs` or `outputs`) rather than a simulation model: how
 * `twinstream dashboard` tells the two apart.
 *
 * @example
 * await isPipelineFile('examples/pipelines/http-dashboard.yaml'); // true
 * @internal
 */
export async function isPipelineFile(file: string): Promise<boolean> {
  const { readYamlFile } = await import('../sim/model/yaml-file.ts');
  const { data } = await readYamlFile(file, 'TS_PIPELINE_BAD_SPEC', 'pipeline or model');
  return data !== null && typeof data === 'object' && ('inputs' in data || 'outputs' in data);
}

/**
 * `twinstream dashboard <pipeline.yaml>`: runs the pipeline with its dashboard outputs (one is added, plotting every
 * numeric field, when the file has none) on the command's host, port and token, and keeps the page up after the
 * pipeline has finished, until SIGTERM or Ctrl-C.
 *
 * @example
 * await servePipelineDashboard('pipeline.yaml', { host: '127.0.0.1', port: 8080, out: '.' }, io);
 * @internal
 */
export async function servePipelineDashboard(
  file: string,
  opts: { host: string; port: number; token?: string; out: string },
  io: CliOutput,
): Promise<void> {
  const { loadPipeline, runPipeline } = await import('../pipeline/index.ts');
  const loaded = await loadPipeline(file);
  const pipeline = loaded.spec.outputs.some((o) => o.type === 'dashboard')
    ? loaded
    : { ...loaded, spec: { ...loaded.spec, outputs: [...loaded.spec.outputs, { type: 'dashboard' as const }] } };
  const stop = new AbortController();
  const onTerm = () => stop.abort();
  process.on('SIGTERM', onTerm);
  const linger = () => {
    if (stop.signal.aborted) return Promise.resolve();
    io.out('the pipeline has finished; the dashboard serves until Ctrl-C');
    return new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  };
  const defaults: DashboardOutputDefaults = {
    host: opts.host,
    port: opts.port,
    linger,
    ...(opts.token === undefined ? {} : { token: opts.token }),
  };
  await provideDashboard(defaults);
  try {
    const summary = await runPipeline(pipeline, {
      outDir: opts.out,
      print: io.out,
      signal: stop.signal,
      onServing: (o) => io.out(`dashboard: ${o.url}  (Ctrl-C stops)`),
    });
    io.out(`${summary.name}: ${summary.emitted} out, ${summary.deadLettered} dead-lettered; the dashboard has stopped`);
  } finally {
    process.off('SIGTERM', onTerm);
  }
}
