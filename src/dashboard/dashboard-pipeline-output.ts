import '../core/operators/sink.ts';
import { enableMetrics, type GraphMetrics } from '../core/graph-metrics.ts';
import type { PipelineOutputFactory } from '../pipeline/pipeline-outputs.ts';
import { Dashboard } from './dashboard.ts';

/** What the `dashboard` outputs of a pipeline file take when the file does not say. */
export interface DashboardOutputDefaults {
  /** The address to bind when an output names none (default `127.0.0.1`). */
  host?: string;
  /** The port when an output names none (default 0: a free one, logged when the pipeline starts). */
  port?: number;
  /** The token the page's controls need beyond loopback (default: a random one, in the logged address). */
  token?: string;
  /**
   * Called when the pipeline has finished: the page stays up until the promise it returns settles (default: it
   * stops with the pipeline).
   */
  linger?: () => Promise<unknown>;
}

interface Page {
  dashboard: Dashboard;
  started: Promise<string> | null;
  open: number;
}

/**
 * The `dashboard` output of pipeline files, for `registerPipelineOutput` (`twinstream run` registers it): one live
 * page per host and port, whichever outputs name it, with a plot per chosen field (`fields`, default every numeric
 * field of each element), one per value of `key` when given (`room-1.celsius`), at the time in `timestamp` (ms since
 * the epoch, an ISO 8601 string or a Date; default the time the element arrives), and the graph of the whole
 * pipeline with its metrics. The page starts when the pipeline starts and stops when it has finished.
 *
 * @example
 * import { dashboardPipelineOutput } from 'twinstream/dashboard';
 * import { registerPipelineOutput, runPipeline } from 'twinstream/pipeline';
 * registerPipelineOutput('dashboard', dashboardPipelineOutput());
 * await runPipeline('examples/pipelines/http-dashboard.yaml');
 */
export function dashboardPipelineOutput(defaults: DashboardOutputDefaults = {}): PipelineOutputFactory {
  return (stream, config, context) => {
    const host = (config.host as string | undefined) ?? defaults.host ?? '127.0.0.1';
    const port = (config.port as number | undefined) ?? defaults.port ?? 0;
    const id = `dashboard ${host}:${port}`;
    let page = context.shared.get(id) as Page | undefined;
    if (page === undefined) {
      // Checked here, when the pipeline is built: a bad token fails before anything starts.
      let metrics = context.shared.get('metrics') as GraphMetrics | undefined;
      if (metrics === undefined) {
        metrics = enableMetrics(context.roots);
        context.shared.set('metrics', metrics);
      }
      const title = (config.title as string | undefined) ?? context.name;
      const dashboard = new Dashboard({
        host,
        port,
        title,
        metrics,
        ...(defaults.token === undefined ? {} : { token: defaults.token }),
      });
      page = { dashboard, started: null, open: 0 };
      context.shared.set(id, page);
    }
    const shown = page;
    shown.open++;
    const node = stream.sink(plotter(shown.dashboard, config)).named(`${context.at} dashboard`);
    return {
      node,
      start: () => (shown.started ??= shown.dashboard.start()),
      close: async () => {
        if (--shown.open > 0) return;
        await defaults.linger?.();
        await shown.dashboard.stop();
      },
    };
  };
}

// The sink's function: the chosen fields of each element as points of its series. Elements that are not records,
// fields that are not finite numbers and unreadable times are not plotted; nothing here fails the pipeline.
function plotter(dashboard: Dashboard, config: Readonly<Record<string, unknown>>): (x: unknown) => void {
  const fields = config.fields as readonly string[] | undefined;
  const key = config.key as string | undefined;
  const timestamp = config.timestamp as string | undefined;
  return (x) => {
    if (x === null || typeof x !== 'object') return;
    const r = x as Record<string, unknown>;
    const t = timestamp === undefined ? Date.now() : timeOf(r[timestamp]);
    if (!Number.isFinite(t)) return;
    const prefix = key === undefined ? '' : `${String(r[key])}.`;
    for (const field of fields ?? Object.keys(r)) {
      if (field === key || field === timestamp) continue;
      const v = r[field];
      if (typeof v === 'number' && Number.isFinite(v)) dashboard.point(prefix + field, t, v);
    }
  };
}

function timeOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Date.parse(v);
  return v instanceof Date ? v.getTime() : Number.NaN;
}
