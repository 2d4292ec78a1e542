// The steps of a model's flows, resolved once per model: an entity walking a flow reads its step's names, parts and
// statistics from here rather than looking them up at every step.
import type { DistributionConfig } from '../distributions.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Container } from '../resources/container.ts';
import type { Resource } from '../resources/resource.ts';
import type { FilterStore } from '../resources/store.ts';
import type { MeasuredModel } from '../stats/measure-model.ts';
import type { HolderStats, ModelStatistics, ResourceStats, TaskStats } from '../stats/model-statistics.ts';
import type { ModelParts } from './model-parts.ts';
import type { ModelFlow, ModelSpec, ModelStep } from './spec.ts';

/** A step of a flow, resolved. @internal */
export interface StepPlan {
  /** `<simId>.service.<service>`: the events' `path_id` and the service's registry path. */
  pathId: string;
  name: string;
  /** Instances are numbered per service (as desflow numbers them per task): the next one's number. */
  instances: { next: number };
  /** The registry's live config, read at every draw. */
  config: DistributionConfig;
  task: TaskStats;
  res: Resource | undefined;
  resStats: ResourceStats | undefined;
  consume: (readonly [Container, number, HolderStats])[];
  produce: (readonly [Container, number, HolderStats])[];
  store: readonly [FilterStore<unknown>, HolderStats] | undefined;
}

/**
 * Resolves the steps of every flow of a validated model (its parts created, measured and its parameters
 * registered). A flow that starts at a task has none.
 *
 * @example
 * const plans = planSteps(env, spec, parts, statistics, measured);
 * plans.get(spec.flows[0]!)![0]!.pathId; // 'Line_A.service.milling'
 *
 * @internal
 */
export function planSteps(
  env: RealtimeEnvironment,
  spec: ModelSpec<number>,
  parts: ModelParts,
  statistics: ModelStatistics,
  measured: MeasuredModel,
): Map<ModelFlow, StepPlan[]> {
  const { resources, containers, stores } = parts;
  const instances = new Map<string, { next: number }>();
  const plan = (step: ModelStep): StepPlan => {
    const pathId = `${spec.simId}.service.${step.service}`;
    if (!instances.has(step.service)) instances.set(step.service, { next: 0 });
    return {
      pathId,
      name: step.service,
      instances: instances.get(step.service)!,
      config: env.registry.getConfig(pathId),
      task: statistics.task(step.service),
      res: step.resource === undefined ? undefined : resources.get(step.resource)!,
      resStats: step.resource === undefined ? undefined : measured.resources.get(step.resource)!,
      consume: (step.consume ?? []).map(
        (c) => [containers.get(c.container)!, c.amount ?? 1, measured.holders.get(c.container)!] as const,
      ),
      produce: (step.produce ?? []).map(
        (c) => [containers.get(c.container)!, c.amount ?? 1, measured.holders.get(c.container)!] as const,
      ),
      store:
        step.store === undefined ? undefined : ([stores.get(step.store)!, measured.holders.get(step.store)!] as const),
    };
  };
  return new Map(spec.flows.map((f) => [f, (f.steps ?? []).map(plan)]));
}
