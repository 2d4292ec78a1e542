// The live web page of a running pipeline or simulation (Node: node:http + ws + uPlot). Re-exports only, by name.

// The metrics the dashboard shows, for a program that serves only /metrics.
export type { MetricsSnapshot, NodeSnapshot } from '../core/graph-metrics.ts';
export { enableMetrics, GraphMetrics } from '../core/graph-metrics.ts';
export { prometheusText } from '../core/prometheus-text.ts';
export { decodePointsFrame, encodePointsFrame, POINTS_FRAME } from './columnar-frame.ts';
export type { DashboardStats } from './dashboard.ts';
export { Dashboard } from './dashboard.ts';
export type {
  DashboardOptions,
  ParameterControl,
  ParameterTarget,
  ResolvedDashboardOptions,
} from './dashboard-options.ts';
export { isLoopback, MAX_CONTROLS, MAX_SERIES } from './dashboard-options.ts';
export type { DashboardOutputDefaults } from './dashboard-pipeline-output.ts';
export { dashboardPipelineOutput } from './dashboard-pipeline-output.ts';
export { SeriesRing } from './series-ring.ts';
