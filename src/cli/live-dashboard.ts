import '../core/operators/filter.ts';
import { enableMetrics } from '../core/graph-metrics.ts';
import type { Stream } from '../core/stream.ts';
import { Dashboard } from '../dashboard/dashboard.ts';
import type { ParameterControl } from '../dashboard/dashboard-options.ts';
import type { ModelSpec } from '../sim/model/spec.ts';
import type { RealtimeEnvironment } from '../sim/realtime.ts';
import type { SimRecord } from '../sim/telemetry.ts';

/** Where `--live` and `twinstream dashboard` serve. */
export interface LiveOptions {
  host?: string;
  port?: number;
  token?: string;
}

const RESOURCE_SERIES = ['queue_length', 'in_use', 'capacity', 'utilization'];

/**
 * The dashboard of a running model: a plot per telemetry series of its resources (queue length, units in use,
 * capacity, utilization) and its containers (level), the graph of `roots` with its metrics (the simulation's
 * records as the source, its watermark the simulated time and its lag the pacing's), and sliders for the arrival
 * rates and the resources' capacities. Started; stop it when the run ends.
 *
 * @example
 * const dashboard = await serveModelDashboard(env, spec, records, [records], { port: 8080 });
 * console.log(dashboard.url);
 * @internal
 */
export async function serveModelDashboard(
  env: RealtimeEnvironment,
  spec: ModelSpec<number>,
  records: Stream<SimRecord>,
  options: LiveOptions & { title?: string; extraPlots?: (dashboard: Dashboard) => void } = {},
): Promise<Dashboard> {
  const id = spec.simId;
  const startMs = env.logicalStartTime;
  const unitMs = env.timeUnitMs;
  const telemetry = records.filter((r) => r.stream_type === 'telemetry').named('telemetry');
  const paths: string[] = [];
  for (const name of Object.keys(spec.resources ?? {}))
    for (const s of RESOURCE_SERIES) paths.push(`${id}.${name}.${s}`);
  for (const name of Object.keys(spec.containers ?? {})) paths.push(`${id}.${name}.level`);
  const controls: ParameterControl[] = [];
  for (const [name, dist] of Object.entries(spec.arrival)) {
    const rate = (dist as { rate?: unknown }).rate;
    if (typeof rate === 'number' && rate > 0) {
      controls.push({
        path: `${id}.arrival.${name}.rate`,
        label: `arrival rate: ${name} (per time unit)`,
        min: 0,
        max: Math.max(10, 5 * rate),
        step: 0.1,
      });
    }
  }
  for (const [name, r] of Object.entries(spec.resources ?? {})) {
    controls.push({
      path: `${id}.resources.${name}.currentCap`,
      label: `capacity: ${name}`,
      min: 0,
      max: r.maxCap,
      step: 1,
    });
  }
  const plotted = paths.slice(0, 24);
  const plots = plotted.map((path) => ({
    path,
    stream: telemetry.filter((r) => r.path_id === path).named(path.slice(id.length + 1)),
  }));
  const metrics = enableMetrics([records]);
  metrics.watch(records, () => ({ watermark: startMs + env.now * unitMs, lagSeconds: env.lagSeconds }));
  const dashboard = new Dashboard({
    ...options,
    title: options.title ?? `twinstream: ${id}`,
    metrics,
    parameters: { target: env.registry, controls: controls.slice(0, 32) },
  });
  for (const { path, stream } of plots) {
    dashboard.plot(stream, {
      name: path.slice(id.length + 1),
      time: (r) => startMs + r.sim_ts * unitMs,
      value: (r) => r.value as number,
    });
  }
  options.extraPlots?.(dashboard);
  await dashboard.start();
  return dashboard;
}
