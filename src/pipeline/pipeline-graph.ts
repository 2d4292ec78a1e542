import { graphNodes } from '../core/graph.ts';
import type { Stream } from '../core/stream.ts';
import type { BuiltPipeline } from './build-pipeline.ts';

/** How a pipeline drawing is written: Graphviz DOT or a Mermaid flowchart. */
export type PipelineGraphFormat = 'dot' | 'mermaid';

function label(n: Stream<any>): string {
  if (n.name === undefined) return n.kind;
  return n.name.endsWith(n.kind) ? n.name : `${n.name} (${n.kind})`;
}

/**
 * The graph of a built pipeline as text: every node from its inputs to its outputs, each named after its place in
 * the file (`steps[2] window`), and dashed edges from the nodes whose errors go to a dead-letter step.
 *
 * @example
 * import { buildPipeline, loadPipeline, pipelineGraph } from 'twinstream/pipeline';
 * const built = await buildPipeline(await loadPipeline('pipeline.yaml'));
 * console.log(pipelineGraph(built, 'mermaid'));
 */
export function pipelineGraph(built: BuiltPipeline, format: PipelineGraphFormat): string {
  // The counting nodes are left out of the drawing: an edge passes through them.
  const nodes = graphNodes([...built.inputs.map((i) => i.source), ...built.deadLetters]).filter(
    (n) => !built.plumbing.has(n),
  );
  const id = new Map(nodes.map((n, i) => [n, `n${i}`]));
  const through = (n: Stream<any>): Stream<any>[] =>
    n.downstreams.flatMap((d) => (built.plumbing.has(d) ? through(d) : [d]));
  const edges: [string, string, boolean][] = [];
  for (const n of nodes) for (const d of through(n)) if (id.has(d)) edges.push([id.get(n)!, id.get(d)!, false]);
  for (const [from, to] of built.errorRoutes)
    if (id.has(from) && id.has(to)) edges.push([id.get(from)!, id.get(to)!, true]);
  const title = built.pipeline.spec.name ?? 'pipeline';
  if (format === 'mermaid') {
    return `${[
      'flowchart TD',
      ...nodes.map((n) => `  ${id.get(n)}["${label(n).replaceAll('"', '#quot;')}"]`),
      ...edges.map(([a, b, error]) => (error ? `  ${a} -. error .-> ${b}` : `  ${a} --> ${b}`)),
    ].join('\n')}\n`;
  }
  return `${[
    `digraph ${JSON.stringify(title)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    ...nodes.map((n) => `  ${id.get(n)} [label=${JSON.stringify(label(n))}];`),
    ...edges.map(([a, b, error]) => `  ${a} -> ${b}${error ? ' [style=dashed, label="error"]' : ''};`),
    '}',
  ].join('\n')}\n`;
}
