import type { Entity } from './entity.ts';
import { type Expression, parseExpression } from './expression.ts';
import type { ModelAction } from './spec.ts';
import type { TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';

/**
 * Runs actions (the `on:` of a task, a signal or a scenario step): `fire` a signal (with a value, or the outcome of
 * a signal or of a task of the entity copied `from` now, even when it fires `after` a delay), `spawn` an entity
 * (handed the task's `outcome`, as desflow's),
 * `interrupt` a task's instances, or set a registry path.
 *
 * @internal
 */
export function runActions(
  runner: TaskRunner,
  actions: readonly ModelAction<number>[] | undefined,
  entity: Entity | null,
  plan: TaskPlan | null,
  outcome: Record<string, unknown>,
): void {
  for (const a of actions ?? []) {
    if ('fire' in a) {
      const f = a.fire;
      let ok = true;
      let value: unknown = f.value ?? null;
      if (f.from !== undefined) {
        const source = runner.parts.signals.get(f.from);
        const copied =
          source !== undefined
            ? source.count > 0
              ? { ok: source.ok, value: source.value }
              : undefined
            : entity?.ended?.get(f.from);
        if (copied === undefined) continue;
        ok = copied.ok;
        value = copied.value;
      }
      if (f.after !== undefined && f.after > 0) {
        runner.env.timeout(f.after).addCallback(() => runner.fire(f.signal, ok, value, f.urgent));
      } else runner.fire(f.signal, ok, value, f.urgent);
    } else if ('spawn' in a) runner.spawn(a.spawn.task, a.spawn.after, entity, outcome);
    else if ('interrupt' in a) runner.interrupt(a.interrupt.task, whereOf(runner, a, plan), a.interrupt.cause);
    else runner.env.registry.update(a.path, a.value);
  }
}

// A task's actions have their `where` parsed in its plan; a signal's or a scenario's are parsed on first use.
function whereOf(
  runner: TaskRunner,
  a: Extract<ModelAction<number>, { interrupt: unknown }>,
  plan: TaskPlan | null,
): Expression | undefined {
  const where = a.interrupt.where;
  if (where === undefined) return undefined;
  let e = plan?.whereOf.get(a) ?? runner.wheres.get(where);
  if (e === undefined) {
    e = parseExpression(where);
    runner.wheres.set(where, e);
  }
  return e;
}
