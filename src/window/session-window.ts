import { both } from '../core/held.ts';
import type { Metadata } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { EventTimeWindowNode, type EventTimeWindowOptions } from './event-time-window.ts';
import type { EmitMode, KeyWindows, OpenWindow } from './window-node.ts';

/**
 * Session windows in event time: a key's elements less than `gap` apart form one session, `[first timestamp,
 * last timestamp + gap)`. An element that falls between two sessions joins them into one (states are merged
 * with `merge`, or replayed for aggregations without it). A session closes when the watermark reaches its end.
 */
export class SessionWindowNode<T = any> extends EventTimeWindowNode<T> {
  override kind = 'sessionWindow';
  readonly gap: number;

  constructor(
    upstream: Stream<T>,
    gap: number,
    plan: AggregationPlan,
    mode: EmitMode,
    options: EventTimeWindowOptions<T>,
  ) {
    if (!(gap >= 1)) badArgument('sessionWindow', 'gap', gap, 'at least 1 ms');
    super(upstream, 'sessionWindow', plan, mode, options);
    this.gap = gap;
  }

  protected process(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed {
    const gap = this.gap;
    const ws = kw.windows;
    // Sessions the element touches: those with start - gap <= t < end.
    let first = -1;
    let lastIdx = -1;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.start - gap <= t && t < w.end) {
        if (first < 0) first = i;
        lastIdx = i;
      }
    }
    let target: OpenWindow;
    if (first < 0) {
      if (t + gap <= this.watermark(kw)) {
        this.reportLate(kw, t, t, t + gap, true);
        return;
      }
      target = this.openWindow(t, t + gap, t + gap);
      let i = ws.length;
      while (i > 0 && ws[i - 1]!.start > t) i--;
      ws.splice(i, 0, target);
      if (!this.plan.mergeable) target.values = [];
    } else {
      target = ws[first]!;
      for (let i = first + 1; i <= lastIdx; i++) this.absorb(target, ws[i]!);
      ws.splice(first + 1, lastIdx - first);
    }
    this.addTo(target, value, t, md);
    if (t < target.start) target.start = t;
    if (t + gap > target.end) target.end = target.closeAt = t + gap;
    this.opened(kw.partition, target.closeAt);
    kw.dirty = true;
    const r = this.mode === 'current' ? this.emitCurrent(kw, target, md) : undefined;
    return both(r, this.advance(kw, t));
  }

  /** Joins session `b` into `a`. */
  private absorb(a: OpenWindow, b: OpenWindow): void {
    if (this.plan.mergeable) {
      a.states = this.plan.merge(a.states, b.states);
    } else {
      for (const [v, t] of b.values ?? []) this.plan.add(a.states, v, t);
      a.values?.push(...(b.values ?? []));
    }
    a.start = Math.min(a.start, b.start);
    a.end = a.closeAt = Math.max(a.end, b.end);
    a.maxTs = Math.max(a.maxTs, b.maxTs);
    a.minTs = Math.min(a.minTs, b.minTs);
    a.n += b.n;
    if (b.held !== null) (a.held ??= []).push(...b.held);
  }
}
