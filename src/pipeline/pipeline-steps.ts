import '../core/operators/filter.ts';
import '../core/operators/map.ts';
import '../window/index.ts';
import type { Stream } from '../core/stream.ts';
import type { Aggregator } from '../window/aggregator.ts';
import { aggregators, percentile } from '../window/aggregators.ts';
import type { LateInfo } from '../window/event-time-window.ts';
import type { LoadedPipeline } from './load-pipeline.ts';
import { specError } from './load-pipeline.ts';
import type { BuiltInput } from './pipeline-inputs.ts';
import type { PipelineStep } from './pipeline-schema.ts';
import { ResampleNode } from './resample-node.ts';

type Window = NonNullable<PipelineStep['window']>;
type Row = Record<string, unknown>;

/** What a step needs besides the stream it follows. */
export interface StepContext {
  readonly pipeline: LoadedPipeline;
  /** The named exports of the functions module (empty without one). */
  readonly functions: Readonly<Record<string, unknown>>;
  readonly inputs: ReadonlyMap<string, BuiltInput>;
  /** Elements a window received after it closed: the nearest dead-letter step takes them. */
  late(step: string, info: LateInfo): void;
}

/**
 * Appends the nodes of step `i` to `stream` and returns the last one; names each node after its place in the file
 * (`steps[2] window`). A filter or map naming a function the module does not export is a `TS_PIPELINE_BAD_SPEC`
 * with its line.
 * @internal
 */
export function applyStep(stream: Stream<any>, step: PipelineStep, i: number, ctx: StepContext): Stream<any> {
  const at = `steps[${i}]`;
  let node: Stream<any>;
  if (step.filter !== undefined) node = stream.filter(fn(ctx, i, 'filter', step.filter) as (x: unknown) => boolean);
  else if (step.map !== undefined) node = stream.map(fn(ctx, i, 'map', step.map) as (x: unknown) => unknown);
  else if (step.select !== undefined) node = stream.map(selectFields(step.select));
  else if (step.rename !== undefined) node = stream.map(renameFields(step.rename));
  else if (step.window !== undefined) node = window(stream, step.window, (info) => ctx.late(at, info));
  else if (step.resample !== undefined) {
    const r = step.resample;
    node = new ResampleNode(stream, {
      every: r.every,
      fields: r.fields,
      ...(r.method === undefined ? {} : { method: r.method }),
      ...(r.key === undefined ? {} : { key: r.key }),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
    });
  } else if (step.join !== undefined) {
    const j = step.join;
    const other = ctx.inputs.get(j.with)!.stream;
    const common = {
      timestamp: j.timestamp ?? 'timestamp',
      ...(j.key === undefined ? {} : { key: j.key }),
    };
    node =
      (j.kind ?? 'asof') === 'asof'
        ? stream.joinAsof(other, {
            ...common,
            ...(j.grace === undefined ? {} : { grace: j.grace }),
            ...(j.how === undefined ? {} : { how: j.how }),
          })
        : stream.joinInterval(other, { ...common, backward: j.backward!, forward: j.forward! });
  } else return stream; // deadLetter: wired by the builder, no node of its own on the main path
  const kind = Object.keys(step).find((k) => (step as Row)[k] !== undefined)!;
  node.name = `${at} ${kind}`;
  return node;
}

function fn(ctx: StepContext, i: number, kind: 'filter' | 'map', name: string): unknown {
  const f = Object.hasOwn(ctx.functions, name) ? ctx.functions[name] : undefined;
  if (typeof f === 'function') return f;
  const names = Object.keys(ctx.functions).filter((k) => typeof ctx.functions[k] === 'function');
  throw specError(
    ctx.pipeline,
    ['steps', i, kind],
    `"${name}" is not a function exported by ${ctx.pipeline.spec.functions}; expected one of: ${names.length > 0 ? names.join(', ') : '(it exports no function)'}`,
  );
}

// Fresh objects with only the named fields; a field the row lacks stays absent.
function selectFields(fields: readonly string[]): (row: Row) => Row {
  return (row) => {
    const out: Row = {};
    for (const f of fields) if (Object.hasOwn(row, f)) out[f] = row[f];
    return out;
  };
}

function renameFields(names: Readonly<Record<string, string>>): (row: Row) => Row {
  return (row) => {
    const out: Row = {};
    for (const k of Object.keys(row)) out[Object.hasOwn(names, k) ? names[k]! : k] = row[k];
    return out;
  };
}

function window(stream: Stream<any>, w: Window, onLate: (info: LateInfo) => void): Stream<any> {
  const options = {
    timestamp: w.timestamp ?? 'timestamp',
    onLate,
    ...(w.key === undefined ? {} : { key: w.key }),
    ...(w.value === undefined ? {} : { value: w.value }),
    ...(w.grace === undefined ? {} : { grace: w.grace }),
  };
  const kind = w.kind ?? 'tumbling';
  const definition =
    kind === 'tumbling'
      ? stream.tumblingWindow(w.size!, options)
      : kind === 'hopping'
        ? stream.hoppingWindow(w.size!, w.step!, options)
        : kind === 'sliding'
          ? stream.slidingTimeWindow(w.size!, options)
          : stream.sessionWindow(w.gap!, options);
  const aggs: Record<string, Aggregator> = {};
  for (const [out, a] of Object.entries(w.aggregate)) {
    const spec = typeof a === 'string' ? { fn: a } : a;
    const field = 'field' in spec ? spec.field : undefined;
    aggs[out] =
      spec.fn === 'percentile'
        ? percentile((spec as { p: number }).p, field)
        : (aggregators[spec.fn] as (column?: string) => Aggregator)(field);
  }
  const aggregation = definition.agg(aggs);
  return (w.emit ?? 'final') === 'final' ? aggregation.final() : aggregation.current();
}
