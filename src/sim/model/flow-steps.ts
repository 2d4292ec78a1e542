import { resourcesOf } from './check-tasks.ts';
import type { ModelFlow, ModelSpec, ModelStep } from './spec.ts';

/**
 * A flow as a list of steps: its `steps`, or, for a flow that starts at a task, the tasks its entities go through
 * while each `next` names one task (a branch, by `when` or `weights`, ends the list; so does a task met twice).
 * Each task with a service becomes a step on its first resource. Queueing formulas read flows this way.
 *
 * @example
 * import { flowSteps } from 'twinstream/sim';
 * const steps = flowSteps(spec, spec.flows[0]!); // [{ resource: 'lathe', service: 'milling' }]
 */
export function flowSteps(spec: ModelSpec<number>, flow: ModelFlow): ModelStep[] {
  if (flow.steps !== undefined) return flow.steps;
  const out: ModelStep[] = [];
  const seen = new Set<string>();
  let name: string | undefined = flow.start;
  while (name !== undefined && !seen.has(name)) {
    seen.add(name);
    const t = spec.tasks?.[name];
    if (t === undefined) break;
    const resource = resourcesOf(t)[0];
    if (t.service !== undefined)
      out.push(resource === undefined ? { service: t.service } : { resource, service: t.service });
    name = typeof t.next === 'string' ? t.next : undefined;
  }
  return out;
}
