import { both } from '../core/held.ts';
import type { Metadata } from '../core/refcount.ts';
import { releaseRefs, retainRefs } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { EventTimeWindowNode, type EventTimeWindowOptions } from './event-time-window.ts';
import type { EmitMode, KeyWindows, OpenWindow } from './window-node.ts';

/**
 * Sliding windows in event time, as Quix defines them: for every element, the window of `duration` that ends at
 * its timestamp (both ends inclusive, 1 ms resolution) is emitted with everything in it. Internally each element
 * also keeps a "right" window starting 1 ms after it, so the next window can start from a stored aggregate
 * instead of re-reading elements; only windows whose end is the greatest timestamp they hold are ever emitted.
 * Only the `key` closing strategy applies (a window's content depends on its own key's elements).
 */
export class SlidingTimeWindowNode<T = any> extends EventTimeWindowNode<T> {
  override kind = 'slidingTimeWindow';
  readonly duration: number;

  constructor(
    upstream: Stream<T>,
    duration: number,
    plan: AggregationPlan,
    mode: EmitMode,
    options: EventTimeWindowOptions<T>,
  ) {
    if (!(duration >= 1)) badArgument('slidingTimeWindow', 'duration', duration, 'at least 1 ms');
    if ((options.closingStrategy ?? 'key') !== 'key') {
      badArgument(
        'slidingTimeWindow',
        'closingStrategy',
        options.closingStrategy,
        "'key' (sliding windows close per key)",
      );
    }
    if ((options as any).beforeUpdate !== undefined || (options as any).afterUpdate !== undefined) {
      badArgument(
        'slidingTimeWindow',
        'beforeUpdate/afterUpdate',
        'a predicate',
        'no early-close predicate on sliding windows',
      );
    }
    super(upstream, 'slidingTimeWindow', plan, mode, options);
    this.duration = duration;
  }

