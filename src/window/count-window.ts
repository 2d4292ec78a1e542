import { both } from '../core/held.ts';
import type { Metadata } from '../core/refcount.ts';
import type { Pushed, Stream } from '../core/stream.ts';
import { badArgument, requireInteger } from '../errors.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { type EmitMode, type KeyWindows, WindowNode, type WindowOptions } from './window-node.ts';

/**
 * Count-based windows per key: a window of `count` elements opens every `step` elements (tumbling when
 * `step === count`, sliding when `step === 1`). A window closes when it is full. Its `start` and `end` are the
 * smallest and greatest timestamps it holds (null when elements carry no timestamp). No grace, no lateness: there
 * is no event time to be late in.
 */
export class CountWindowNode<T = any> extends WindowNode<T> {
  override kind: string;
  readonly count: number;
  readonly step: number;

  constructor(
    upstream: Stream<T>,
    where: string,
    count: number,
    step: number,
    plan: AggregationPlan,
    mode: EmitMode,
    options: WindowOptions<T>,
  ) {
    requireInteger(where, 'count', count, 2);
    requireInteger(where, 'step', step, 1);
    if (step > count) badArgument(where, 'step', step, `an integer from 1 to the count (${count})`);
    super(upstream, where, plan, mode, options);
    this.kind = where;
    this.count = count;
    this.step = step;
    this.needsTime = false;
  }

  protected process(kw: KeyWindows, t: number, value: unknown, md: Metadata | undefined): Pushed {
    const ws = kw.windows;
    if (kw.seen % this.step === 0) ws.push(this.openWindow(0, 0, 0));
    kw.seen++;
    kw.dirty = true;
    let r: Pushed = undefined;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      this.addTo(w, value, t, md);
      this.span(w);
      if (this.mode === 'current') r = both(r, this.emitCurrent(kw, w, md));
    }
    while (ws.length > 0 && ws[0]!.n >= this.count) {
      const w = ws.shift()!;
      r = both(r, this.closeWindow(kw, w));
    }
    return r;
  }

  private span(w: { start: number; end: number; minTs: number; maxTs: number }): void {
    w.start = Number.isFinite(w.minTs) ? w.minTs : (null as unknown as number);
    w.end = Number.isFinite(w.maxTs) ? w.maxTs : (null as unknown as number);
  }
}
