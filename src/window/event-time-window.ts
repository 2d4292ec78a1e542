import { both } from '../core/held.ts';
import type { Metadata } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import { badArgument, requireFunction } from '../errors.ts';
import type { Timer } from '../time/clock.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import {
  type EmitMode,
  type KeyWindows,
  type OpenWindow,
  type PartitionWindows,
  WindowNode,
  type WindowOptions,
} from './window-node.ts';

/** What `onLate` receives: an element that arrived for a window already closed. */
export interface LateInfo {
  /** The element as it arrived. */
  readonly element: unknown;
  readonly key: unknown;
  readonly timestamp: number;
  /** The closed window it fell into. */
  readonly start: number;
  readonly end: number;
  /** How far behind the watermark it was, in ms. */
  readonly lateBy: number;
}

/** Options of the event-time windows (tumbling, hopping, sliding, session). */
export interface EventTimeWindowOptions<T = any> extends WindowOptions<T> {
  /** How long after its end a window still accepts elements. Default 0. */
  grace?: Duration;
  /** Whose greatest timestamp makes the watermark: each key's own (default), or the partition's, so one busy key
   * closes every key's windows. */
  closingStrategy?: 'key' | 'partition';
  /** Close due windows when no element has arrived for this long on the clock, as if event time kept pace with
   * the clock meanwhile. Default: never. */
  idleTimeout?: Duration;
  /** Called for each closed window a late element fell into (the element is dropped and counted in `late`). */
  onLate?: (info: LateInfo) => void;
}

/**
 * The watermark machinery of event-time windows. The watermark of a key (or of a partition) is the greatest
 * timestamp seen minus the grace; a window closes when the watermark reaches its end. An element that falls into
 * a closed window is late: it goes to `onLate` and the `late` counter, and changes nothing else.
 */
export abstract class EventTimeWindowNode<T = any> extends WindowNode<T> {
  readonly grace: number;
  readonly closingStrategy: 'key' | 'partition';
  readonly idleTimeout: number;
  private readonly lateHandler: ((info: LateInfo) => void) | null;
  private idleTimer: Timer | null = null;
  private lastArrival = 0;
  /** What closing windows on the clock threw with no error branch to take it: thrown by the next update. */
  private idleFailure: { error: unknown } | null = null;

  constructor(
    upstream: Stream<T>,
    where: string,
    plan: AggregationPlan,
    mode: EmitMode,
    options: EventTimeWindowOptions<T>,
  ) {
    const grace = toMillis(options.grace ?? 0, `${where}: grace`);
    const closing = options.closingStrategy ?? 'key';
    if (closing !== 'key' && closing !== 'partition') {
      badArgument(where, 'closingStrategy', closing, "'key' or 'partition'");
    }
    const idle = options.idleTimeout === undefined ? 0 : toMillis(options.idleTimeout, `${where}: idleTimeout`);
    if (options.onLate !== undefined) requireFunction(where, 'onLate', options.onLate);
    super(upstream, where, plan, mode, options);
    this.grace = grace;
    this.closingStrategy = closing;
    this.idleTimeout = idle;
    this.lateHandler = options.onLate ?? null;
  }

