import { desflowArrivals } from './desflow-arrivals.ts';
import { desflowDistribution } from './desflow-distribution.ts';
import { desflowEgress } from './desflow-egress.ts';
import { type Data, DesflowReader, NOT_YET, PYTHON } from './desflow-reader.ts';
import { desflowResources } from './desflow-resources.ts';
import { desflowRun, desflowStats } from './desflow-run.ts';
import { desflowScenario, desflowSignals } from './desflow-scenario.ts';
import { desflowSimulation } from './desflow-simulation.ts';
import { desflowTask } from './desflow-task.ts';
import type { ModelSpec } from './spec.ts';

/**
 * Whether a parsed model file is a desflow blueprint (it has a `simulation` section, ours a `simId`).
 *
 * @example
 * import { isDesflowBlueprint } from 'twinstream/sim';
 * isDesflowBlueprint({ simulation: { sim_id: 'Shop' } }); // true
 */
export function isDesflowBlueprint(data: unknown): data is Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) && Object.hasOwn(data, 'simulation');
}

/**
 * Translates a desflow 0.25 blueprint (its `desflow schema`) into a twinstream model: `simulation` (with its clock:
 * `logical_start_time`, `timezone`, `go_live_at`, `warmup`), `resources`, `containers`, `stores` (priority stores
 * too), `services`, `arrivals` (each with `spawn` becomes a flow; a `replay` reads its rows into arrival times and
 * attributes), `variables`, `signals`, `tasks` (every wait branch, `subscribe`, `fire.from`), `scenario` (updates,
 * records, interrupts), `stats`, `run` (`until`, `stop`, `drain`) and the Console, Parquet, Jsonl and Kafka sinks with their `when`.
 * Distributions keep desflow's meaning: a lognormal by its mean and std, a normal with no std is constant, and every
 * draw is at least 1e-5 s as desflow's sampler makes it. What needs Python (`!python` references, `processes`,
 * `telemetry` functions) or is not translated yet (`lag_interval`, `batching`) throws
 * `TS_SIM_BAD_MODEL` naming the field, with its line when `lineOf` can tell it.
 *
 * @example
 * import { fromDesflow } from 'twinstream/sim';
 * const spec = fromDesflow({
 *   simulation: { sim_id: 'Shop', factor: 0 },
 *   resources: { lathe: { current_cap: 2 } },
 *   services: { cut: { dist: 'normal', mean: 3, std: 0.5 } },
 *   arrivals: { parts: { dist: 'exponential', rate: 0.5, spawn: 'cut' } },
 *   tasks: { cut: { service: 'cut', resource: 'lathe', payload: {} } },
 *   run: { until: 3600 },
 * });
 * spec.flows; // [{ name: 'parts', arrival: 'parts', entity: 'parts', start: 'cut' }]
 */
export function fromDesflow(
  blueprint: Record<string, unknown>,
  source = 'blueprint',
  lineOf?: (path: readonly PropertyKey[]) => number | string | undefined,
): ModelSpec {
  const rd = new DesflowReader(source, lineOf);
  const sim = desflowSimulation(rd, blueprint);
  rd.refuse(blueprint, ['processes', 'telemetry', 'ingress'], [], PYTHON);
  rd.refuse(blueprint, ['batching'], [], NOT_YET);
  const { resources, containers, stores } = desflowResources(rd, blueprint);
  const service: Data = {};
  for (const [name, d] of Object.entries(rd.obj(blueprint.services, ['services']))) {
    service[name] = desflowDistribution(rd, d, ['services', name]);
  }
  const { arrival, flows } = desflowArrivals(rd, blueprint);
  const tasks: Data = {};
  for (const [name, t0] of Object.entries(rd.obj(blueprint.tasks, ['tasks']))) {
    tasks[name] = desflowTask(rd, rd.obj(t0, ['tasks', name]), ['tasks', name], stores);
  }
  const spec: Data = { simId: sim.simId };
  if (Object.keys(resources).length > 0) spec.resources = resources;
  if (Object.keys(containers).length > 0) spec.containers = containers;
  if (Object.keys(stores).length > 0) spec.stores = stores;
  spec.arrival = arrival;
  spec.service = service;
  if (blueprint.variables !== undefined) spec.variables = blueprint.variables;
  const signals = desflowSignals(rd, blueprint);
  if (signals !== undefined) spec.signals = signals;
  spec.entities = { numberFrom: 1, spawned: 'parent' };
  spec.flows = flows;
  if (Object.keys(tasks).length > 0) spec.tasks = tasks;
  Object.assign(spec, desflowScenario(rd, blueprint));
  const stats = desflowStats(rd, blueprint);
  if (stats !== undefined) spec.stats = stats;
  spec.run = desflowRun(rd, blueprint, sim);
  const egress = desflowEgress(rd, blueprint);
  if (egress !== undefined) spec.egress = egress;
  return spec as unknown as ModelSpec;
}
