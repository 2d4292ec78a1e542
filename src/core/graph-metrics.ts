import { badArgument } from '../errors.ts';
import { realClock } from '../time/clock.ts';
import { invalidate } from './fusion.ts';
import { graphNodes } from './graph.ts';
import { NodeMetrics, type NodeProbe } from './node-metrics.ts';
import { prometheusText } from './prometheus-text.ts';
import { Stream } from './stream.ts';

/** One node in a metrics snapshot: plain figures. */
export interface NodeSnapshot {
  id: number;
  /** The node's name, or its kind and id (`map#3`). */
  label: string;
  kind: string;
  /** The ids of the nodes it feeds. */
  downstreams: number[];
  in: number;
  out: number;
  errors: number;
  late: number;
  queueDepth: number;
  /** Mean of the sampled processing times, in seconds (0 before the first sample). */
  processingSeconds: number;
  /** Sum and count of the sampled processing times, as a Prometheus summary has them. */
  processingSecondsSum: number;
  processingSamples: number;
  /** Event time reached, ms since the epoch; null when the node reports none. */
  watermark: number | null;
  /** Seconds behind; null when the node reports none. */
  lagSeconds: number | null;
}

/** What `GraphMetrics.snapshot()` returns. */
export interface MetricsSnapshot {
  /** When it was taken, on the wall clock (ms since the epoch): rates are per wall second whatever the graph's clock. */
  at: number;
  nodes: NodeSnapshot[];
}

/**
 * The metrics of a stream graph: per node the elements in and out, errors, late elements, queue depth and sampled
 * processing time; per source (or any node given a probe) its watermark and lag. `enableMetrics` returns it.
 *
 * @example
 * import { enableMetrics, Stream } from 'twinstream/core';
 * const source = new Stream<number>({ name: 'readings' });
 * source.map((x) => x * 2).named('double').sink(() => {});
 * const metrics = enableMetrics([source]);
 * source.emit(1);
 * metrics.snapshot().nodes.find((n) => n.label === 'double')?.out; // 1
 */
export class GraphMetrics {
  readonly roots: readonly Stream<any>[];
  private readonly probes = new Map<Stream<any>, () => NodeProbe>();
  private counted: Stream<any>[] = [];
  private enabled = true;

  constructor(roots: readonly Stream<any>[]) {
    this.roots = roots;
    this.refresh();
  }

  /** The nodes counted: every node reachable from the roots (nodes connected since are picked up by `snapshot`). */
  get nodes(): readonly Stream<any>[] {
    return this.counted;
  }

  /**
   * Starts counting the nodes connected since the last look (`snapshot` does this too): call it once a graph that
   * grew after `enableMetrics` is complete, so its new nodes count from the start.
   */
  refresh(): void {
    if (!this.enabled) return;
    const nodes = graphNodes(this.roots);
    if (nodes.length === this.counted.length) return;
    for (const n of nodes) {
      if (n.metrics !== null) continue;
      n.metrics = new NodeMetrics();
      invalidate(n);
    }
    this.counted = nodes;
  }

  /**
   * Gives `node` a probe of its own, read at every snapshot: how a source that is not a twinstream `Source` (a
   * simulation, a consumer) reports its watermark and lag.
   *
   * @example
   * metrics.watch(records, () => ({ watermark: env.clock.now(), lagSeconds: env.lagSeconds }));
   */
  watch(node: Stream<any>, probe: () => NodeProbe): this {
    this.refresh();
    if (!this.counted.includes(node)) badArgument('GraphMetrics.watch', 'node', node.label(), 'a node of this graph');
    if (typeof probe !== 'function') badArgument('GraphMetrics.watch', 'probe', probe, 'a function');
    this.probes.set(node, probe);
    return this;
  }

  /** The figures now, as plain objects. */
  snapshot(): MetricsSnapshot {
    this.refresh();
    const nodes: NodeSnapshot[] = [];
    for (const n of this.counted) {
      const m = n.metrics ?? new NodeMetrics();
      const p = this.probes.get(n)?.() ?? n.probe() ?? {};
      nodes.push({
        id: n.id,
        label: n.label(),
        kind: n.kind,
        downstreams: n.downstreams.map((d) => d.id),
        in: m.in,
        out: m.out,
        errors: m.errors,
        late: p.late ?? 0,
        queueDepth: p.queueDepth ?? 0,
        processingSeconds: m.processingSamples > 0 ? m.processingSeconds / m.processingSamples : 0,
        processingSecondsSum: m.processingSeconds,
        processingSamples: m.processingSamples,
        watermark: p.watermark ?? null,
        lagSeconds: p.lagSeconds ?? null,
      });
    }
    return { at: realClock.now(), nodes };
  }

  /** The figures now in the Prometheus text format (see {@link prometheusText}). */
  prometheus(): string {
    return prometheusText(this.snapshot());
  }

  /** Stops counting: the nodes go back to their uncounted, fused delivery. The figures so far are dropped. */
  disable(): void {
    this.enabled = false;
    for (const n of this.counted) {
      n.metrics = null;
      invalidate(n);
    }
  }
}

/**
 * Turns metrics on for every node reachable from `roots`; nodes connected later are counted from the next
 * `snapshot()` on. Off by default: a graph without metrics runs the same code as before this existed. On, the
 * counters are compiled into the graph's delivery, fused chains included (see docs/metrics.md for the cost).
 *
 * @example
 * import { enableMetrics, Stream } from 'twinstream/core';
 * const source = new Stream<number>();
 * source.filter((x) => x > 0).sink(() => {});
 * const metrics = enableMetrics([source]);
 * for (const x of [1, -1, 2]) source.emit(x);
 * metrics.snapshot().nodes.map((n) => [n.kind, n.in, n.out]); // [['stream', 0, 3], ['filter', 3, 2], ['sink', 2, 0]]
 */
export function enableMetrics(roots: readonly Stream<any>[]): GraphMetrics {
  if (!Array.isArray(roots) || roots.length === 0 || !roots.every((r) => r instanceof Stream)) {
    badArgument('enableMetrics', 'roots', roots, 'a non-empty array of streams');
  }
  return new GraphMetrics([...roots]);
}
