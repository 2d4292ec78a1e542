import type { Event } from '../kernel/events.ts';
import { Interrupt } from '../kernel/interrupt.ts';
import type { Request } from '../resources/resource.ts';
import { type Entity, RENEGED, type TaskOutcome } from './entity.ts';
import { type ExpressionScope, truthy } from './expression.ts';
import { keepOrRelease, queueFull, releaseHeld, releaseKept, requestUnit } from './hold-resources.ts';
import { taskPayload } from './task-payload.ts';
import type { HeldPlan, TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';
import { transfer } from './transfer.ts';

/** How a task's service went: its failure (null when it succeeded), the time served and its payload. @internal */
export interface TaskService {
  failure: string | null;
  served: number;
  payload: Record<string, unknown>;
}

/**
 * A task's service: its resources taken in order, what it gets, its service time, what it puts, then its `fail`
 * condition. An interrupt releases what it holds and, by `onInterrupt`, resumes the rest of the service time,
 * restarts it, or abandons the task; the entity may balk or renege on the way (then the task's outcome is returned).
 *
 * @internal
 */
export function* serveTask(
  runner: TaskRunner,
  plan: TaskPlan,
  entity: Entity,
  upstream: Record<string, unknown>,
  scope: ExpressionScope,
  deadline: number,
): Generator<Event<any>, TaskOutcome | TaskService> {
  const env = runner.env;
  const t = plan.spec;
  let failure: string | null = null;
  let remaining = Number.NaN;
  let started = false;
  // Time served, over every stretch of service: an interrupted task's wait is everything else.
  let served = 0;
  let gotItem = false;
  let putDone = false;
  const payload: Record<string, unknown> = {};
  for (;;) {
    const held: [HeldPlan, Request][] = [];
    let serviceFrom = Number.NaN;
    try {
      // The resources in order (the units the entity kept are reused); this loop stays here, not in a generator of
      // its own: delegating to one per task cost about a tenth of a tasks model's run.
      for (const r of plan.resources) {
        const kept = entity.kept.get(r.name);
        if (kept !== undefined) {
          entity.kept.delete(r.name);
          if ((r.handle.resource.users as Request[]).includes(kept)) {
            held.push([r, kept]);
            continue;
          }
        }
        if (queueFull(r)) {
          releaseHeld(runner, held);
          return runner.leave(plan, entity, upstream, 'balked', { resource: r.name });
        }
        const req = requestUnit(r, plan, scope);
        held.push([r, req]);
        r.stats.changed();
        if (!req.triggered) {
          if (deadline !== Number.POSITIVE_INFINITY) {
            yield env.anyOf([req, env.timeout(Math.max(0, deadline - env.now))]);
            if (!req.triggered) {
              releaseHeld(runner, held);
              return runner.leave(plan, entity, upstream, 'reneged');
            }
          } else yield req;
          r.stats.changed();
        }
      }
      if (plan.get !== undefined && !gotItem) {
        const got = yield* transfer(runner, plan.get, 'get', scope, null, deadline);
        if (got === RENEGED) {
          releaseHeld(runner, held);
          return runner.leave(plan, entity, upstream, 'reneged');
        }
        scope.item = got;
        gotItem = true;
      }
      if (!started) {
        started = true;
        if (plan.config !== undefined) runner.status(plan, entity, 'started');
        releaseKept(runner, entity, plan);
      } else {
        plan.stats.resumed++;
        runner.status(plan, entity, 'resumed');
      }
      if (plan.config !== undefined && remaining !== 0) {
        if (Number.isNaN(remaining)) remaining = runner.parts.sampler.sample(plan.config, plan.pathId);
        serviceFrom = env.now;
        yield env.timeout(remaining);
        served += env.now - serviceFrom;
        remaining = 0;
        serviceFrom = Number.NaN;
      }
      if (!putDone) {
        Object.assign(payload, taskPayload(plan, entity, scope));
        if (plan.put !== undefined) yield* transfer(runner, plan.put, 'put', scope, payload, Number.POSITIVE_INFINITY);
        putDone = true;
      }
      if (plan.fail !== undefined) {
        if (truthy(plan.fail.evaluate({ ...scope, payload }))) failure = t.failReason ?? `fail: ${plan.fail.text}`;
      }
    } catch (e) {
      releaseHeld(runner, held);
      if (!(e instanceof Interrupt)) throw e;
      if (!Number.isNaN(serviceFrom)) {
        served += env.now - serviceFrom;
        if (t.onInterrupt === 'restart') remaining = Number.NaN;
        else remaining -= env.now - serviceFrom;
      }
      runner.interrupted(plan, entity, e);
      if (t.onInterrupt === 'abandon') return runner.abandon(entity, upstream, t.onInterruptNext);
      continue;
    }
    keepOrRelease(plan, entity, held, failure !== null);
    return { failure, served, payload };
  }
}
