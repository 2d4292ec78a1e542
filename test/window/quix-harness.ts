// Runs quix-windows.jsonl vectors against our windows: builds the window the vector describes, feeds its
// messages one by one, and records what `current()` (Quix's "updated") and `final()` ("expired") emitted.
import {
  type Aggregator,
  collect,
  count,
  earliest,
  first,
  last,
  latest,
  max,
  mean,
  min,
  reduce,
  Stream,
  sum,
} from '../../src/index.ts';
import { MemoryStateStore } from '../../src/state/index.ts';
import type { WindowDefinition, WindowNode } from '../../src/window/index.ts';

export interface Msg {
  key: unknown;
  timestamp_ms: number;
  value: unknown;
  window?: any;
}

const OPS: Record<string, (column?: string) => Aggregator> = {
  sum,
  count,
  mean,
  min,
  max,
  first,
  last,
  earliest,
  latest,
  collect: (c) => collect(c),
};

/** The aggregator a vector names. */
export function aggregatorOf(spec: any): Aggregator {
  if (spec.op === 'reduce') {
    if (String(spec.reducer).includes('list append')) {
      return reduce(
        (acc: unknown[], v: unknown) => [...acc, v],
        (v: unknown) => [v],
      );
    }
    return reduce(
      (acc: string, v: string) => acc + v,
      (v: string) => v,
    );
  }
  const make = OPS[spec.op];
  if (make === undefined) throw new Error(`no aggregator for op ${spec.op}`);
  return make(spec.column ?? undefined);
}

// The early-close predicates the vectors use, written as JavaScript.
const PREDICATES: Record<string, (agg: any, value: any) => boolean> = {
  'aggregated >= 9': (a) => a >= 9,
  'aggregated >= 100': (a) => a >= 100,
  'aggregated + value > 10': (a, v) => a + v > 10,
  'aggregated + value > 50': (a, v) => a + v > 50,
  'len(collected_including_new) >= 3': (a) => a.length >= 3,
  'len(collected_before_new) + 1 >= 3': (a) => a.length + 1 >= 3,
  // Quix hands the predicate its internal state dict; ours gets the results by output name.
  "aggregated_state['count/Count'] + 1 >= 3": (a) => a.count + 1 >= 3,
  'any callback': () => false,
};

export function predicate(expr: string | undefined): ((a: any, v: any) => boolean) | undefined {
  if (expr === undefined) return undefined;
  const p = PREDICATES[expr];
  if (p === undefined) throw new Error(`no predicate for ${expr}`);
  return p;
}

/** The window definition a vector's `window` describes, on `source`. */
export function defineWindow(
  source: Stream<Msg>,
  w: any,
  strategy: string,
  extra: Record<string, unknown>,
): WindowDefinition<Msg> {
  const options: any = {
    key: 'key',
    timestamp: 'timestamp_ms',
    value: 'value',
    grace: w.grace_ms ?? 0,
    closingStrategy: strategy,
    ...extra,
  };
  const before = predicate(w.before_update);
  const after = predicate(w.after_update);
  if (before) options.beforeUpdate = before;
  if (after) options.afterUpdate = after;
  const type: string = w.type;
  if (type === 'tumbling_time') return source.tumblingWindow(w.duration_ms, options);
  if (type === 'hopping_time') return source.hoppingWindow(w.duration_ms, w.step_ms, options);
  if (type === 'sliding_time') return source.slidingTimeWindow(w.duration_ms, options);
  delete options.grace;
  delete options.closingStrategy;
  if (type === 'tumbling_count') return source.tumblingCountWindow(w.count, options);
  if (type === 'hopping_count') return source.hoppingCountWindow(w.count, w.step, options);
  if (type.startsWith('hopping_count(step=1)')) return source.slidingCountWindow(w.count, options);
  throw new Error(`unknown window type ${type}`);
}

/** Builds `final()` or `current()` for a vector's aggregation. */
export function build(def: WindowDefinition<Msg>, aggregation: any, mode: 'final' | 'current'): WindowNode<Msg> {
  let wa: any;
  if (aggregation.mode === 'multi') {
    const aggs: Record<string, Aggregator> = {};
    for (const [name, spec] of Object.entries<any>(aggregation.columns)) aggs[name] = aggregatorOf(spec);
    wa = def.agg(aggs);
  } else {
    wa = def.aggregate(aggregatorOf(aggregation));
  }
  return mode === 'final' ? wa.final() : wa.current();
}

export interface StepResult {
  updated: unknown[];
  expired: unknown[];
  late: { start: number; end: number; late_by_ms: number }[];
}

/**
 * Feeds the messages of a `quix.window.process` vector through a current() and a final() window with the same
 * definition, each with its own state, and returns what each message produced. A message carrying a `window`
 * redefines both windows on the same state store, as the Quix tests do.
 */
export function runProcess(vector: any, strategy: string): StepResult[] {
  const store = new MemoryStateStore();
  const source = new Stream<Msg>();
  let late: StepResult['late'] = [];
  const onLate = (i: any) => late.push({ start: i.start, end: i.end, late_by_ms: i.lateBy });
  let updated: unknown[] = [];
  let expired: unknown[] = [];
  let current: WindowNode<Msg> | null = null;
  let final: WindowNode<Msg> | null = null;
  const define = (w: any) => {
    if (current !== null && final !== null) {
      store.transaction((tx) => {
        current!.persist(tx);
        final!.persist(tx);
      });
      current.destroy();
      final.destroy();
    }
    // A redefinition may switch the closing strategy; the first definition runs once per listed strategy.
    const s = typeof w.closing_strategy === 'string' ? w.closing_strategy : strategy;
    current = build(defineWindow(source, w, s, { store, namespace: 'current' }), w.aggregation, 'current');
    final = build(defineWindow(source, w, s, { store, namespace: 'final', onLate }), w.aggregation, 'final');
    current.sink((x: unknown) => void updated.push(x));
    final.sink((x: unknown) => void expired.push(x));
  };
  define(vector.inputs.window);
  const out: StepResult[] = [];
  for (const m of vector.inputs.messages as Msg[]) {
    if (m.window !== undefined) define(m.window);
    source.emit(m);
    out.push({ updated, expired, late });
    updated = [];
    expired = [];
    late = [];
  }
  return out;
}
