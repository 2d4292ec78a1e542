import type { MetricsSnapshot, NodeSnapshot } from './graph-metrics.ts';

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'summary';
  help: string;
  value(n: NodeSnapshot): number | null;
}

// Written here rather than through prom-client: the core layer imports no package (it runs in browsers too), and
// the format of a finished snapshot is a few lines; a program that already has a prom-client registry can serve
// this text beside it. Named as prom-client and Prometheus's own guidelines have them: a `twinstream_` prefix, `_total` on counters,
// base units (seconds) in the name, one label set per node (its label and kind: few values, no element data).
const FAMILIES: Family[] = [
  { name: 'twinstream_node_elements_in_total', type: 'counter', help: 'Elements received', value: (n) => n.in },
  { name: 'twinstream_node_elements_out_total', type: 'counter', help: 'Elements handed on', value: (n) => n.out },
  {
    name: 'twinstream_node_errors_total',
    type: 'counter',
    help: 'Elements whose processing threw',
    value: (n) => n.errors,
  },
  {
    name: 'twinstream_node_late_elements_total',
    type: 'counter',
    help: 'Elements dropped as late (their window had closed)',
    value: (n) => n.late,
  },
  {
    name: 'twinstream_node_queue_depth',
    type: 'gauge',
    help: 'Elements held, waiting to be handed on',
    value: (n) => n.queueDepth,
  },
  {
    name: 'twinstream_source_watermark_seconds',
    type: 'gauge',
    help: 'Event time reached, seconds since the Unix epoch',
    value: (n) => (n.watermark === null ? null : n.watermark / 1000),
  },
  {
    name: 'twinstream_source_lag_seconds',
    type: 'gauge',
    help: 'How far the source is behind',
    value: (n) => n.lagSeconds,
  },
];

function escapeLabel(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

/**
 * A metrics snapshot in the Prometheus text exposition format (version 0.0.4), what a `/metrics` endpoint serves:
 * per node `twinstream_node_elements_in_total`, `..._out_total`, `twinstream_node_errors_total`,
 * `twinstream_node_late_elements_total`, `twinstream_node_queue_depth`, the summary
 * `twinstream_node_processing_seconds` (`_sum`, `_count`), and per source `twinstream_source_watermark_seconds`
 * and `twinstream_source_lag_seconds`.
 *
 * @example
 * import { enableMetrics, prometheusText, Stream } from 'twinstream/core';
 * const source = new Stream<number>({ name: 'in' });
 * const metrics = enableMetrics([source]);
 * prometheusText(metrics.snapshot()); // '# HELP twinstream_node_elements_in_total ...'
 */
export function prometheusText(snapshot: MetricsSnapshot): string {
  const lines: string[] = [];
  const labels = (n: NodeSnapshot) => `{node="${escapeLabel(n.label)}",kind="${escapeLabel(n.kind)}"}`;
  for (const f of FAMILIES) {
    const rows: string[] = [];
    for (const n of snapshot.nodes) {
      const v = f.value(n);
      if (v !== null && Number.isFinite(v)) rows.push(`${f.name}${labels(n)} ${v}`);
    }
    if (rows.length === 0) continue;
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...rows);
  }
  const sampled = snapshot.nodes.filter((n) => n.processingSamples > 0);
  if (sampled.length > 0) {
    const name = 'twinstream_node_processing_seconds';
    lines.push(
      `# HELP ${name} Processing time of sampled elements, the synchronous work downstream included`,
      `# TYPE ${name} summary`,
    );
    for (const n of sampled) {
      lines.push(
        `${name}_sum${labels(n)} ${n.processingSecondsSum}`,
        `${name}_count${labels(n)} ${n.processingSamples}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
