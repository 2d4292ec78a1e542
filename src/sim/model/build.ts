import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import { Container } from '../resources/container.ts';
import { dynamicResource } from '../resources/dynamic.ts';
import type { Resource } from '../resources/resource.ts';
import { Store } from '../resources/store.ts';
import { Sampler } from '../sampler.ts';
import type { ModelFlow, ModelSpec } from './spec.ts';

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
  stores: Map<string, Store<string>>;
  sampler: Sampler;
  counts: ModelCounts;
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
export function buildModel(env: RealtimeEnvironment, spec: ModelSpec<number>, seed = spec.run.seed ?? 42): BuiltModel {
  const id = spec.simId;
  const capacities = (s: Record<string, { currentCap: number; maxCap: number }> | undefined) =>
    s === undefined
      ? undefined
      : Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { currentCap: v.currentCap, maxCap: v.maxCap }]));
  env.registry.register({
    simId: id,
    arrival: spec.arrival,
    service: spec.service,
    ...(spec.resources === undefined ? {} : { resources: spec.resources }),
    ...(spec.containers === undefined ? {} : { containers: capacities(spec.containers)! }),
    ...(spec.stores === undefined ? {} : { stores: capacities(spec.stores)! }),
    ...(spec.variables === undefined ? {} : { variables: spec.variables }),
  });
  const resources = new Map<string, Resource>();
  for (const name of Object.keys(spec.resources ?? {})) resources.set(name, dynamicResource(env.registry, id, name));
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
  const stores = new Map<string, Store<string>>();
  for (const [name, s] of Object.entries(spec.stores ?? {})) {
    const store = new Store<string>(env, {
      capacity: Math.max(s.currentCap, Number.MIN_VALUE),
      maxCapacity: s.maxCap,
      name: `${id}.${name}`,
    });
    env.registry.onChange(`${id}.stores.${name}.currentCap`, (v) => {
      store.capacity = v as number;
    });
    stores.set(name, store);
  }
  const sampler = new Sampler({ seed });
  const counts: ModelCounts = { arrived: {}, completed: {}, statuses: {} };
  const built: BuiltModel = { resources, containers, stores, sampler, counts };

  const publish = (key: string, pathId: string, status: string) => {
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    env.publishEvent(key, { path_id: pathId, status });
  };

  function* entity(flow: ModelFlow, key: string): ProcessGenerator<void> {
    for (const step of flow.steps) {
      const pathId = `${id}.service.${step.service}`;
      publish(key, pathId, 'queued');
      const res = step.resource === undefined ? undefined : resources.get(step.resource)!;
      const req = res?.request();
      if (req !== undefined) yield req;
      try {
        for (const c of step.consume ?? []) yield containers.get(c.container)!.get(c.amount ?? 1);
        publish(key, pathId, 'started');
        yield env.timeout(sampler.sample(env.registry.getConfig(pathId), pathId));
        for (const c of step.produce ?? []) yield containers.get(c.container)!.put(c.amount ?? 1);
        publish(key, pathId, 'finished');
      } finally {
        if (req !== undefined) res!.release(req);
      }
      if (step.store !== undefined) yield stores.get(step.store)!.put(key);
    }
    counts.completed[flow.name] = (counts.completed[flow.name] ?? 0) + 1;
  }

  function* arrivals(flow: ModelFlow): ProcessGenerator<void> {
    const path = `${id}.arrival.${flow.arrival}`;
    const config = env.registry.getConfig(path);
    const prefix = flow.entity ?? 'task';
    const limit = flow.limit ?? Number.POSITIVE_INFINITY;
    for (let n = 0; n < limit; n++) {
      yield env.timeout(sampler.sample(config, path));
      counts.arrived[flow.name] = n + 1;
      env.process(entity(flow, `${prefix}-${n}`), `${flow.name}-${n}`);
    }
  }

  for (const flow of spec.flows) env.process(arrivals(flow), `${flow.name}-arrivals`);
  if (spec.telemetry !== undefined) env.process(monitor(env, id, built, spec.telemetry.interval), 'telemetry');
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
