import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import { Container } from '../resources/container.ts';
import { dynamicResource } from '../resources/dynamic.ts';
import type { Resource } from '../resources/resource.ts';
import { FilterStore, type Store } from '../resources/store.ts';
import { Sampler } from '../sampler.ts';
import { measureModel } from '../stats/measure-model.ts';
import { type FlowStats, ModelStatistics, type StatsLevel } from '../stats/model-statistics.ts';
import { publishStatistics } from '../stats/publish-statistics.ts';
import { breakdowns } from './breakdown.ts';
import { expressionOf, interruptTargets, runningTargets } from './check-tasks.ts';
import type { Entity } from './entity.ts';
import { type Expression, type ExpressionScope, parseExpression } from './expression.ts';
import { type ModelResourceHandle, modelResource } from './model-resource.ts';
import { armStop, type ModelStopReason } from './model-stop.ts';
import { modelWorld } from './model-world.ts';
import { RankedStore } from './ranked-store.ts';
import { SignalState } from './signal-state.ts';
import type { ModelAction, ModelFlow, ModelSpec, ModelStep } from './spec.ts';
import { planTasks } from './task-plan.ts';
import { TaskRunner } from './task-runner.ts';

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
  // Entity keys are `<entity>-<n>`, n counted from `entities.numberFrom` (desflow counts from 1).
  const from = spec.entities?.numberFrom ?? 0;
  const capacities = (s: Record<string, { currentCap: number; maxCap: number }> | undefined) =>
    s === undefined
      ? undefined
      : Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { currentCap: v.currentCap, maxCap: v.maxCap }]));
  // Replayed rows stay out of the registry (its reads copy a config): the flow takes them from here.
  const replayRows = new Map<string, Record<string, unknown>[]>();
  const arrival = { ...spec.arrival };
  for (const [name, c] of Object.entries(arrival)) {
    const rows = (c as { rows?: Record<string, unknown>[] }).rows;
    if (rows === undefined) continue;
    replayRows.set(name, rows);
    const { rows: _, ...rest } = c as { rows?: unknown };
    arrival[name] = rest as typeof c;
  }
  env.registry.register({
    simId: id,
    arrival,
    service: spec.service,
    ...(spec.resources === undefined ? {} : { resources: capacities(spec.resources)! }),
    ...(spec.containers === undefined ? {} : { containers: capacities(spec.containers)! }),
    ...(spec.stores === undefined ? {} : { stores: capacities(spec.stores)! }),
    ...(spec.variables === undefined ? {} : { variables: spec.variables }),
  });
  const resources = new Map<string, Resource>();
  const handles = new Map<string, ModelResourceHandle>();
  for (const [name, r] of Object.entries(spec.resources ?? {})) {
    // A plain resource stays the one hand-written models use; options need the model's own.
    const plain = r.queue === undefined && r.preempt === undefined && r.queueLimit === undefined && !r.breakdown;
    const handle = plain
      ? {
          resource: dynamicResource(env.registry, id, name),
          prioritised: false,
          queueLimit: Number.POSITIVE_INFINITY,
          down: false,
          wanted: r.currentCap,
        }
      : modelResource(env.registry, id, name, r);
    handles.set(name, handle);
    resources.set(name, handle.resource);
  }
  const containers = new Map<string, Container>();
  for (const [name, c] of Object.entries(spec.containers ?? {})) {
    const container = new Container(env, {
      capacity: Math.max(c.currentCap, Number.MIN_VALUE),
      maxCapacity: c.maxCap,
      init: Math.min(c.init ?? 0, c.currentCap),
      name: `${id}.${name}`,
    });
    env.registry.onChange(`${id}.containers.${name}.currentCap`, (v) => {
      container.capacity = v as number;
    });
    containers.set(name, container);
  }
  const stores = new Map<string, FilterStore<unknown>>();
  for (const [name, s] of Object.entries(spec.stores ?? {})) {
    const options = {
      capacity: Math.max(s.currentCap, Number.MIN_VALUE),
      maxCapacity: s.maxCap,
      name: `${id}.${name}`,
    };
    const store = s.priority === true ? new RankedStore<unknown>(env, options) : new FilterStore<unknown>(env, options);
    // The items a store holds when the run starts, in the order gets receive them (up to its capacity); a priority
    // store's are [rank, item] pairs.
    for (const item of (s.items ?? []).slice(0, Number.isFinite(s.currentCap) ? s.currentCap : undefined)) {
      if (store instanceof RankedStore) store.seed((item as unknown[])[1], (item as unknown[])[0]);
      else store.items.push(item);
    }
    env.registry.onChange(`${id}.stores.${name}.currentCap`, (v) => {
      store.capacity = v as number;
    });
    stores.set(name, store);
  }
  const signals = new Map<string, SignalState>();
  for (const [name, s] of Object.entries(spec.signals ?? {}))
    signals.set(name, new SignalState(env, name, s.once ?? false));
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
  // The steps of flows call it after each change a stop condition may read (tasks have their runner's watchers);
  // a constant flag keeps the check off the steps of models without a stop condition.
  const watchSteps = spec.run.stop !== undefined && 'condition' in spec.run.stop;
  let stepChanged: () => void = () => {};
  const measured = measureModel(statistics, env.registry, id, built);

  const publish = (key: string, pathId: string, status: string, task: string, instance: number) => {
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    // Without egress the record would be built and dropped: replications run with none.
    if (env.egress !== null) env.publishEvent(key, { path_id: pathId, status }, task, instance);
  };
  // Instances are numbered per task, as desflow numbers them.
  const instances = new Map<string, { next: number }>();

  // Each step's names, parts and statistics, looked up once per model rather than once per entity and step.
  // The service config is the registry's live object, read at every draw (as the arrivals' is).
  const plan = (step: ModelStep) => {
    const pathId = `${id}.service.${step.service}`;
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
  const plans = new Map(spec.flows.map((f) => [f, (f.steps ?? []).map(plan)]));

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

  const left = () => {
    built.inSystem--;
    built.onLeave?.();
  };

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

  const world = modelWorld({ env, resources: handles, containers, stores, signals });
  const publishValue = (key: string, value: Record<string, unknown>) => {
    const status = String(value.status);
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    if (env.egress !== null) env.publishEvent(key, value);
  };
  const runner =
    spec.tasks === undefined
      ? null
      : new TaskRunner(
          {
            env,
            simId: id,
            sampler,
            world,
            signals,
            publish: publishValue,
            flowStats: (name) => statistics.flow(name),
            entered: () => {
              built.inSystem++;
            },
            left,
            ...(spec.entities === undefined ? {} : { entities: spec.entities }),
            count: (status) => {
              counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
            },
            plans: planTasks({
              env,
              spec,
              statistics,
              resources: handles,
              resourceStats: measured.resources,
              containers,
              stores,
              holders: measured.holders,
            }),
          },
          interruptTargets(spec),
          runningTargets(spec),
        );
  for (const [name, s] of Object.entries(spec.signals ?? {})) {
    if (s.on !== undefined && runner !== null) signals.get(name)!.onFire(() => runner.act(s.on, null, null));
  }
  if (runner !== null) built.act = (actions) => runner.act(actions, null, null);

  // Entities of a flow that starts at a task: attributes set at arrival (literals, or expressions reading the
  // attributes set before them, the model's state and `t`), then the runner takes them from task to task.
  function* entering(flow: ModelFlow): ProcessGenerator<void> {
    const path = `${id}.arrival.${flow.arrival}`;
    const config = env.registry.getConfig(path);
    const prefix = flow.entity ?? 'task';
    const limit = flow.limit ?? Number.POSITIVE_INFINITY;
    const flowStats = statistics.flow(flow.name);
    const attributes = Object.entries(flow.attributes ?? {}).map(([k, v]) => {
      const text = expressionOf(v);
      return [k, text === null ? v : parseExpression(text)] as const;
    });
    const rows = replayRows.get(flow.arrival);
    for (let n = 0; n < limit; n++) {
      yield env.timeout(sampler.sample(config, path));
      // A drain stops the arrivals, as desflow's.
      if (built.closed) return;
      counts.arrived[flow.name] = n + 1;
      flowStats.started++;
      const attr: Record<string, unknown> = {};
      const scope: ExpressionScope = { attr, payload: {}, item: undefined, world };
      for (const [k, v] of attributes) {
        attr[k] = v !== null && typeof v === 'object' && 'evaluate' in v ? (v as Expression).evaluate(scope) : v;
      }
      // A replayed row's fields replace the attributes of the same name (as desflow's do).
      if (rows !== undefined && n < rows.length) Object.assign(attr, rows[n]);
      const entity: Entity = {
        key: `${prefix}-${n + from}`,
        attr,
        kept: new Map(),
        ended: null,
        instances: null,
        spawnedBy: null,
        ending: false,
      };
      built.inSystem++;
      const proc = runner!.start(entity, flow.start!, {}, flowStats, `${flow.name}-${n}`);
      proc.addCallback((e) => {
        entity.ending = true;
        if (e.ok && e.value === true) counts.completed[flow.name] = (counts.completed[flow.name] ?? 0) + 1;
        left();
      });
    }
  }

  if (spec.run.stop !== undefined) {
    armStop(spec.run.stop, {
      env,
      signals,
      world,
      // Checked again after every change it may read, as desflow's: the model's state, a registry update (a
      // schedule, a scenario, a live parameter) and a breakdown's capacity change.
      watch: (fn) => {
        stepChanged = fn;
        const fromTasks = runner?.watch(fn);
        const fromRegistry = env.registry.onChange(id, fn);
        return () => {
          stepChanged = () => {};
          fromTasks?.();
          fromRegistry();
        };
      },
      stopped: (reason) => {
        built.stopped = reason;
      },
    });
  }
  for (const flow of spec.flows) {
    if (flow.start !== undefined) env.process(entering(flow), `${flow.name}-arrivals`);
    else env.process(arrivals(flow), `${flow.name}-arrivals`);
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
      publishValue,
      () => {
        stepChanged();
        runner?.changed();
      },
    );
    env.process(gen, `${name}-breakdowns`);
  }
  if (spec.telemetry !== undefined) env.process(monitor(env, id, built, spec.telemetry.interval), 'telemetry');
  if (spec.stats?.interval !== undefined && statistics.enabled) {
    env.process(publishStatistics(env, statistics, spec.stats.interval, built.published), 'statistics');
  }
  if (spec.schedule !== undefined && spec.schedule.length > 0) env.registry.schedule(spec.schedule);
  return built;
}

// Resource use, container levels and store sizes, every `interval`.
function* monitor(env: RealtimeEnvironment, id: string, m: BuiltModel, interval: number): ProcessGenerator<void> {
  for (;;) {
    for (const [name, r] of m.resources) {
      env.publishTelemetry(`${id}.${name}.capacity`, r.capacity);
      env.publishTelemetry(`${id}.${name}.in_use`, r.count);
      env.publishTelemetry(`${id}.${name}.queue_length`, r.queue.length);
      env.publishTelemetry(`${id}.${name}.utilization`, r.capacity > 0 ? (r.count / r.capacity) * 100 : 0);
    }
    for (const [name, c] of m.containers) env.publishTelemetry(`${id}.${name}.level`, c.level);
    for (const [name, s] of m.stores) env.publishTelemetry(`${id}.${name}.items`, s.items.length);
    yield env.timeout(interval);
  }
}
