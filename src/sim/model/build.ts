// buildModel: a validated model built into an environment, from its parts (model-parts.ts), the processes of its
// flows (step-flow.ts, task-flow.ts), its task runner, stop, breakdowns, telemetry and statistics.
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Container } from '../resources/container.ts';
import type { Resource } from '../resources/resource.ts';
import type { Store } from '../resources/store.ts';
import { Sampler } from '../sampler.ts';
import { measureModel } from '../stats/measure-model.ts';
import { ModelStatistics, type StatsLevel } from '../stats/model-statistics.ts';
import { publishStatistics } from '../stats/publish-statistics.ts';
import { breakdowns } from './breakdown.ts';
import { buildTaskRunner } from './build-task-runner.ts';
import { modelParts } from './model-parts.ts';
import { armStop, type ModelStopReason } from './model-stop.ts';
import { modelTelemetry } from './model-telemetry.ts';
import { modelWorld } from './model-world.ts';
import { registerModel } from './register-model.ts';
import type { SignalState } from './signal-state.ts';
import type { ModelAction, ModelSpec } from './spec.ts';
import { stepFlow } from './step-flow.ts';
import { planSteps } from './step-plan.ts';
import { taskFlow } from './task-flow.ts';

/** Counts a running model keeps: entities by flow, lifecycle events by status. */
export interface ModelCounts {
  arrived: Record<string, number>;
  completed: Record<string, number>;
  statuses: Record<string, number>;
}

/** The parts of a built model, for inspection while or after it runs. */
export interface BuiltModel {
  resources: Map<string, Resource>;
  containers: Map<string, Container>;
  stores: Map<string, Store<any>>;
  /** The model's signals, by name. */
  signals: Map<string, SignalState>;
  sampler: Sampler;
  counts: ModelCounts;
  /** The built-in statistics, at the model's `stats.level` (default `typical`). */
  statistics: ModelStatistics;
  /** The statistics last published as telemetry, so the end of the run repeats no unchanged value. */
  published: Map<string, number>;
  /** Set to stop arrivals (a drain): an arrival due after it brings no entity. */
  closed: boolean;
  /** Entities in the model: arrived (or spawned) and not yet out of it. */
  inSystem: number;
  /** Called each time an entity leaves the model (a drain waits for the last one). */
  onLeave: (() => void) | null;
  /** What ended the run before `until` (`run.stop`, or a stop from outside); null while it goes on. */
  stopped: ModelStopReason | null;
  /** Runs actions (`fire`, `spawn`, `interrupt`, `{ path, value }`) from outside any task, as a scenario does. */
  act: (actions: readonly ModelAction<number>[]) => void;
}

/**
 * Builds a validated model into `env`: registers its parameters, creates its resources (capacities following the
 * registry), containers and stores, starts one arrival process per flow, the telemetry monitor and the parameter
 * schedule. Each entity publishes `{ path_id: '<simId>.service.<name>', status }` lifecycle events keyed
 * `<entity>-<n>`: `queued` before it requests the step's resource, `started` once it holds it (and took what it
 * consumes), `finished` after its service (and what it produces).
 *
 * @example
 * const env = new RealtimeEnvironment({ factor: 0 });
 * const built = buildModel(env, spec);
 * await env.run({ until: spec.run.until });
 */
export function buildModel(
  env: RealtimeEnvironment,
  spec: ModelSpec<number>,
  seed = spec.run.seed ?? 42,
  level: StatsLevel = spec.stats?.level ?? 'typical',
): BuiltModel {
  const id = spec.simId;
  const replayRows = registerModel(env, spec);
  const parts = modelParts(env, spec);
  const { resources, handles, containers, stores, signals } = parts;
  const sampler = new Sampler({ seed, streams: true });
  const counts: ModelCounts = { arrived: {}, completed: {}, statuses: {} };
  const statistics = new ModelStatistics(env, id, level);
  const built: BuiltModel = {
    resources,
    containers,
    stores,
    signals,
    sampler,
    counts,
    statistics,
    published: new Map(),
    closed: false,
    inSystem: 0,
    onLeave: null,
    stopped: null,
    act: () => {},
  };
  const measured = measureModel(statistics, env.registry, id, built);
  const left = () => {
    built.inSystem--;
    built.onLeave?.();
  };
  // Entity keys are `<entity>-<n>`, n counted from `entities.numberFrom` (desflow counts from 1).
  const flowParts = { env, simId: id, from: spec.entities?.numberFrom ?? 0, sampler, statistics, counts, built, left };
  // The steps of flows tell a stop condition of each change it may read (tasks have their runner's watchers); a
  // constant flag keeps the check off the steps of models without a stop condition.
  const steps = stepFlow({
    ...flowParts,
    plans: planSteps(env, spec, parts, statistics, measured),
    watchSteps: spec.run.stop !== undefined && 'condition' in spec.run.stop,
  });

  const world = modelWorld({ env, resources: handles, containers, stores, signals });
  const publish = (key: string, value: Record<string, unknown>) => {
    const status = String(value.status);
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    if (env.egress !== null) env.publishEvent(key, value);
  };
  const runner = buildTaskRunner({ env, spec, sampler, world, parts, statistics, measured, built, publish, left });
  for (const [name, s] of Object.entries(spec.signals ?? {})) {
    if (s.on !== undefined && runner !== null) signals.get(name)!.onFire(() => runner.act(s.on, null, null));
  }
  if (runner !== null) built.act = (actions) => runner.act(actions, null, null);

  if (spec.run.stop !== undefined) {
    armStop(spec.run.stop, {
      env,
      signals,
      world,
      // Checked again after every change it may read, as desflow's: the model's state, a registry update (a
      // schedule, a scenario, a live parameter) and a breakdown's capacity change.
      watch: (fn) => {
        const fromSteps = steps.watch(fn);
        const fromTasks = runner?.watch(fn);
        const fromRegistry = env.registry.onChange(id, fn);
        return () => {
          fromSteps();
          fromTasks?.();
          fromRegistry();
        };
      },
      stopped: (reason) => {
        built.stopped = reason;
      },
    });
  }
  const entering = runner === null ? null : taskFlow({ ...flowParts, runner, world, replayRows });
  for (const flow of spec.flows) {
    if (flow.start !== undefined) env.process(entering!(flow), `${flow.name}-arrivals`);
    else env.process(steps.arrivals(flow), `${flow.name}-arrivals`);
  }
  for (const [name, r] of Object.entries(spec.resources ?? {})) {
    if (r.breakdown === undefined) continue;
    const gen = breakdowns(
      env,
      id,
      name,
      handles.get(name)!,
      measured.resources.get(name)!,
      r.breakdown,
      sampler,
      publish,
      () => {
        steps.changed();
        runner?.changed();
      },
    );
    env.process(gen, `${name}-breakdowns`);
  }
  if (spec.telemetry !== undefined) env.process(modelTelemetry(env, id, built, spec.telemetry.interval), 'telemetry');
  if (spec.stats?.interval !== undefined && statistics.enabled) {
    env.process(publishStatistics(env, statistics, spec.stats.interval, built.published), 'statistics');
  }
  if (spec.schedule !== undefined && spec.schedule.length > 0) env.registry.schedule(spec.schedule);
  return built;
}
