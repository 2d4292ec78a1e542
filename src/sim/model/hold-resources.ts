import type { PriorityResource, Request, Resource } from '../resources/resource.ts';
import type { Entity } from './entity.ts';
import { evaluateAmount } from './evaluate-amount.ts';
import type { ExpressionScope } from './expression.ts';
import type { HeldPlan, TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';

// The resources a task holds: taken in the plan's order, kept from one task to the next (`keep`), released when the
// task or the flow ends. Each change tells the resource's statistics, and the runner's watchers when a condition may
// read it.

/** A request now would have to wait, and the line is at its limit (the entity balks, as desflow's). @internal */
export function queueFull(r: HeldPlan): boolean {
  const res = r.handle.resource;
  return (
    r.handle.queueLimit !== Number.POSITIVE_INFINITY &&
    res.count >= res.capacity &&
    res.queue.length >= r.handle.queueLimit
  );
}

/** Requests a unit of `r`, with the task's priority and preemption on a prioritised resource. @internal */
export function requestUnit(r: HeldPlan, plan: TaskPlan, scope: ExpressionScope): Request {
  const res = r.handle.resource;
  return r.handle.prioritised
    ? (res as PriorityResource).request({
        priority: evaluateAmount(plan.priority, scope, 'priority'),
        preempt: plan.preempt,
      })
    : res.request();
}

/** Releases the units in `held` (granted or still queued) and empties it. @internal */
export function releaseHeld(runner: TaskRunner, held: [HeldPlan, Request][]): void {
  for (const [r, req] of held) {
    r.handle.resource.release(req);
    r.stats.changed();
  }
  held.length = 0;
  runner.changed();
}

/** At the end of a task's service: the units its `keep` names stay with the entity (unless it failed), the rest go. @internal */
export function keepOrRelease(plan: TaskPlan, entity: Entity, held: [HeldPlan, Request][], failed: boolean): void {
  for (const [r, req] of held) {
    if (!failed && plan.keep.has(r.name)) entity.kept.set(r.name, req);
    else {
      r.handle.resource.release(req);
      r.stats.changed();
    }
  }
}

/** Releases the units the entity kept, but those `except`'s task takes next. @internal */
export function releaseKept(runner: TaskRunner, entity: Entity, except: TaskPlan | null): void {
  if (entity.kept.size === 0) return;
  for (const [name, req] of entity.kept) {
    if (except?.resources.some((r) => r.name === name)) continue;
    (req.resource as Resource).release(req);
    entity.kept.delete(name);
  }
  runner.changed();
}
