// Delivery from a node to its downstreams, compiled once per node and rebuilt when the graph around it changes.
//
// Why: a push graph that calls `downstream.update(x)` through one shared method sees every operator class at the
// same call site; V8 then gives up inlining and every hop costs a megamorphic lookup (~27 ns/element for
// map → filter → scan). Here each chain of stateless or simple stages (map, filter, scan, sink, ...) is
// generated as one function with its own call sites, so V8 inlines the user's functions into it, and a source
// loop inlines the whole chain: map → filter → accumulate runs at the speed of a hand-written loop (bench/core).
// Nodes stay real nodes: the graph, its drawing, its names and its error branches are unchanged; only the path an
// element takes through them is fused.
import { countError, meteredEntry, meteredExit, type NodeMetrics, TIMING_SAMPLE } from './node-metrics.ts';
import type { Metadata } from './refcount.ts';
import { releaseRefs, retainRefs } from './refcount.ts';
import type { Pushed, PushFn, Stream } from './stream.ts';

/** What a fusable node gets to write its stage: `bind` makes a value reachable from the generated code. */
export interface FuseContext {
  /** Returns an identifier bound to `value` in the generated function. */
  bind(value: unknown): string;
  /** The identifier of `hold(promise, md)`: keeps `md` retained until `promise` settles and returns a `Pushed`. */
  readonly hold: string;
}

/**
 * A node whose work on an element can be written inline. Its stage code reads and may reassign `x` (the element)
 * and may read `md` (its metadata); it ends the element's path with `return;` (dropped) or `return <Pushed>;`
 * (a terminal stage). When it falls through, `x` goes on to the node's downstreams.
 */
export interface Fusable {
  fuse(ctx: FuseContext): string;
}

function isFusable(node: Stream<any>): node is Stream<any> & Fusable {
  return typeof (node as any).fuse === 'function' && node.errorHandler === null;
}

const noPush: PushFn = () => undefined;

let codegen: boolean | undefined;
// One factory per distinct chain source. Chains of the same shape share a compiled function (and V8's type
// feedback for it): a source loop that feeds pipeline after pipeline of one shape then keeps a monomorphic call
// site and V8 inlines the whole chain into it. A fresh function per pipeline would make that call site
// megamorphic after a few pipelines and cost ~4x on a map -> filter -> scan chain.
const factories = new Map<string, (...bound: unknown[]) => PushFn>();

function canGenerate(): boolean {
  if (codegen === undefined) {
    try {
      codegen = new Function('return 1')() === 1;
    } catch {
      codegen = false; // a page whose Content-Security-Policy forbids eval: closures only
    }
  }
  return codegen;
}

/**
 * Turns generated delivery code off (or back on). Off, every hop goes through `update`: slower, same results.
 * Useful where a Content-Security-Policy forbids `new Function` and for checking that both paths agree.
 *
 * @example
 * setCodegen(false);
 */
export function setCodegen(enabled: boolean): void {
  codegen = enabled ? undefined : false;
}

/** Holds the element's metadata until an async sink's promise settles. */
function holdUntilSettled(p: PromiseLike<unknown>, md: Metadata | undefined): Promise<void> {
  if (md === undefined) return Promise.resolve(p).then(noop);
  retainRefs(md);
  return Promise.resolve(p).then(
    () => releaseRefs(md),
    (e) => {
      releaseRefs(md);
      throw e;
    },
  );
}

function noop(): void {}

/** Delivers to a node that has an error branch: its own failures go there, others pass on. */
function deliverGuarded(d: Stream<any>, x: unknown, who: Stream<any>, md: Metadata | undefined): Pushed {
  let r: Pushed;
  try {
    r = d.update(x, who, md);
  } catch (e) {
    return d.fail(e, x, md);
  }
  if (r !== undefined) return r.then(undefined, (e) => d.fail(e, x, md));
  return r;
}

/** Wraps the emit of a node with an error branch, marking errors raised downstream as not its own. */
function markDownstreamErrors(node: Stream<any>, inner: PushFn): PushFn {
  const mark = (e: unknown) => {
    node.markPassedThrough(e);
    throw e;
  };
  return (x, md) => {
    let r: Pushed;
    try {
      r = inner(x, md);
    } catch (e) {
      return mark(e);
    }
    if (r !== undefined) return r.then(undefined, mark);
    return r;
  };
}

function fanOut(entries: PushFn[]): PushFn {
  return (x, md) => {
    let pending: Promise<void>[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i]!(x, md);
      if (r !== undefined) (pending ??= []).push(r);
    }
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : Promise.all(pending).then(noop);
  };
}

