import { Stream } from './stream.ts';

/** Every node reachable from `roots`, upstream and downstream, in a stable order (by creation). */
export function graphNodes(roots: readonly Stream<any>[]): Stream<any>[] {
  const seen = new Set<Stream<any>>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.upstreams, ...n.downstreams);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

function nodeLabel(n: Stream<any>): string {
  return n.name !== undefined ? `${n.name} (${n.kind})` : n.kind;
}

/**
 * The graph around `node` in Graphviz's DOT language.
 * @example writeFileSync('graph.dot', source.toDot());
 */
export function toDot(node: Stream<any>): string {
  const nodes = graphNodes([node]);
  const lines = ['digraph twinstream {', '  rankdir=TB;', '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  for (const n of nodes) lines.push(`  n${n.id} [label=${JSON.stringify(nodeLabel(n))}];`);
  for (const n of nodes) for (const d of n.downstreams) lines.push(`  n${n.id} -> n${d.id};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * The graph around `node` as a Mermaid flowchart (renders on GitHub and in many docs tools).
 * @example console.log(source.toMermaid());
 */
export function toMermaid(node: Stream<any>): string {
  const nodes = graphNodes([node]);
  const lines = ['flowchart TD'];
  for (const n of nodes) lines.push(`  n${n.id}["${nodeLabel(n).replaceAll('"', '#quot;')}"]`);
  for (const n of nodes) for (const d of n.downstreams) lines.push(`  n${n.id} --> n${d.id}`);
  return `${lines.join('\n')}\n`;
}

declare module './stream.ts' {
  interface Stream<T> {
    /** See {@link toDot}. */
    toDot(): string;
    /** See {@link toMermaid}. */
    toMermaid(): string;
  }
}

Stream.register('toDot', function (this: Stream<any>) {
  return toDot(this);
});
Stream.register('toMermaid', function (this: Stream<any>) {
  return toMermaid(this);
});
