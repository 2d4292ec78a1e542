import { type ExpressionScope, truthy } from './expression.ts';
import type { TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';

/**
 * Where an entity goes after a task (`next`): nowhere, a task by name, the first `when` rule that holds (reading the
 * task's own payload and its wait's branches) or the default, or a task drawn by `weights` from the random stream
 * `<simId>.next.<task>`.
 *
 * @internal
 */
export function chooseNext(
  runner: TaskRunner,
  plan: TaskPlan,
  scope: ExpressionScope,
  payload: Record<string, unknown>,
): string | undefined {
  const n = plan.next;
  switch (n.kind) {
    case 'end':
      return undefined;
    case 'to':
      return n.task;
    case 'when': {
      const s: ExpressionScope = { ...scope, payload };
      for (const r of n.rules) if (truthy(r.condition.evaluate(s))) return r.task;
      return n.fallback;
    }
    default: {
      const u = runner.parts.sampler.sample(
        { dist: 'uniform', low: 0, high: n.total },
        `${runner.parts.simId}.next.${plan.name}`,
      );
      for (let i = 0; i < n.cumulative.length; i++) if (u < n.cumulative[i]!) return n.tasks[i];
      return n.tasks[n.tasks.length - 1];
    }
  }
}
