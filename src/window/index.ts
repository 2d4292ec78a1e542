// Event-time windows and aggregators. Re-exports only, by name (the window modules also extend Stream).

// The entry points of the layers this one builds on: their operators are on Stream whenever this
// layer's are (its nodes use them, and its declarations promise them).
import '../core/index.ts';

export type { Aggregator, Column, ColumnInput } from './aggregator.ts';
export { aggregate, isAggregator } from './aggregator.ts';
export type { AggregatorName } from './aggregators.ts';
export {
  aggregators,
  collect,
  count,
  earliest,
  first,
  last,
  latest,
  max,
  mean,
  median,
  min,
  percentile,
  reduce,
  std,
  sum,
  variance,
} from './aggregators.ts';
export { CountWindowNode } from './count-window.ts';
export type { EventTimeWindowOptions, LateInfo } from './event-time-window.ts';
export { EventTimeWindowNode } from './event-time-window.ts';
export type { JoinAsofOptions } from './join-asof.ts';
export { JoinAsofNode } from './join-asof.ts';
export type { JoinIntervalOptions } from './join-interval.ts';
export { JoinIntervalNode } from './join-interval.ts';
export type { MergeSortedOptions } from './merge-sorted.ts';
export { MergeSortedNode } from './merge-sorted.ts';
export { SessionWindowNode } from './session-window.ts';
export { SlidingTimeWindowNode } from './sliding-time-window.ts';
export type { EarlyClose, TimeWindowOptions } from './time-window.ts';
export { TimeWindowNode } from './time-window.ts';
export type { Extractor } from './timestamp.ts';
export type { DefaultWindowValue, WindowDefaults } from './window-defaults.ts';
export { windowDefaults, windowDefaultsOf } from './window-defaults.ts';
export type { WindowAggResult, WindowResult, WindowShape, WindowValue } from './window-definition.ts';
export { WindowAggregation, WindowDefinition } from './window-definition.ts';
export type { EmitMode, WindowOptions } from './window-node.ts';
export { WindowNode } from './window-node.ts';