  protected process(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed {
    const duration = this.duration;
    const latest = Math.max(t, Number.isFinite(kw.maxTs) ? kw.maxTs : 0, kw.floor + this.grace);
    const maxExpiredEnd = latest - this.grace - 1;
    const maxExpiredStart = maxExpiredEnd - duration;
    let maxDeletedStart = maxExpiredStart - duration;
    const leftStart = Math.max(0, t - duration);
    if (t <= maxExpiredStart) {
      this.lateAt(kw, t, leftStart, t, true);
      return;
    }
    const rightStart = t + 1;
    let rightExists = false;
    const starts = new Set<number>([leftStart]);
    const updated: OpenWindow[] = [];
    let leftDone = false;
    let lateReported = false;
    // Newest first: the first window ending at or before `t` holds the aggregate the left window starts from.
    const lo = Math.max(0, leftStart - duration);
    const candidates = kw.windows.filter((w) => w.start >= lo && w.start <= rightStart).reverse();
    for (const w of candidates) {
      starts.add(w.start);
      if (w.start === rightStart) {
        rightExists = true;
      } else if (w.end > t) {
        if (!rightExists && w.maxTs > t) {
          this.put(kw, this.copyOf(w, rightStart, rightStart + duration));
          rightExists = true;
        }
        if (w.start > maxExpiredStart) {
          this.addTo(w, value, t, md);
          if (w.end === w.maxTs) updated.push(w);
        } else {
          lateReported = this.lateAt(kw, t, w.start, w.end, !lateReported);
        }
      } else if (w.end === t) {
        const rs = w.maxTs + 1;
        if (!starts.has(rs) && w.maxTs < t) this.put(kw, this.fresh(rs, value, t, md));
        if (w.start > maxExpiredStart) {
          this.addTo(w, value, t, md);
          updated.push(w);
        } else {
          lateReported = this.lateAt(kw, t, w.start, w.end, !lateReported);
        }
        leftDone = true;
        break;
      } else {
        const rs = w.maxTs + 1;
        if (!starts.has(rs) && rs + duration >= t) this.put(kw, this.fresh(rs, value, t, md));
        const left = leftStart > w.maxTs ? this.openWindow(leftStart, t, t + 1) : this.copyOf(w, leftStart, t);
        this.addTo(left, value, t, md);
        this.put(kw, left);
        updated.push(left);
        maxDeletedStart = Math.min(w.start - 1, maxExpiredStart);
        leftDone = true;
        break;
      }
    }
    if (!leftDone && leftStart > maxExpiredStart) {
      const left = this.openWindow(leftStart, t, t + 1);
      this.addTo(left, value, t, md);
      this.put(kw, left);
      updated.push(left);
    }
    kw.dirty = true;
    if (t > kw.maxTs) kw.maxTs = t;
    let r: Pushed = undefined;
    if (this.mode === 'current') {
      for (let i = updated.length - 1; i >= 0; i--) r = both(r, this.emitCurrent(kw, updated[i]!, md));
    }
    return both(r, this.expire(kw, maxExpiredStart, maxDeletedStart));
  }

  /** Emits the left windows that became final, then drops windows no later element can reuse. */
  private expire(kw: KeyWindows, maxExpiredStart: number, maxDeletedStart: number): Pushed {
    let r: Pushed = undefined;
    const ws = kw.windows;
    for (let i = 0; i < ws.length && ws[i]!.start <= maxExpiredStart; i++) {
      const w = ws[i]!;
      if (w.start <= kw.expiredThrough) continue;
      if (w.end === w.maxTs) r = both(r, this.closeWindow(kw, w));
      else this.closeQuietly(w);
    }
    if (maxExpiredStart > kw.expiredThrough) kw.expiredThrough = maxExpiredStart;
    let drop = 0;
    while (drop < ws.length && ws[drop]!.start <= maxDeletedStart) drop++;
    if (drop > 0) {
      for (let i = 0; i < drop; i++) this.closeQuietly(ws[i]!);
      ws.splice(0, drop);
    }
    return r;
  }

  protected override closeAtEnd(kw: KeyWindows, w: OpenWindow): Pushed {
    return this.closeExpired(kw, w);
  }

  protected override closeExpired(kw: KeyWindows, w: OpenWindow): Pushed {
    if (w.start <= kw.expiredThrough) return;
    if (w.end === w.maxTs) return this.closeWindow(kw, w);
    this.closeQuietly(w);
  }

  private closeQuietly(w: OpenWindow): void {
    const held = w.held;
    w.held = null;
    if (held !== null) for (const md of held) releaseRefs(md);
  }

  // A late element is behind the key's greatest timestamp, so `watermark - t` is Quix's late_by_ms
  // (max_expired_window_end + 1 - t).
  private lateAt(kw: KeyWindows, t: number, start: number, end: number, first: boolean): boolean {
    this.reportLate(kw, t, start, end, first);
    return true;
  }

  private put(kw: KeyWindows, w: OpenWindow): void {
    const ws = kw.windows;
    // Windows are identified by start and end: a left window may share its start with an older one (clamped at 0).
    let i = ws.length;
    while (i > 0 && (ws[i - 1]!.start > w.start || (ws[i - 1]!.start === w.start && ws[i - 1]!.end > w.end))) i--;
    const prev = ws[i - 1];
    if (prev !== undefined && prev.start === w.start && prev.end === w.end) {
      this.closeQuietly(prev);
      ws[i - 1] = w;
    } else {
      ws.splice(i, 0, w);
    }
  }

  private fresh(start: number, value: unknown, t: number, md: Metadata | undefined): OpenWindow {
    const w = this.openWindow(start, start + this.duration, start + this.duration + 1);
    this.addTo(w, value, t, md);
    return w;
  }

  private copyOf(w: OpenWindow, start: number, end: number): OpenWindow {
    const c = this.openWindow(start, end, end + 1);
    c.states = w.states.map(copyState);
    c.maxTs = w.maxTs;
    c.minTs = w.minTs;
    c.n = w.n;
    if (w.held !== null) {
      c.held = w.held.slice();
      for (const md of c.held) retainRefs(md);
    }
    return c;
  }
}

// Aggregator states are plain data (numbers, arrays, small objects); a copied window must not share them.
function copyState(s: unknown): unknown {
  if (s === null || typeof s !== 'object') return s;
  return structuredClone(s);
}
