// Sliding, session and count windows on streaming frames: the same definitions, aggregations and outputs as the
// row windows of src/window, computed by feeding each frame's rows through the row window node.
import { badArgument } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import type { WindowShape } from '../window/window-definition.ts';
import { FrameWindowDefinition, type FrameWindowOptions } from './frame-window-definition.ts';
import { StreamingFrame } from './streaming-frame.ts';

/**
 * Options of count windows on frames: no event time, so no grace, lateness or idleness.
 * @example sf.tumblingCountWindow(100, { key: 'sensor', value: 'v' }).mean().final()
 */
export type FrameCountWindowOptions = Pick<FrameWindowOptions, 'key' | 'value' | 'store' | 'namespace'>;

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Quix's time-based sliding window from the time column: for each row, the window of `duration` ending at its
     * time (both ends inclusive). Closing per key only.
     * @example sf.slidingTimeWindow('5s', { key: 'sensor', value: 'v' }).sum().final()
     */
    slidingTimeWindow(duration: Duration, options?: FrameWindowOptions): FrameWindowDefinition;
    /**
     * Session windows: a key's rows less than `gap` apart form one session, `[first, last + gap)`.
     * @example sf.sessionWindow('30m', { key: 'user' }).count().final()
     */
    sessionWindow(gap: Duration, options?: FrameWindowOptions): FrameWindowDefinition;
    /**
     * Windows of `n` rows per key, one after the other; `start`/`end` are the smallest/greatest time in each.
     * @example sf.tumblingCountWindow(100, { value: 'v' }).mean().final()
     */
    tumblingCountWindow(n: number, options?: FrameCountWindowOptions): FrameWindowDefinition;
    /**
     * Windows of `n` rows per key, one starting every `step` rows.
     * @example sf.hoppingCountWindow(10, 5, { value: 'v' }).sum().final()
     */
    hoppingCountWindow(n: number, step: number, options?: FrameCountWindowOptions): FrameWindowDefinition;
    /**
     * Windows of the last `n` rows per key, one per row.
     * @example sf.slidingCountWindow(3, { value: 'amount' }).mean().final()
     */
    slidingCountWindow(n: number, options?: FrameCountWindowOptions): FrameWindowDefinition;
  }
}

function define(sf: StreamingFrame, shape: WindowShape, options: FrameWindowOptions): FrameWindowDefinition {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    badArgument(shape.kind, 'options', options, 'an object');
  }
  return new FrameWindowDefinition(sf, shape.kind, 0, 0, options ?? {}, shape);
}

StreamingFrame.prototype.slidingTimeWindow = function slidingTimeWindow(
  this: StreamingFrame,
  duration: Duration,
  options: FrameWindowOptions = {},
) {
  const d = toMillis(duration, 'slidingTimeWindow: duration');
  return define(this, { kind: 'slidingTimeWindow', duration: d }, options);
};
StreamingFrame.prototype.sessionWindow = function sessionWindow(
  this: StreamingFrame,
  gap: Duration,
  options: FrameWindowOptions = {},
) {
  return define(this, { kind: 'sessionWindow', gap: toMillis(gap, 'sessionWindow: gap') }, options);
};
StreamingFrame.prototype.tumblingCountWindow = function tumblingCountWindow(
  this: StreamingFrame,
  n: number,
  options: FrameCountWindowOptions = {},
) {
  return define(this, { kind: 'tumblingCountWindow', count: n, step: n }, options);
};
StreamingFrame.prototype.hoppingCountWindow = function hoppingCountWindow(
  this: StreamingFrame,
  n: number,
  step: number,
  options: FrameCountWindowOptions = {},
) {
  return define(this, { kind: 'hoppingCountWindow', count: n, step }, options);
};
StreamingFrame.prototype.slidingCountWindow = function slidingCountWindow(
  this: StreamingFrame,
  n: number,
  options: FrameCountWindowOptions = {},
) {
  return define(this, { kind: 'slidingCountWindow', count: n, step: 1 }, options);
};
