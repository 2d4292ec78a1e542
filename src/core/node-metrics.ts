// What a node counts when metrics are on. Off (the default) nothing here runs per element: a node's `metrics` is
// null and the compiled delivery is exactly what it would be without this module. On, fused chains get their
// counters inline (fusion.ts) and other nodes the closures below, so the cost is paid only by the graphs that
// asked for it.
import type { Metadata } from './refcount.ts';
import type { Pushed, PushFn, Stream } from './stream.ts';

/** Time one element in this many per node: `performance.now()` twice per element would cost more than most stages. */
export const TIMING_SAMPLE = 64;

/** What a node reports besides its counters, read only when a snapshot is taken (nothing per element). */
export interface NodeProbe {
  /** Elements dropped because they arrived for a window already closed (or behind a merge's watermark). */
  late?: number;
  /** Elements the node holds, waiting to be handed on (a buffer's queue). */
  queueDepth?: number;
  /** Event time the node has reached, ms since the epoch (a source's watermark). */
  watermark?: number;
  /** How far the node is behind where it should be, in seconds (a source's lag). */
  lagSeconds?: number;
}

/**
 * The counters of one node while metrics are on: elements in and out, errors, and the sampled processing time
 * (one element in `TIMING_SAMPLE`, timed from its arrival until the node and the synchronous work it started
 * downstream return; in a fused chain, only its first node is timed, for the whole chain).
 *
 * @example
 * import { enableMetrics, Stream } from 'twinstream/core';
 * const source = new Stream<number>();
 * const doubled = source.map((x) => 2 * x);
 * enableMetrics([source]);
 * source.emit(1);
 * doubled.metrics?.in; // 1
 */
export class NodeMetrics {
  in = 0;
  out = 0;
  errors = 0;
  /** Sum of the sampled processing times, in seconds. */
  processingSeconds = 0;
  /** How many elements were timed. */
  processingSamples = 0;
}

// An error unwinds through every metered node upstream of the one that raised it: only the first (the deepest)
// counts it.
const counted = new WeakSet<object>();

/** @internal Counts `e` against the node of `m`, unless a node downstream counted it already. */
export function countError(m: NodeMetrics, e: unknown): void {
  if (typeof e === 'object' && e !== null) {
    if (counted.has(e)) return;
    counted.add(e);
  }
  m.errors++;
}

/** @internal The delivery into `d` from `who`, counting what enters `d`, its errors and a sample of its time. */
export function meteredEntry(d: Stream<any>, who: Stream<any>, m: NodeMetrics, guarded: PushFn | null): PushFn {
  return (x: unknown, md: Metadata | undefined): Pushed => {
    const timed = (++m.in & (TIMING_SAMPLE - 1)) === 0;
    const t0 = timed ? performance.now() : 0;
    let r: Pushed;
    try {
      r = guarded === null ? d.update(x, who, md) : guarded(x, md);
    } catch (e) {
      countError(m, e);
      throw e;
    }
    if (timed) {
      m.processingSeconds += (performance.now() - t0) / 1000;
      m.processingSamples++;
    }
    if (r !== undefined) {
      return r.then(undefined, (e: unknown) => {
        countError(m, e);
        throw e;
      });
    }
    return r;
  };
}

/** @internal The delivery out of a node, counting what it hands on. */
export function meteredExit(m: NodeMetrics, push: PushFn): PushFn {
  return (x: unknown, md: Metadata | undefined): Pushed => {
    m.out++;
    return push(x, md);
  };
}
