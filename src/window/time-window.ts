import type { Fusable, FuseContext } from '../core/fusion.ts';
import { both } from '../core/held.ts';
import { addMomentCode } from '../core/moments.ts';
import type { Metadata } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import { badArgument, requireFunction } from '../errors.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { EventTimeWindowNode, type EventTimeWindowOptions } from './event-time-window.ts';
import { MAX_TIMESTAMP } from './timestamp.ts';
import {
  LANE_CLOSE,
  LANE_END,
  LANE_KERNEL,
  LANE_MAX_TS,
  LANE_MIN_TS,
  LANE_START,
  LANE_STRIDE,
  WindowLane,
} from './window-lane.ts';
import type { EmitMode, KeyWindows, OpenWindow } from './window-node.ts';
import type { WindowStoreWriter } from './window-store.ts';

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
export class TimeWindowNode<T = any> extends EventTimeWindowNode<T> implements Fusable {
  override kind: string;
  readonly duration: number;
  readonly step: number;
  private readonly beforeUpdate: EarlyClose | null;
  private readonly afterUpdate: EarlyClose | null;
  /** The fused fast path's entries; null when this window cannot use it (see `fuse`). */
  private readonly lane: WindowLane | null;

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
    // The lane folds into the newest window of a key and nothing else: tumbling, numeric kernels, emitted when
    // closed, closed by the key's own watermark, no early-close predicates, no idle clock.
    const laneable =
      step === duration &&
      this.beforeUpdate === null &&
      this.afterUpdate === null &&
      mode === 'final' &&
      this.closingStrategy === 'key' &&
      this.idleTimeout === 0 &&
      plan.kernels !== null;
    this.lane = laneable ? new WindowLane() : null;
  }

  /**
   * The per-element path, inlined into the source loop: an element of a key the lane caches, for its newest
   * window and closing nothing, with a number as its value, is folded into the lane's cell right there; any other
   * element resumes the full path (`afterTs`/`afterKey`/`afterValue`) with what was read, so extractors run once
   * and in the same order.
   */
  fuse(ctx: FuseContext): string {
    const node = ctx.bind(this);
    if (this.lane === null) return `return ${node}.update(x, undefined, md);`;
    const L = ctx.bind(this.lane);
    const f = this.fieldNames;
    // Field names are read inline, after one check that x is an object: a read that may give undefined (as
    // fieldReader's conditional does) merges a double with undefined and boxes it, one allocation per element.
    const field = (name: string | number) => `x[${JSON.stringify(name)}]`;
    const readTs = f.ts !== null ? field(f.ts) : `${ctx.bind(this.readTs)}(x)`;
    const readValue =
      this.readValue === null ? 'x' : f.value !== null ? field(f.value) : `${ctx.bind(this.readValue)}(x)`;
    // Off the fast path, a field read inline as undefined goes back through the window's own reader, which tells
    // a missing field (TS_MISSING_FIELD) from a present one that is null or undefined (skipped).
    const valueMiss = (key: string) =>
      f.value !== null
        ? `wv === undefined ? ${node}.afterKey(x, wt, ${key}, md) : ${node}.afterValue(x, wt, ${key}, wv, md)`
        : `${node}.afterValue(x, wt, ${key}, wv, md)`;
    const keyMiss =
      f.key !== null
        ? `wk === undefined ? ${node}.afterTs(x, wt, md) : ${node}.afterKey(x, wt, wk, md)`
        : `${node}.afterKey(x, wt, wk, md)`;
    const grace = ctx.bind(this.grace);
    const k = LANE_KERNEL;
    const moments = this.plan.kernels!.some((kind) => kind === 'var' || kind === 'std');
    // The kernel's fold (core/moments.ts), then the window's greatest and smallest timestamp.
    const fold = `${addMomentCode('C', `wb + ${k}`, 'wv', moments)}
      if (wt > C[wb + ${LANE_MAX_TS}]) C[wb + ${LANE_MAX_TS}] = wt;
      if (wt < C[wb + ${LANE_MIN_TS}]) C[wb + ${LANE_MIN_TS}] = wt;
      return;`;
    const inWindow = `wt >= C[wb + ${LANE_START}] && wt < C[wb + ${LANE_END}] && wt - ${grace} < C[wb + ${LANE_CLOSE}]`;
    if (this.readKey === null) {
      return `{
if (typeof x === 'object' && x !== null && md === undefined && ${L}.size !== 0) {
  const wt = ${readTs};
  const C = ${L}.cells; const wb = 0;
  if (typeof wt === 'number' && ${inWindow}) {
    const wv = ${readValue};
    if (typeof wv !== 'number') return ${valueMiss('null')};
    ${fold}
  }
  return ${node}.afterTs(x, wt, md);
}
return ${node}.update(x, undefined, md);
}`;
    }
    const readKey = f.key !== null ? field(f.key) : `${ctx.bind(this.readKey)}(x)`;
    return `{
if (typeof x === 'object' && x !== null && md === undefined) {
  const wt = ${readTs};
  if (typeof wt !== 'number' || !(wt >= ${-MAX_TIMESTAMP} && wt <= ${MAX_TIMESTAMP})) return ${node}.afterTs(x, wt, md);
  const wk = ${readKey};
  const wks = ${L}.keys; const wm = ${L}.size; let we = 0;
  while (we < wm && wks[we] !== wk) we++;
  if (we < wm) {
    const C = ${L}.cells; const wb = we * ${LANE_STRIDE};
    if (${inWindow}) {
      const wv = ${readValue};
      if (typeof wv !== 'number') return ${valueMiss('wk')};
      ${fold}
    }
  }
  return ${keyMiss};
}
return ${node}.update(x, undefined, md);
}`;
  }

  protected process(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed {
    const lane = this.lane;
    if (lane === null) return this.place(kw, t, value, md);
    // The key's cached entry goes back into its window while the full path changes them (an element fed back
    // re-entrantly finds no entry and takes the full path too).
    lane.evict(kw);
    try {
      return this.place(kw, t, value, md);
    } finally {
      // Only for elements without metadata: the lane knows no partition, and the fused path takes only those.
      if (this.readPartition === null && this.defaultsChecked && md === undefined) lane.install(kw);
    }
  }

  override persist(tx: WindowStoreWriter): void {
    this.lane?.flush();
    super.persist(tx);
  }

  /** The full path: puts one element into its windows (late ones reported) and closes what is due. */
  private place(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed {
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
    // Windows with a negative start are not opened (as in Quix): event time begins at the epoch. The windows are
    // counted, not stepped: `start += step` need not change a large start, so each start is its index times the
    // step (the same number whichever element opens it), and an element is in at most ceil(duration / step).
    let first = Math.floor((t - duration) / step) + 1;
    const last = Math.floor(t / step);
    if (first < 0 && last >= 0) first = 0;
    const count = Math.min(last - first + 1, Math.ceil(duration / step));
    const wm = this.watermark(kw);
    let r: Pushed = undefined;
    let reported = false;
    let previous = Number.NaN;
    for (let n = 0; n < count; n++) {
      const start = (first + n) * step;
      // Past 2^53 steps, indexes n apart may name one start: it is one window.
      if (start === previous) continue;
      previous = start;
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

  protected override flushOnEnd(): Pushed {
    this.lane?.clear();
    return super.flushOnEnd();
  }

  private closeEarly(kw: KeyWindows, w: OpenWindow): Pushed {
    const i = kw.windows.indexOf(w);
    if (i >= 0) kw.windows.splice(i, 1);
    // An early-closed window is emitted like a closed one (by `final()`), and a later element in its range opens
    // a fresh one.
    return this.closeWindow(kw, w);
  }
}
