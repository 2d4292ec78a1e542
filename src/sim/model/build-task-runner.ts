// The task runner of a model with tasks, wired to the model's parts: its compiled task plans, the statistics its
// entities and spawned flows count into, and the model's entity counts.
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Sampler } from '../sampler.ts';
import type { MeasuredModel } from '../stats/measure-model.ts';
import type { ModelStatistics } from '../stats/model-statistics.ts';
import type { BuiltModel } from './build.ts';
import { interruptTargets, runningTargets } from './check-tasks.ts';
import type { ExpressionWorld } from './expression.ts';
import type { ModelParts } from './model-parts.ts';
import type { ModelSpec } from './spec.ts';
import { planTasks } from './task-plan.ts';
import { TaskRunner } from './task-runner.ts';

/** What a model's task runner is wired to. @internal */
export interface TaskRunnerWiring {
  env: RealtimeEnvironment;
  spec: ModelSpec<number>;
  sampler: Sampler;
  world: ExpressionWorld;
  parts: ModelParts;
  statistics: ModelStatistics;
  measured: MeasuredModel;
  built: BuiltModel;
  /** Counts a status and publishes the event (when there is egress). */
  publish: (key: string, value: Record<string, unknown>) => void;
  /** An entity leaves the model. */
  left: () => void;
}

/**
 * The runner of a model's tasks, its plans compiled; null for a model without tasks.
 *
 * @example
 * const runner = buildTaskRunner({ env, spec, sampler, world, parts, statistics, measured, built, publish, left });
 * runner?.act([{ fire: { signal: 'shift_over' } }], null, null);
 *
 * @internal
 */
export function buildTaskRunner(w: TaskRunnerWiring): TaskRunner | null {
  const { env, spec, statistics, built, parts } = w;
  if (spec.tasks === undefined) return null;
  const counts = built.counts;
  return new TaskRunner(
    {
      env,
      simId: spec.simId,
      sampler: w.sampler,
      world: w.world,
      signals: parts.signals,
      publish: w.publish,
      flowStats: (name) => statistics.flow(name),
      entered: () => {
        built.inSystem++;
      },
      left: w.left,
      ...(spec.entities === undefined ? {} : { entities: spec.entities }),
      count: (status) => {
        counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
      },
      plans: planTasks({
        env,
        spec,
        statistics,
        resources: parts.handles,
        resourceStats: w.measured.resources,
        containers: parts.containers,
        stores: parts.stores,
        holders: w.measured.holders,
      }),
    },
    interruptTargets(spec),
    runningTargets(spec),
  );
}
