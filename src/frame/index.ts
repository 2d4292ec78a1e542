// Columnar batches and the streaming frame. Re-exports only (the operator files also extend StreamingFrame,
// StreamingSeries and Stream when imported).
export * from './arrow.ts';
export * from './cumulative.ts';
export * from './dictionary-column.ts';
export * from './ewm.ts';
export * from './frame.ts';
export * from './frame-column.ts';
export * from './frame-node.ts';
export * from './groupby.ts';
export * from './moments.ts';
export * from './reductions.ts';
export * from './rolling.ts';
export * from './row-columns.ts';
export * from './row-cursor.ts';
export * from './row-window.ts';
export * from './streaming-frame.ts';
export * from './streaming-series.ts';

import './tail.ts';

export * from './to-frames.ts';

import './value-counts.ts';

export * from './frame-row-window.ts';
export * from './frame-time-window.ts';
export * from './frame-window-definition.ts';
export * from './frame-window-engine.ts';
export * from './frame-window-keys.ts';
export * from './frame-window-kinds.ts';
export * from './windowed.ts';
