import { Stream } from './stream.ts';

/**
 * Every node reachable from `roots`, upstream and downstream, error branches (`catch()`) included, in a stable
 * order (by creation).
 */
export function graphNodes(roots: readonly Stream<any>[]): Stream<any>[] {
  const seen = new Set<Stream<any>>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.upstreams, ...n.downstreams);
    if (n.errorBranch !== null) stack.push(n.errorBranch);
    if (n.errorsOf !== null) stack.push(n.errorsOf);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/**
 * @internal The nodes `node` hands elements to: its downstreams, and its error branch (`catch()`) when it has one.
 * @example for (const d of nodesBelow(node)) visit(d);
 */
export function nodesBelow(node: Stream<any>): readonly Stream<any>[] {
  return node.errorBranch === null ? node.downstreams : [...node.downstreams, node.errorBranch];
}

/**
 * @internal The nodes that hand elements to `node`: its upstreams, or, for an error branch, the node whose errors it
 * carries.
 * @example for (const u of nodesAbove(node)) visit(u);
 */
export function nodesAbove(node: Stream<any>): readonly Stream<any>[] {
  return node.errorsOf === null ? node.upstreams : [...node.upstreams, node.errorsOf];
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
  for (const n of nodes) if (n.errorBranch !== null) lines.push(`  n${n.id} -> n${n.errorBranch.id} [style=dashed];`);
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
  for (const n of nodes) if (n.errorBranch !== null) lines.push(`  n${n.id} -.-> n${n.errorBranch.id}`);
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
