import { Event } from '../kernel/events.ts';
import { Interrupt } from '../kernel/interrupt.ts';
import type { Request } from '../resources/resource.ts';
import { chooseNext } from './choose-next.ts';
import { type Entity, type Instance, listInstance, RENEGED, type TaskOutcome, type WaitOutcome } from './entity.ts';
import { evaluateAmount } from './evaluate-amount.ts';
import { type Expression, type ExpressionScope, truthy } from './expression.ts';
import { keepOrRelease, queueFull, releaseHeld, releaseKept, requestUnit } from './hold-resources.ts';
import { subscribeTask } from './subscribe-task.ts';
import { taskPayload } from './task-payload.ts';
import type { HeldPlan, TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';
import { transfer } from './transfer.ts';
import { waitFor } from './wait-for.ts';

/**
 * One task for one entity: balking, its `subscribe`, its `wait` (with patience, interrupts), its service, then on
 * failure its signal, actions and `onFail`, on success its record, signal, interrupt, spawn, `set`, actions and
 * `next`. Listed while it runs when an `interrupt` or a `running` wait may reach it.
 *
 * The service (resources in order, get, service time, put, `fail`; an interrupt resumes, restarts or abandons it)
 * stays in this generator: delegating it to a generator of its own cost about 5 % of a tasks model's run.
 *
 * @internal
 */
export function* runTask(
  runner: TaskRunner,
  plan: TaskPlan,
  entity: Entity,
  upstream: Record<string, unknown>,
): Generator<Event<any>, TaskOutcome> {
  const env = runner.env;
  const t = plan.spec;
  const scope: ExpressionScope = {
    attr: entity.attr,
    payload: upstream,
    item: undefined,
    world: runner.parts.world,
    waits: undefined,
    process: { name: plan.name, instance: entity.key },
  };
  if (plan.balk !== undefined && truthy(plan.balk.evaluate(scope)))
    return runner.leave(plan, entity, upstream, 'balked');
  const first = plan.resources[0];
  if (first !== undefined && !entity.kept.has(first.name) && queueFull(first)) {
    return runner.leave(plan, entity, upstream, 'balked', { resource: first.name });
  }
  // Only instances some `interrupt` or `running` may reach are listed.
  const tracked = plan.tracked;
  const inst: Instance | null = plan.listed
    ? { proc: env.activeProcess, scope, ended: tracked ? new Event<WaitOutcome>(env) : null, outcome: null }
    : null;
  let set = runner.running.get(plan.name);
  if (inst !== null) {
    if (set === undefined) runner.running.set(plan.name, (set = new Set()));
    set.add(inst);
    if (tracked) listInstance(entity, plan.name, inst);
  }
  const stats = plan.stats;
  stats.inProgress++;
  // In progress until it finishes (done() counts it out) or leaves another way (the finally block does).
  let counted = true;
  let won: [HeldPlan, Request][] | null = null;
  let unsubscribe: (() => void) | null = null;
  try {
    if (t.subscribe !== undefined) unsubscribe = subscribeTask(runner, t.subscribe, entity, upstream, plan);
    const queuedAt = env.now;
    if (plan.queues) runner.status(plan, entity, 'queued');
    const deadline =
      plan.patience === undefined
        ? Number.POSITIVE_INFINITY
        : env.now + evaluateAmount(plan.patience, scope, 'patience');
    let failure: string | null = null;
    while (t.wait !== undefined) {
      try {
        scope.waits = {};
        const w = yield* waitFor(runner, t.wait, plan, entity, upstream, deadline, scope.waits, (won ??= []));
        if (w === RENEGED) return runner.leave(plan, entity, upstream, 'reneged');
        if (!w.ok) failure = typeof w.value === 'string' ? w.value : 'a wait branch failed';
        break;
      } catch (e) {
        if (!(e instanceof Interrupt)) throw e;
        runner.interrupted(plan, entity, e);
        if (t.onInterrupt === 'abandon') return runner.abandon(entity, upstream, t.onInterruptNext);
      }
    }
    let remaining = Number.NaN;
    let started = false;
    // Time served, over every stretch of service: an interrupted task's wait is everything else.
    let served = 0;
    let gotItem = false;
    let putDone = false;
    const payload: Record<string, unknown> = {};
    while (failure === null) {
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
          stats.resumed++;
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
          if (plan.put !== undefined)
            yield* transfer(runner, plan.put, 'put', scope, payload, Number.POSITIVE_INFINITY);
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
      break;
    }
    if (failure !== null) {
      stats.failed++;
      runner.status(plan, entity, 'failed', { reason: failure });
      if (plan.copied) (entity.ended ??= new Map()).set(plan.name, { ok: false, value: failure });
      if (inst !== null) inst.outcome = { ok: false, value: failure };
      if (t.signal !== undefined) runner.fire(t.signal, false, failure);
      runner.act(t.on, entity, plan, upstream);
      runner.changed();
      if (t.onFail !== undefined) return { next: t.onFail, payload: upstream, end: 'finished' };
      releaseKept(runner, entity, null);
      return { next: undefined, payload: upstream, end: 'failed' };
    }
    counted = false;
    stats.done(env.now - queuedAt - served, served);
    runner.parts.publish(entity.key, payload);
    if (plan.copied) (entity.ended ??= new Map()).set(plan.name, { ok: true, value: payload });
    if (inst !== null) inst.outcome = { ok: true, value: payload };
    if (t.signal !== undefined) runner.fire(t.signal, true, payload);
    if (t.interrupt !== undefined) runner.interrupt(t.interrupt.task, plan.whereOf.get(t.interrupt), t.interrupt.cause);
    if (t.spawn !== undefined) runner.spawn(t.spawn.task, t.spawn.after, entity, payload);
    if (plan.set.length > 0) {
      const s: ExpressionScope = { ...scope, payload };
      for (const [k, v] of plan.set) entity.attr[k] = isExpression(v) ? v.evaluate(s) : v;
    }
    runner.act(t.on, entity, plan, payload);
    runner.changed();
    return { next: chooseNext(runner, plan, scope, payload), payload, end: 'finished' };
  } finally {
    if (counted) stats.inProgress--;
    if (inst !== null) {
      set!.delete(inst);
      inst.ended?.succeed(inst.outcome ?? { ok: true, value: null });
    }
    unsubscribe?.();
    // Units a request branch of the wait won are held until the task ends.
    if (won !== null) {
      for (const [r, req] of won) {
        r.handle.resource.release(req);
        r.stats.changed();
      }
    }
  }
}

function isExpression(v: unknown): v is Expression {
  return v !== null && typeof v === 'object' && typeof (v as { evaluate?: unknown }).evaluate === 'function';
}
