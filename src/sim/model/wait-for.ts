import type { Event } from '../kernel/events.ts';
import type { Request } from '../resources/resource.ts';
import { type Entity, RENEGED, type WaitOutcome } from './entity.ts';
import type { WaitBranchOutcome } from './expression.ts';
import type { ModelWait } from './spec.ts';
import type { HeldPlan, TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';
import { waitBranch } from './wait-branch.ts';

/**
 * A task's `wait`: its branches made, waited for until the entity's `deadline` (RENEGED when it passes first), then
 * undone where nothing waits on them any more, also when an interrupt ends the wait.
 *
 * @internal
 */
export function* waitFor(
  runner: TaskRunner,
  w: ModelWait<number>,
  plan: TaskPlan,
  entity: Entity,
  upstream: Record<string, unknown>,
  deadline: number,
  named: Record<string, WaitBranchOutcome>,
  won: [HeldPlan, Request][],
): Generator<Event<any>, WaitOutcome | typeof RENEGED> {
  const env = runner.env;
  const cleanup: ((completed: boolean) => void)[] = [];
  let completed = false;
  try {
    const ev = waitBranch(runner, w, plan, entity, upstream, cleanup, named, won);
    if (!ev.processed) {
      if (deadline !== Number.POSITIVE_INFINITY) {
        yield env.anyOf([ev, env.timeout(Math.max(0, deadline - env.now))]);
        if (!ev.triggered) return RENEGED;
      } else yield ev;
    }
    completed = true;
    return ev.value;
  } finally {
    for (const c of cleanup) c(completed);
  }
}
