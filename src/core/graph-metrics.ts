import { badArgument } from '../errors.ts';
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
  /** When it was taken, on the graph's clock (ms since the epoch). */
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
  readonly nodes: readonly Stream<any>[];
  private readonly probes = new Map<Stream<any>, () => NodeProbe>();

  constructor(nodes: readonly Stream<any>[]) {
    this.nodes = nodes;
  }

  /**
   * Gives `node` a probe of its own, read at every snapshot: how a source that is not a twinstream `Source` (a
   * simulation, a consumer) reports its watermark and lag.
   *
   * @example
   * metrics.watch(records, () => ({ watermark: env.clock.now(), lagSeconds: env.lagSeconds }));
   */
  watch(node: Stream<any>, probe: () => NodeProbe): this {
    if (!this.nodes.includes(node)) badArgument('GraphMetrics.watch', 'node', node.label(), 'a node of this graph');
    if (typeof probe !== 'function') badArgument('GraphMetrics.watch', 'probe', probe, 'a function');
    this.probes.set(node, probe);
    return this;
  }

  /** The figures now, as plain objects. */
  snapshot(): MetricsSnapshot {
    const nodes: NodeSnapshot[] = [];
    for (const n of this.nodes) {
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
    return { at: this.nodes[0]?.clock.now() ?? 0, nodes };
  }

  /** The figures now in the Prometheus text format (see {@link prometheusText}). */
  prometheus(): string {
    return prometheusText(this.snapshot());
  }

  /** Stops counting: the nodes go back to their uncounted, fused delivery. The figures so far are dropped. */
  disable(): void {
    for (const n of this.nodes) {
      n.metrics = null;
      invalidate(n);
    }
  }
}

/**
 * Turns metrics on for every node reachable from `roots` (call it once the graph is built: nodes added later are
 * not counted). Off by default: a graph without metrics runs the same code as before this existed. On, each node
 * keeps its own boundary instead of being fused with its neighbours, which costs time per element (see
 * docs/metrics.md for the figures).
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
  const nodes = graphNodes(roots);
  for (const n of nodes) {
    n.metrics ??= new NodeMetrics();
    invalidate(n);
  }
  return new GraphMetrics(nodes);
}