  /** The watermark that decides whether a window of `kw` is closed. */
  protected watermark(kw: KeyWindows): number {
    if (this.closingStrategy === 'key') return Math.max(kw.maxTs - this.grace, kw.floor);
    const p = kw.partition;
    return Math.max(p.maxTs - this.grace, p.floor);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.idleTimeout > 0) {
      if (this.idleFailure !== null) {
        const { error } = this.idleFailure;
        this.idleFailure = null;
        throw error;
      }
      this.lastArrival = this.clock.now();
      if (this.idleTimer === null) this.armIdle(this.idleTimeout);
    }
    return super.update(x, who, metadata);
  }

  /** Records a late element for one closed window. */
  protected reportLate(kw: KeyWindows, t: number, start: number, end: number, first: boolean): void {
    if (first) this.late++;
    if (this.lateHandler !== null) {
      this.lateHandler({
        element: this.element,
        key: kw.key,
        timestamp: t,
        start,
        end,
        lateBy: this.watermark(kw) - t,
      });
    }
  }

  /** Advances the clocks of `kw` with `t` and closes every window the new watermark passed. */
  protected advance(kw: KeyWindows, t: number): Pushed {
    if (t > kw.maxTs) kw.maxTs = t;
    const p = kw.partition;
    if (t > p.maxTs) p.maxTs = t;
    if (this.closingStrategy === 'key') return this.expireKey(kw, this.watermark(kw));
    return this.expirePartition(p, this.watermark(kw));
  }

  /** Closes the windows of one key that `wm` has reached, oldest first. */
  protected expireKey(kw: KeyWindows, wm: number): Pushed {
    const ws = kw.windows;
    if (ws.length === 0 || ws[0]!.closeAt > wm) return;
    let r: Pushed = undefined;
    let i = 0;
    while (i < ws.length && ws[i]!.closeAt <= wm) i++;
    const closed = ws.splice(0, i);
    for (const w of closed) r = both(r, this.closeExpired(kw, w));
    this.forgetIfEmpty(kw);
    return r;
  }

  /** Closes the windows of every key of a partition that `wm` has reached, by start then key. */
  protected expirePartition(p: PartitionWindows, wm: number): Pushed {
    if (wm < p.nextClose) return;
    const due: [KeyWindows, OpenWindow][] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const kw of p.keys.values()) {
      const ws = kw.windows;
      let i = 0;
      while (i < ws.length && ws[i]!.closeAt <= wm) due.push([kw, ws[i++]!]);
      if (i > 0) ws.splice(0, i);
      for (let j = 0; j < ws.length; j++) if (ws[j]!.closeAt < next) next = ws[j]!.closeAt;
    }
    p.nextClose = next;
    due.sort((a, b) => a[1].start - b[1].start);
    let r: Pushed = undefined;
    for (const [kw, w] of due) {
      r = both(r, this.closeExpired(kw, w));
      this.forgetIfEmpty(kw);
    }
    return r;
  }

  /** Emits a window the watermark closed (kinds may emit only some of them: sliding windows). */
  protected closeExpired(kw: KeyWindows, w: OpenWindow): Pushed {
    return this.closeWindow(kw, w);
  }

  /** Notes that a window closing at `closeAt` opened in partition `p` (partition closing scans only when due). */
  protected opened(p: PartitionWindows, closeAt: number): void {
    if (closeAt < p.nextClose) p.nextClose = closeAt;
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.clock.setTimer(ms, () => {
      this.idleTimer = null;
      let r: Pushed;
      try {
        r = this.onIdle();
      } catch (error) {
        this.idleFailed(error);
        return;
      }
      r?.then(undefined, (error: unknown) => this.idleFailed(error));
    });
  }

  /**
   * Closing windows on the clock failed downstream (a sink that cannot send): the error goes to this node's error
   * branch, or else to the next update. Thrown from the timer, it would end the process.
   */
  private idleFailed(error: unknown): void {
    try {
      const r = this.fail(error, undefined, undefined);
      r?.then(undefined, (e: unknown) => {
        this.idleFailure ??= { error: e };
      });
    } catch (e) {
      this.idleFailure ??= { error: e };
    }
  }

  private onIdle(): Pushed {
    const idleFor = this.clock.now() - this.lastArrival;
    if (idleFor < this.idleTimeout) {
      this.armIdle(this.idleTimeout - idleFor);
      return;
    }
    // Event time is assumed to have kept pace with the clock since the last element.
    let r: Pushed = undefined;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const p of this.parts.values()) {
      for (const kw of p.keys.values()) {
        const base = this.closingStrategy === 'key' ? kw.maxTs : p.maxTs;
        const wm = base + idleFor - this.grace;
        if (wm > kw.floor) kw.floor = wm;
        r = both(r, this.expireKey(kw, wm));
        const w = kw.windows[0];
        if (w !== undefined) nextDue = Math.min(nextDue, w.closeAt - wm);
      }
      if (this.closingStrategy === 'partition' && p.maxTs + idleFor - this.grace > p.floor) {
        p.floor = p.maxTs + idleFor - this.grace;
      }
      p.nextClose = Number.NEGATIVE_INFINITY;
    }
    if (Number.isFinite(nextDue)) this.armIdle(Math.max(1, nextDue));
    return r;
  }

  override stop(): void {
    this.idleTimer?.cancel();
    this.idleTimer = null;
    super.stop();
  }
}
