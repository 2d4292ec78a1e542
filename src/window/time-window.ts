import type { Metadata } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import { badArgument, requireFunction } from '../errors.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { EventTimeWindowNode, type EventTimeWindowOptions } from './event-time-window.ts';
import { both, type EmitMode, type KeyWindows, type OpenWindow } from './window-node.ts';

/** A predicate that closes a window early: `(aggregated, value, key, timestamp) => boolean`. */
export type EarlyClose = (aggregated: any, value: any, key: unknown, timestamp: number) => boolean;

/** Options of tumbling and hopping windows. */
export interface TimeWindowOptions<T = any> extends EventTimeWindowOptions<T> {
  /** Checked before a value is added: when true the window closes now with what it had, and the value is not
   * added to it. */
  beforeUpdate?: EarlyClose;
  /** Checked after a value is added: when true the window closes now, including the value. */
  afterUpdate?: EarlyClose;
}

/**
 * Tumbling (`step === duration`) and hopping (`step < duration`) windows in event time: `[start, start +
 * duration)` for every `start` that is a multiple of `step`. Elements go into every window that contains them,
 * windows with a negative start excepted.
 */
export class TimeWindowNode<T = any> extends EventTimeWindowNode<T> {
  override kind: string;
  readonly duration: number;
  readonly step: number;
  private readonly beforeUpdate: EarlyClose | null;
  private readonly afterUpdate: EarlyClose | null;

  constructor(
    upstream: Stream<T>,
    where: string,
    duration: number,
    step: number,
    plan: AggregationPlan,
    mode: EmitMode,
    options: TimeWindowOptions<T>,
  ) {
    if (!(duration >= 1)) badArgument(where, 'duration', duration, 'at least 1 ms');
    const hopping = where === 'hoppingWindow';
    if (!(step > 0 && (hopping ? step < duration : step === duration))) {
      badArgument(where, 'step', step, `more than 0 and less than the duration (${duration} ms)`);
    }
    if (options.beforeUpdate !== undefined) requireFunction(where, 'beforeUpdate', options.beforeUpdate);
    if (options.afterUpdate !== undefined) requireFunction(where, 'afterUpdate', options.afterUpdate);
    super(upstream, where, plan, mode, options);
    this.kind = where;
    this.duration = duration;
    this.step = step;
    this.beforeUpdate = options.beforeUpdate ?? null;
    this.afterUpdate = options.afterUpdate ?? null;
  }

  protected process(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed {
    const step = this.step;
    const duration = this.duration;
    const lastStart = Math.floor(t / step) * step;
    // Fast path, tumbling into the newest open window: no late check can fail (the window is open).
    const ws = kw.windows;
    const newest = ws.length > 0 ? ws[ws.length - 1]! : undefined;
    if (
      step === duration &&
      newest !== undefined &&
      newest.start === lastStart &&
      this.beforeUpdate === null &&
      this.afterUpdate === null
    ) {
      this.addTo(newest, value, t, md);
      kw.dirty = true;
      const r = this.mode === 'current' ? this.emitCurrent(kw, newest, md) : undefined;
      return t > kw.maxTs || t > kw.partition.maxTs ? both(r, this.advance(kw, t)) : r;
    }
    // Windows with a negative start are not opened (as in Quix): event time begins at the epoch.
    let firstStart = Math.floor((t - duration) / step) * step + step;
    if (firstStart < 0 && lastStart >= 0) firstStart = 0;
    const wm = this.watermark(kw);
    let r: Pushed = undefined;
    let reported = false;
    for (let start = firstStart; start <= lastStart; start += step) {
      const end = start + duration;
      if (end <= wm) {
        this.reportLate(kw, t, start, end, !reported);
        reported = true;
        continue;
      }
      const w = this.windowAt(kw, start, end);
      r = both(r, this.addAndCheck(kw, w, value, t, md));
    }
    kw.dirty = true;
    return both(r, this.advance(kw, t));
  }

  private windowAt(kw: KeyWindows, start: number, end: number): OpenWindow {
    const ws = kw.windows;
    let i = ws.length;
    while (i > 0 && ws[i - 1]!.start > start) i--;
    if (i > 0 && ws[i - 1]!.start === start) return ws[i - 1]!;
    const w = this.openWindow(start, end, end);
    ws.splice(i, 0, w);
    this.opened(kw.partition, end);
    return w;
  }

  private addAndCheck(kw: KeyWindows, w: OpenWindow, value: unknown, t: number, md: Metadata | undefined): Pushed {
    if (this.beforeUpdate?.(this.plan.aggregated(w.states), value, kw.key, t)) {
      return this.closeEarly(kw, w);
    }
    this.addTo(w, value, t, md);
    if (this.afterUpdate?.(this.plan.aggregated(w.states), value, kw.key, t)) {
      return this.closeEarly(kw, w);
    }
    return this.mode === 'current' ? this.emitCurrent(kw, w, md) : undefined;
  }

  private closeEarly(kw: KeyWindows, w: OpenWindow): Pushed {
    const i = kw.windows.indexOf(w);
    if (i >= 0) kw.windows.splice(i, 1);
    // An early-closed window is emitted like a closed one (by `final()`), and a later element in its range opens
    // a fresh one.
    return this.closeWindow(kw, w);
  }
}
