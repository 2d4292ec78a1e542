// Columnar batches and the streaming frame. Re-exports only, by name (the operator files also extend
// StreamingFrame, StreamingSeries and Stream when imported).

// The entry points of the layers this one builds on: their operators are on Stream whenever this
// layer's are (its nodes use them, and its declarations promise them).
import '../core/index.ts';
import '../window/index.ts';

export type { ArrowModule, FromArrowOptions } from './arrow.ts';
export { frameFromArrow, frameToArrow } from './arrow.ts';

import './cumulative.ts';

export type { Cumulative } from './cumulative.ts';
export { DictionaryColumn } from './dictionary-column.ts';
export type { EwmOptions } from './ewm.ts';
export { Ewm } from './ewm.ts';
export type { FrameOptions, RowPredicate } from './frame.ts';
export { Frame } from './frame.ts';
export type { ColumnInput, FrameColumn, NumericArray } from './frame-column.ts';
export { FrameNode } from './frame-node.ts';
export type { FrameState, FrameStateOptions } from './frame-state-node.ts';
export { FrameStateNode } from './frame-state-node.ts';
export { GroupBy } from './groupby.ts';
export type { Reduction } from './moments.ts';

import './reductions.ts';

export type { CustomAggregation, ReductionOptions } from './reductions.ts';
export type { RollingFrameOptions, RollingWithState } from './rolling.ts';
export { Rolling, RollingSeries } from './rolling.ts';
export type { FromRowsOptions } from './row-columns.ts';
export type { RowWindowSpec } from './row-window.ts';
export { RowWindow } from './row-window.ts';
export type { AssignSpec, FrameExpression } from './streaming-frame.ts';
export { StreamingFrame } from './streaming-frame.ts';
export type { Operand } from './streaming-series.ts';
export { StreamingSeries } from './streaming-series.ts';

import './tail.ts';

export type { ToFramesOptions } from './to-frames.ts';
export { ToFramesNode } from './to-frames.ts';

import './value-counts.ts';

export { FrameRowWindowNode } from './frame-row-window.ts';
export { FrameTimeWindowNode } from './frame-time-window.ts';
export type { FrameWindowNode, FrameWindowOptions } from './frame-window-definition.ts';
export { FrameWindowAggregation, FrameWindowDefinition } from './frame-window-definition.ts';

import './frame-window-kinds.ts';

export type { FrameCountWindowOptions } from './frame-window-kinds.ts';
export type { WithState } from './windowed.ts';
export { WindowedFrame, WindowedSeries } from './windowed.ts';
