import { badArgument, TwinstreamError } from '../errors.ts';
import { type Aggregator, isAggregator } from './aggregator.ts';
import {
  type Kernel,
  kernelAdd,
  kernelFromStates,
  kernelInit,
  kernelMerge,
  kernelOf,
  kernelResult,
  kernelToState,
} from './kernel.ts';
import { type OutputRecord, outputRecord } from './output-record.ts';

/**
 * The aggregations one window computes: a single one (output `{ key, start, end, value }`) or named ones
 * (output `{ key, start, end, ...names }`). Each has a state key (`<name>/<Aggregator.name>` for named ones):
 * a window redefined on the same store keeps the states whose key is unchanged and starts the others afresh.
 *
 * @example
 * const plan = AggregationPlan.named({ count: count(), mean: mean('temperature') });
 * plan.stateKeys; // ['count/Count', 'mean/Mean/temperature']
 */
export class AggregationPlan {
  /** True for a single aggregation (its result is the output's `value`). */
  readonly single: boolean;
  /** Output field names (`['value']` for a single aggregation). */
  readonly names: readonly string[];
  readonly aggs: readonly Aggregator[];
  /** The state key of each aggregation, used by persistence and by early-close predicates. */
  readonly stateKeys: readonly string[];
  /** True when every aggregation can `merge` (session windows need it to join sessions cheaply). */
  readonly mergeable: boolean;
  /** The fast path: every aggregation is a built-in numeric one of the value, and states are one Float64Array. */
  readonly kernels: readonly Kernel[] | null;
  private readonly moments: boolean;
  private readonly record: OutputRecord;
  /** Scratch for the results of one window (handed to `record`). */
  private readonly scratch: unknown[];

  private constructor(single: boolean, names: string[], aggs: Aggregator[]) {
    this.single = single;
    this.names = names;
    this.aggs = aggs;
    this.stateKeys = single ? [aggs[0]!.name] : names.map((n, i) => `${n}/${aggs[i]!.name}`);
    this.mergeable = aggs.every((a) => typeof a.merge === 'function');
    const kinds = aggs.map(kernelOf);
    this.kernels = kinds.every((k) => k !== undefined) ? (kinds as Kernel[]) : null;
    this.moments = kinds.some((k) => k === 'var' || k === 'std');
    this.record = outputRecord(names);
    this.scratch = aggs.map(() => undefined);
  }

  /** One aggregation whose result is the output's `value`. */
  static of(agg: Aggregator): AggregationPlan {
    if (!isAggregator(agg)) badArgument('window aggregation', 'aggregator', agg, 'an Aggregator { init, add, result }');
    return new AggregationPlan(true, ['value'], [agg]);
  }

  /** Several aggregations, each under its output name. */
  static named(aggs: Record<string, Aggregator>): AggregationPlan {
    if (aggs === null || typeof aggs !== 'object') {
      badArgument('agg', 'aggregations', aggs, 'an object of named aggregators, e.g. { mean: mean() }');
    }
    const names = Object.keys(aggs);
    if (names.length === 0) badArgument('agg', 'aggregations', aggs, 'at least one named aggregator');
    for (const n of names) {
      if (n === 'key' || n === 'start' || n === 'end')
        badArgument('agg', n, aggs[n], 'a name other than key, start, end');
      if (!isAggregator(aggs[n])) badArgument('agg', n, aggs[n], 'an Aggregator { init, add, result }');
    }
    return new AggregationPlan(
      false,
      names,
      names.map((n) => aggs[n]!),
    );
  }

  /** Fresh states, one per aggregation. */
  init(): unknown[] {
    if (this.kernels !== null) return [kernelInit()];
    const aggs = this.aggs;
    const out = new Array<unknown>(aggs.length);
    for (let i = 0; i < aggs.length; i++) out[i] = aggs[i]!.init();
    return out;
  }

  /** Folds `value` into every state. */
  add(states: unknown[], value: unknown, t: number): void {
    if (this.kernels !== null) {
      kernelAdd(states[0] as Float64Array, value, this.moments);
      return;
    }
    const aggs = this.aggs;
    for (let i = 0; i < aggs.length; i++) states[i] = aggs[i]!.add(states[i], value, t);
  }

  /** Takes `value` back out of every state (each aggregation must have `remove`). */
  remove(states: unknown[], value: unknown, t: number): void {
    if (this.kernels !== null) {
      throw new TwinstreamError(
        'TS_INTERNAL',
        'AggregationPlan.remove: the numeric fast path keeps no values to remove',
      );
    }
    const aggs = this.aggs;
    for (let i = 0; i < aggs.length; i++) states[i] = aggs[i]!.remove!(states[i], value, t);
  }

  /** Joins `b` into `a` (each aggregation must have `merge`). */
  merge(a: unknown[], b: unknown[]): unknown[] {
    if (this.kernels !== null) return [kernelMerge(a[0] as Float64Array, b[0] as Float64Array)];
    const aggs = this.aggs;
    const out = new Array<unknown>(aggs.length);
    for (let i = 0; i < aggs.length; i++) out[i] = aggs[i]!.merge!(a[i], b[i]);
    return out;
  }

  /** What an early-close predicate sees: the single result, or the results by output name. */
  aggregated(states: unknown[]): unknown {
    if (this.kernels !== null) return this.single ? this.resultAt(states, 0) : this.byName(states);
    if (this.single) return this.aggs[0]!.result(states[0]);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.aggs.length; i++) out[this.names[i]!] = this.aggs[i]!.result(states[i]);
    return out;
  }

  /** The emitted object for a window. */
  output(key: unknown, start: number | null, end: number | null, states: unknown[]): Record<string, unknown> {
    const v = this.scratch;
    if (this.kernels !== null) {
      const k = states[0] as Float64Array;
      for (let i = 0; i < v.length; i++) v[i] = kernelResult(k, this.kernels[i]!);
    } else {
      for (let i = 0; i < v.length; i++) v[i] = this.aggs[i]!.result(states[i]);
    }
    return this.record(key, start, end, v);
  }

  private resultAt(states: unknown[], i: number): unknown {
    if (this.kernels !== null) return kernelResult(states[0] as Float64Array, this.kernels[i]!);
    return this.aggs[i]!.result(states[i]);
  }

  private byName(states: unknown[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.names.length; i++) out[this.names[i]!] = this.resultAt(states, i);
    return out;
  }

  /** The states by state key, for a store. */
  toRecord(states: unknown[]): Record<string, unknown> {
    if (this.kernels !== null) {
      const k = states[0] as Float64Array;
      const rec: Record<string, unknown> = {};
      for (let i = 0; i < this.stateKeys.length; i++) rec[this.stateKeys[i]!] = kernelToState(k, this.kernels[i]!);
      return rec;
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.stateKeys.length; i++) out[this.stateKeys[i]!] = states[i];
    return out;
  }

  /** States back from a store: unchanged state keys continue, new ones start afresh. */
  fromRecord(record: Record<string, unknown>): unknown[] {
    if (this.kernels !== null) {
      const byKind: Partial<Record<Kernel, unknown>> = {};
      for (let i = 0; i < this.stateKeys.length; i++) {
        const k = this.stateKeys[i]!;
        if (Object.hasOwn(record, k)) byKind[this.kernels[i]!] ??= record[k];
      }
      return [kernelFromStates(byKind)];
    }
    const out = this.init();
    for (let i = 0; i < this.stateKeys.length; i++) {
      const k = this.stateKeys[i]!;
      if (Object.hasOwn(record, k)) out[i] = record[k];
    }
    return out;
  }
}
