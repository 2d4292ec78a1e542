// Built-in statistics of model runs, replications with confidence intervals, and queueing analysis.

export type { MeasuredModel } from './measure-model.ts';
export { measureModel } from './measure-model.ts';
export type { MeasuredHolder, MeasuredResource, StatsLevel } from './model-statistics.ts';
export { FlowStats, HolderStats, ModelStatistics, ResourceStats, STATS_LEVELS, TaskStats } from './model-statistics.ts';
export { Observations } from './observations.ts';
export { publishReadings, publishStatistics } from './publish-statistics.ts';
export { TimeAverage } from './time-average.ts';