/** The path of an element from `who` into `d` and on, through every stage that can be fused after it. */
function compileEntry(d: Stream<any>, who: Stream<any>): PushFn {
  const metered = d.metrics !== null;
  if (metered && (!isFusable(d) || !canGenerate())) {
    const guarded: PushFn | null = d.errorHandler === null ? null : (x, md) => deliverGuarded(d, x, who, md);
    return meteredEntry(d, who, d.metrics!, guarded);
  }
  if (!isFusable(d) || !canGenerate()) {
    if (d.errorHandler !== null) return (x, md) => deliverGuarded(d, x, who, md);
    return (x, md) => d.update(x, who, md);
  }
  const bound: unknown[] = [];
  const bind = (value: unknown): string => {
    bound.push(value);
    return `c${bound.length - 1}`;
  };
  const ctx: FuseContext = { bind, hold: bind(holdUntilSettled) };
  let body = '';
  const seen = new Set<Stream<any>>();
  // Metered, each stage counts what enters it and what it hands on, inline; `stage[0]` says which stage is at work
  // when one throws (see meteredChain).
  const stages: NodeMetrics[] = [];
  const stage = metered ? ctx.bind([0]) : '';
  let counter = '';
  let last: Stream<any> & Fusable = d;
  for (;;) {
    seen.add(last);
    if (metered) {
      counter = ctx.bind(last.metrics);
      body += `${stage}[0] = ${stages.length}; ${counter}.in++;\n`;
      stages.push(last.metrics!);
    }
    body += `${last.fuse(ctx)}\n`;
    const next = last.downstreams.length === 1 ? last.downstreams[0]! : undefined;
    if (next === undefined || !isFusable(next) || seen.has(next) || (next.metrics !== null) !== metered) break;
    if (metered) body += `${counter}.out++;\n`;
    last = next;
  }
  const ds = last.downstreams;
  if (ds.length === 0) body += 'return;';
  else if (ds.length === 1 && ds[0]!.errorHandler === null && ds[0]!.metrics === null) {
    if (metered) body += `${counter}.out++;\n`;
    body += `return ${ctx.bind(ds[0])}.update(x, ${ctx.bind(last)}, md);`;
  } else body += `return ${ctx.bind(compilePush(last))}(x, md);`; // metered, its exit counts what leaves
  // The bound values arrive as the factory's parameters, not as consts destructured inside it: a closure reading
  // a const of its parent checks it for the temporal dead zone on every access, which doubled the cost of a chain.
  const source = metered
    ? meteredChain(body, stage, ctx.bind(d.metrics), ctx.bind(stages), ctx.bind(countError), ctx.bind(performance))
    : `"use strict";\nreturn function push(x, md) {\n${body}\n};`;
  const names = bound.map((_, i) => `c${i}`);
  const cacheKey = `${names.length}\n${source}`;
  let factory = factories.get(cacheKey);
  if (factory === undefined) {
    factory = new Function(...names, source) as (...bound: unknown[]) => PushFn;
    factories.set(cacheKey, factory);
  }
  return factory(...bound);
}

/**
 * The source of a metered fused chain: the stages run inside `inner`; around it, the first node's processing time
 * is sampled (one element in TIMING_SAMPLE; it covers the whole chain and what it starts downstream) and an error
 * is counted against the stage that was at work.
 */
function meteredChain(body: string, stage: string, first: string, stages: string, count: string, perf: string): string {
  return `"use strict";
const inner = function (x, md) {\n${body}\n};
return function push(x, md) {
  const t = ((${first}.in + 1) & ${TIMING_SAMPLE - 1}) === 0 ? ${perf}.now() : -1;
  let r;
  try { r = inner(x, md); } catch (e) { ${count}(${stages}[${stage}[0]], e); throw e; }
  if (t >= 0) { ${first}.processingSeconds += (${perf}.now() - t) / 1000; ${first}.processingSamples++; }
  if (r !== undefined) {
    const s = ${stage}[0];
    return r.then(undefined, (e) => { ${count}(${stages}[s], e); throw e; });
  }
  return r;
};`;
}

/** @internal Builds (and caches on the node) the delivery of `node` to its downstreams. */
export function compilePush(node: Stream<any>): PushFn {
  const ds = node.downstreams;
  let push: PushFn;
  if (ds.length === 0) push = noPush;
  else if (ds.length === 1) push = compileEntry(ds[0]!, node);
  else push = fanOut(ds.map((d) => compileEntry(d, node)));
  if (node.errorHandler !== null && push !== noPush) push = markDownstreamErrors(node, push);
  if (node.metrics !== null && push !== noPush) push = meteredExit(node.metrics, push);
  node._push = push;
  return push;
}

/** @internal Forgets the compiled delivery of `node` and of every node upstream of it, whose chains may pass through it. */
export function invalidate(node: Stream<any>): void {
  const stack = [node];
  const seen = new Set<Stream<any>>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    n._push = null;
    for (const up of n.upstreams) stack.push(up);
  }
}
