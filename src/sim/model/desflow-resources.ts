import { desflowDistribution } from './desflow-distribution.ts';
import { type Data, type DesflowReader, type Path, PYTHON } from './desflow-reader.ts';

/**
 * A blueprint's `resources` (queue discipline, preemption, queue limit, breakdowns), `containers` (initial level)
 * and `stores` (initial items, priority stores), each with desflow's capacities: `current_cap` (a resource's
 * defaults to 1, others' to unlimited) and `max_cap` (0: unlimited).
 *
 * @internal
 */
export function desflowResources(
  rd: DesflowReader,
  blueprint: Data,
): { resources: Data; containers: Data; stores: Data } {
  const capacity = (c: Data, path: Path, defaultCap: number | undefined) => {
    const current = c.current_cap ?? (c.max_cap === undefined ? defaultCap : c.max_cap);
    const cur = current === undefined ? Number.POSITIVE_INFINITY : (current as number);
    const max = (c.max_cap as number | undefined) ?? cur;
    if (typeof cur !== 'number' || typeof max !== 'number') rd.fail(path, 'expected numeric current_cap and max_cap');
    return { currentCap: cur, maxCap: max === 0 ? Number.POSITIVE_INFINITY : max };
  };
  const resources: Data = {};
  for (const [name, r0] of Object.entries(rd.obj(blueprint.resources, ['resources']))) {
    const path = ['resources', name];
    const r = rd.obj(r0, path);
    rd.refuse(r, ['type'], path, PYTHON);
    const out: Data = capacity(r, path, 1);
    if (r.queue !== undefined && r.queue !== 'fifo') out.queue = r.queue;
    if (r.preempt === true) out.preempt = true;
    if (r.queue_limit !== undefined && r.queue_limit !== null) out.queueLimit = r.queue_limit;
    if (r.breakdown !== undefined && r.breakdown !== null) {
      const b = rd.obj(r.breakdown, [...path, 'breakdown']);
      out.breakdown = {
        timeToFailure: desflowDistribution(rd, b.time_to_failure, [...path, 'breakdown', 'time_to_failure']),
        repair: desflowDistribution(rd, b.repair, [...path, 'breakdown', 'repair']),
        ...(b.work === undefined ? {} : { work: b.work }),
      };
    }
    resources[name] = out;
  }
  const containers: Data = {};
  for (const [name, c0] of Object.entries(rd.obj(blueprint.containers, ['containers']))) {
    const c = rd.obj(c0, ['containers', name]);
    rd.refuse(c, ['type'], ['containers', name], PYTHON);
    containers[name] = { ...capacity(c, ['containers', name], undefined), init: (c.level as number | undefined) ?? 0 };
  }
  const stores: Data = {};
  for (const [name, s0] of Object.entries(rd.obj(blueprint.stores, ['stores']))) {
    const s = rd.obj(s0, ['stores', name]);
    rd.refuse(s, ['type'], ['stores', name], PYTHON);
    stores[name] = {
      ...capacity(s, ['stores', name], undefined),
      ...(s.items === undefined ? {} : { items: s.items }),
      ...(s.priority === true ? { priority: true } : {}),
    };
  }
  return { resources, containers, stores };
}
