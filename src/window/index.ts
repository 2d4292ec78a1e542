// Event-time windows and aggregators. Re-exports only.
export * from './aggregation-plan.ts';
export * from './aggregator.ts';
export * from './aggregators.ts';
export * from './count-window.ts';
export * from './event-time-window.ts';
export * from './join-asof.ts';
export * from './join-interval.ts';
export * from './kernel.ts';
export * from './merge-sorted.ts';
export * from './session-window.ts';
export * from './sliding-time-window.ts';
export * from './time-window.ts';
export * from './timestamp.ts';
export * from './window-defaults.ts';
export * from './window-definition.ts';
export * from './window-node.ts';
export * from './window-store.ts';
