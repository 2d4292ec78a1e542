import type { Entity } from './entity.ts';
import type { ExpressionScope } from './expression.ts';
import type { TaskPlan } from './task-plan.ts';

/**
 * The record a finished task publishes and hands on to the next one: its path, name and status, its `payload`
 * literals, the entity's key (`id_field`), the item it got (`item_field`) and the attributes it names.
 *
 * @internal
 */
export function taskPayload(plan: TaskPlan, entity: Entity, scope: ExpressionScope): Record<string, unknown> {
  const t = plan.spec;
  const out: Record<string, unknown> =
    plan.pathId === undefined
      ? { task: plan.name, status: 'finished' }
      : { path_id: plan.pathId, task: plan.name, status: 'finished' };
  if (t.payload !== undefined) Object.assign(out, t.payload);
  if (t.idField !== undefined) out[t.idField] = entity.key;
  if (t.itemField !== undefined) out[t.itemField] = scope.item;
  for (const a of t.attributes ?? []) out[a] = entity.attr[a];
  return out;
}
