// The entities of flows of steps: an arrival process per flow, and a process per entity that walks its flow's
// steps (queue for the resource, take what it consumes, serve, put what it produces, go to the store). This is the
// hot path of a model of steps: both generators close over the resolved plans, with nothing looked up per step.
import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Sampler } from '../sampler.ts';
import type { FlowStats, ModelStatistics } from '../stats/model-statistics.ts';
import type { BuiltModel, ModelCounts } from './build.ts';
import type { ModelFlow } from './spec.ts';
import type { StepPlan } from './step-plan.ts';

/** What the arrivals of a model's flows share. @internal */
export interface FlowParts {
  env: RealtimeEnvironment;
  simId: string;
  /** Entity keys are `<entity>-<n>`, n counted from this (the model's `entities.numberFrom`). */
  from: number;
  sampler: Sampler;
  statistics: ModelStatistics;
  counts: ModelCounts;
  /** The model: arrivals stop once it is `closed`, and count the entities `inSystem`. */
  built: BuiltModel;
  /** An entity leaves the model. */
  left: () => void;
}

/** What the flows of steps need: the shared parts, their plans and whether a stop condition watches them. @internal */
export interface StepFlowParts extends FlowParts {
  plans: Map<ModelFlow, StepPlan[]>;
  /** Constant for a model: without a stop condition a step never calls the watcher. */
  watchSteps: boolean;
}

/** The flows of steps of a model, and the watch a stop condition keeps on their changes. @internal */
export interface StepFlow {
  /** The arrival process of a flow of steps. */
  arrivals(flow: ModelFlow): ProcessGenerator<void>;
  /** Calls `fn` after each change a step makes (a stop condition may read it) until the returned function is called. */
  watch(fn: () => void): () => void;
  /** Calls the watcher, for changes made outside the steps (a breakdown). */
  changed(): void;
}

/**
 * Builds the processes of a model's flows of steps. Each entity publishes `{ path_id: '<simId>.service.<name>',
 * status }` lifecycle events keyed `<entity>-<n>`: `queued` before it requests the step's resource, `started` once
 * it holds it (and took what it consumes), `finished` after its service (and what it produces).
 *
 * @example
 * const flows = stepFlow({ ...flowParts, plans: planSteps(env, spec, parts, statistics, measured), watchSteps: false });
 * env.process(flows.arrivals(spec.flows[0]!), 'milling-arrivals');
 *
 * @internal
 */
export function stepFlow(parts: StepFlowParts): StepFlow {
  // Constants of this closure, as they were of the model's: the generators read them from their context.
  const { env, simId: id, from, sampler, statistics, counts, built, left, plans, watchSteps } = parts;
  let stepChanged: () => void = () => {};

  const publish = (key: string, pathId: string, status: string, task: string, instance: number) => {
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    // Without egress the record would be built and dropped: replications run with none.
    if (env.egress !== null) env.publishEvent(key, { path_id: pathId, status }, task, instance);
  };

  function* entity(flow: ModelFlow, key: string, flowStats: FlowStats): ProcessGenerator<void> {
    for (const step of plans.get(flow)!) {
      const { pathId, task, res, resStats, name } = step;
      const instance = step.instances.next++;
      const queuedAt = env.now;
      task.inProgress++;
      publish(key, pathId, 'queued', name, instance);
      const req = res?.request();
      resStats?.changed();
      if (watchSteps) stepChanged();
      if (req !== undefined) {
        yield req;
        resStats!.changed();
        if (watchSteps) stepChanged();
      }
      try {
        for (const [container, amount, holder] of step.consume) {
          yield container.get(amount);
          holder.changed();
          if (watchSteps) stepChanged();
        }
        publish(key, pathId, 'started', name, instance);
        const startedAt = env.now;
        yield env.timeout(sampler.sample(step.config, pathId));
        for (const [container, amount, holder] of step.produce) {
          yield container.put(amount);
          holder.changed();
          if (watchSteps) stepChanged();
        }
        publish(key, pathId, 'finished', name, instance);
        task.done(startedAt - queuedAt, env.now - startedAt);
      } finally {
        if (req !== undefined) {
          res!.release(req);
          resStats!.changed();
          if (watchSteps) stepChanged();
        }
      }
      if (step.store !== undefined) {
        yield step.store[0].put(key);
        step.store[1].changed();
        if (watchSteps) stepChanged();
      }
    }
    counts.completed[flow.name] = (counts.completed[flow.name] ?? 0) + 1;
    flowStats.finished++;
    left();
  }

  function* arrivals(flow: ModelFlow): ProcessGenerator<void> {
    const path = `${id}.arrival.${flow.arrival}`;
    const config = env.registry.getConfig(path);
    const prefix = flow.entity ?? 'task';
    const limit = flow.limit ?? Number.POSITIVE_INFINITY;
    const flowStats = statistics.flow(flow.name);
    for (let n = 0; n < limit; n++) {
      yield env.timeout(sampler.sample(config, path));
      if (built.closed) return;
      counts.arrived[flow.name] = n + 1;
      flowStats.started++;
      built.inSystem++;
      env.process(entity(flow, `${prefix}-${n + from}`, flowStats), `${flow.name}-${n}`);
    }
  }

  return {
    arrivals,
    watch: (fn) => {
      stepChanged = fn;
      return () => {
        stepChanged = () => {};
      };
    },
    changed: () => stepChanged(),
  };
}
