import { Condition } from '../kernel/condition.ts';
import { Event } from '../kernel/events.ts';
import type { Request } from '../resources/resource.ts';
import type { Entity, WaitOutcome } from './entity.ts';
import { type ExpressionScope, truthy, type WaitBranchOutcome } from './expression.ts';
import { queueFull, requestUnit } from './hold-resources.ts';
import { runningEnd } from './running-end.ts';
import type { SignalOutcome } from './signal-state.ts';
import type { ModelWait } from './spec.ts';
import type { HeldPlan, TaskPlan, TransferPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';
import { transferEvent } from './transfer.ts';

/**
 * A wait's branch as an event that succeeds with `{ ok, value }`: a request, a get or put, the end of `running`
 * instances, a signal, a child flow, a timeout, a condition, or any/all/at-least of named branches (each recorded in
 * `named` for `wait.<branch>.done`, `.ok`, `.value`). `cleanup` gets what undoes the branches nothing waits on any
 * more, told whether the wait completed: a request branch's unit granted by then goes to `won`, held till the task
 * ends.
 *
 * @internal
 */
export function waitBranch(
  runner: TaskRunner,
  w: ModelWait<number>,
  plan: TaskPlan,
  entity: Entity,
  upstream: Record<string, unknown>,
  cleanup: ((completed: boolean) => void)[],
  named: Record<string, WaitBranchOutcome>,
  won: [HeldPlan, Request][],
): Event<WaitOutcome> {
  const env = runner.env;
  const world = runner.parts.world;
  if ('request' in w) {
    const r = plan.waitParts.get(w) as HeldPlan;
    const out = new Event<WaitOutcome>(env);
    // A line at its limit fails the wait, as desflow's does.
    if (queueFull(r)) return out.succeed({ ok: false, value: `${r.name}: the queue is full` });
    const res = r.handle.resource;
    const req = requestUnit(r, plan, { attr: entity.attr, payload: upstream, item: undefined, world });
    r.stats.changed();
    req.addCallback(() => {
      r.stats.changed();
      if (!out.triggered) out.succeed({ ok: true, value: null });
    });
    cleanup.push((completed) => {
      if (completed && req.triggered) won.push([r, req]);
      else {
        res.release(req);
        r.stats.changed();
      }
    });
    return out;
  }
  if ('get' in w || 'put' in w) {
    const op = 'get' in w ? 'get' : 'put';
    const tr = plan.waitParts.get(w) as TransferPlan;
    const scope: ExpressionScope = { attr: entity.attr, payload: upstream, item: undefined, world };
    const ev = transferEvent(world, tr, op, scope, op === 'put' ? upstream : null);
    const out = new Event<WaitOutcome>(env);
    tr.holder.changed();
    ev.addCallback((e) => {
      tr.holder.changed();
      runner.changed();
      if (!out.triggered) out.succeed({ ok: e.ok, value: op === 'get' ? e.value : null });
    });
    // A get or put made by the end of the wait stands (a get's item is the branch's value); one still waiting is
    // withdrawn.
    cleanup.push(() => {
      if (!ev.triggered) (ev as unknown as { cancel(): void }).cancel();
    });
    return out;
  }
  if ('running' in w) return runningEnd(env, w.running, plan.waitConditions, entity);
  if ('signal' in w) {
    const signal = runner.parts.signals.get(w.signal)!;
    const ev = signal.wait();
    cleanup.push(() => signal.forget(ev));
    return ev as Event<SignalOutcome>;
  }
  if ('task' in w) {
    const out = new Event<WaitOutcome>(env);
    const child = runner.start(entity, w.task, upstream, null, `${entity.key}.${w.task}`);
    child.addCallback((e) => out.succeed({ ok: e.ok && e.value === true, value: e.value }));
    return out;
  }
  if ('timeout' in w) {
    const t = w.timeout;
    return typeof t === 'number'
      ? env.timeout(t, { ok: true, value: null })
      : env.timeout(t.after, { ok: true, value: t.value ?? null });
  }
  if ('condition' in w) {
    const cond = plan.waitConditions.get(w.condition)!;
    const scope: ExpressionScope = { attr: entity.attr, payload: upstream, item: undefined, world };
    const ev = new Event<WaitOutcome>(env);
    if (truthy(cond.evaluate(scope))) return ev.succeed({ ok: true, value: true });
    const stop = runner.watch(() => {
      if (!ev.triggered && truthy(cond.evaluate(scope))) {
        stop();
        ev.succeed({ ok: true, value: true });
      }
    });
    cleanup.push(stop);
    return ev;
  }
  const [branches, need] = 'any' in w ? [w.any, 1] : 'all' in w ? [w.all, Number.POSITIVE_INFINITY] : [w.of, w.atLeast];
  const names = Object.keys(branches);
  const events = names.map((k) => waitBranch(runner, branches[k]!, plan, entity, upstream, cleanup, named, won));
  const out = new Event<WaitOutcome>(env);
  const needed = Math.min(need, events.length);
  new Condition(env, (_evs, count) => count >= needed, events).addCallback((c) => {
    // Each named branch: done if it happened by the end of the wait.
    names.forEach((k, i) => {
      const e = events[i]!;
      named[k] = e.processed
        ? { done: true, ok: e.value.ok, value: e.value.value }
        : { done: false, ok: false, value: null };
    });
    const done = events.filter((e) => e.processed).map((e) => e.value);
    out.succeed({ ok: done.every((d) => d.ok), value: c.ok ? done.map((d) => d.value) : null });
  });
  return out;
}
