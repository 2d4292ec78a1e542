import { TwinstreamError } from '../../errors.ts';
import { Condition } from '../kernel/condition.ts';
import { Event } from '../kernel/events.ts';
import { Interrupt, Preempted } from '../kernel/interrupt.ts';
import type { Process, ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { PriorityResource, Request, Resource } from '../resources/resource.ts';
import type { Sampler } from '../sampler.ts';
import type { FlowStats } from '../stats/model-statistics.ts';
import {
  type Expression,
  type ExpressionScope,
  type ExpressionWorld,
  parseExpression,
  truthy,
  type WaitBranchOutcome,
} from './expression.ts';
import { RankedStore } from './ranked-store.ts';
import type { SignalOutcome, SignalState } from './signal-state.ts';
import type { ModelAction, ModelSpec, ModelTask, ModelWait } from './spec.ts';
import type { Amount, HeldPlan, TaskPlan, TransferPlan } from './task-plan.ts';

/** An entity going through tasks: its key, attributes and the resource units it keeps from one task to the next. @internal */
export interface Entity {
  key: string;
  attr: Record<string, unknown>;
  kept: Map<string, Request>;
  /** The last outcome of each task a `fire` copies `from` (null until one ends). */
  ended: Map<string, SignalOutcome> | null;
  /** Its instances of the tasks a `running` wait or subscription names, and those of the entities it spawned. */
  instances: Map<string, Instance[]> | null;
  /** The entity that spawned it (null for one that arrived). */
  spawnedBy: Entity | null;
  /** Its flow has ended: the entities it spawned no longer list their instances with it. */
  ending: boolean;
}

interface Instance {
  proc: Process<any> | null;
  scope: ExpressionScope;
  /** Succeeds when the instance ends (made when a `running` wait or subscription asks). */
  ended: Event<WaitOutcome> | null;
  /** How it ended: its payload, or its failure (ok false, the reason). */
  outcome: WaitOutcome | null;
}

/** How a task ended, and where its entity goes (with no next: how its flow ended). */
interface Outcome {
  next: string | undefined;
  payload: Record<string, unknown>;
  end: 'finished' | 'ended' | 'failed';
}

/** What a wait ended with: every branch's outcome folded into one. */
interface WaitOutcome {
  ok: boolean;
  value: unknown;
}

const RENEGED = Symbol('reneged');

/** What the runner needs from the built model. @internal */
export interface RunnerParts {
  env: RealtimeEnvironment;
  simId: string;
  sampler: Sampler;
  plans: Map<string, TaskPlan>;
  signals: Map<string, SignalState>;
  world: ExpressionWorld;
  /** Counts a status and publishes the event (when there is egress). */
  publish: (key: string, value: Record<string, unknown>) => void;
  /** Counts a status whose event is not published (no egress). */
  count: (status: string) => void;
  /** The statistics of a flow by name: a spawned entity's flow is named after the task it starts at, as desflow's. */
  flowStats?: (name: string) => FlowStats;
  /** How entities are keyed and what a spawned one starts with (the model's `entities`). */
  entities?: ModelSpec<number>['entities'];
}

/**
 * Runs entities through a model's tasks (desflow's flows): waits, balking, resources taken in order with patience
 * and preemption, gets and puts, services, failures, interrupts with resume/restart/abandon, then `set`, signals,
 * actions, spawns and `next`. One process per entity; a child flow is a process of its own for the same entity.
 *
 * @internal
 */
export class TaskRunner {
  private readonly p: RunnerParts;
  private readonly env: RealtimeEnvironment;
  private readonly running = new Map<string, Set<Instance>>();
  private readonly wheres = new Map<string, Expression>();
  private readonly watchers = new Set<() => void>();
  private readonly spawned = new Map<string, number>();

  // `interruptible`: the tasks an `interrupt` may reach; `tracked`: those a `running` wait or subscription names
  // (their instances are listed on their entities). Both are marked on the plans, read once per instance.
  constructor(parts: RunnerParts, interruptible: Iterable<string>, tracked: Iterable<string> = []) {
    this.p = parts;
    this.env = parts.env;
    for (const t of interruptible) parts.plans.get(t)!.listed = true;
    for (const t of tracked) {
      const plan = parts.plans.get(t)!;
      plan.listed = true;
      plan.tracked = true;
    }
  }

  /** Starts an entity at `start`; the process's value is true unless its flow ended by a failure. */
  start(
    entity: Entity,
    start: string,
    payload: Record<string, unknown>,
    flow: FlowStats | null,
    name: string,
  ): Process {
    return this.env.process(this.flow(entity, start, payload, flow), name);
  }

  /** Calls `fn` whenever conditions are checked again (a run's stop condition); returns what stops it. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Something changed that a condition may read: conditions waited on are checked again. */
  changed(): void {
    if (this.watchers.size === 0) return;
    for (const w of [...this.watchers]) w();
  }

  /** Fires a signal (a task's `signal`, a `fire` action) and checks conditions that may read it. */
  fire(name: string, ok: boolean, value: unknown, urgent = false): void {
    this.p.signals.get(name)!.fire(ok, value, urgent);
    this.changed();
  }

  /** Interrupts the running instances of `task` whose `where` holds (all without one). */
  interrupt(task: string, where: Expression | undefined, cause: unknown): void {
    const set = this.running.get(task);
    if (set === undefined) return;
    for (const inst of [...set]) {
      const proc = inst.proc;
      if (proc === null || !proc.isAlive || proc === this.env.activeProcess) continue;
      if (where !== undefined && !truthy(where.evaluate(inst.scope))) continue;
      proc.interrupt(cause ?? `interrupt ${task}`);
    }
  }

  // A task's actions have their `where` parsed in its plan; a signal's or a scenario's are parsed on first use.
  private whereOf(a: Extract<ModelAction<number>, { interrupt: unknown }>, plan: TaskPlan | null) {
    const where = a.interrupt.where;
    if (where === undefined) return undefined;
    let e = plan?.whereOf.get(a) ?? this.wheres.get(where);
    if (e === undefined) {
      e = parseExpression(where);
      this.wheres.set(where, e);
    }
    return e;
  }

  /** Runs actions (`on:` of a task or a signal). */
  act(actions: readonly ModelAction<number>[] | undefined, entity: Entity | null, plan: TaskPlan | null): void {
    for (const a of actions ?? []) {
      if ('fire' in a) {
        const f = a.fire;
        let ok = true;
        let value: unknown = f.value ?? null;
        if (f.from !== undefined) {
          // The outcome is copied now, even when it fires later.
          const source = this.p.signals.get(f.from);
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
          this.env.timeout(f.after).addCallback(() => this.fire(f.signal, ok, value, f.urgent));
        } else this.fire(f.signal, ok, value, f.urgent);
      } else if ('spawn' in a) this.spawn(a.spawn.task, a.spawn.after, entity);
      else if ('interrupt' in a) this.interrupt(a.interrupt.task, this.whereOf(a, plan), a.interrupt.cause);
      else this.env.registry.update(a.path, a.value);
    }
  }

  /**
   * Starts a new entity at `task`, after `after`; it starts with a copy of the spawning entity's attributes, or with
   * `entities.spawned: parent` only `{ parent: <its key> }`, as desflow's.
   */
  spawn(task: string, after: number | undefined, parent: Entity | null): void {
    const n = this.spawned.get(task) ?? 0;
    this.spawned.set(task, n + 1);
    const entities = this.p.entities;
    const entity: Entity = {
      key: `${task}-${n + (entities?.numberFrom ?? 0)}`,
      attr: entities?.spawned === 'parent' ? { parent: parent?.key ?? null } : { ...(parent?.attr ?? {}) },
      kept: new Map(),
      ended: null,
      instances: null,
      spawnedBy: parent,
      ending: false,
    };
    const env = this.env;
    const runner = this;
    env.process(
      (function* (): ProcessGenerator<boolean> {
        if (after !== undefined && after > 0) yield env.timeout(after);
        const stats = runner.p.flowStats?.(task) ?? null;
        if (stats !== null) stats.started++;
        try {
          return yield* runner.flow(entity, task, {}, stats);
        } finally {
          entity.ending = true;
        }
      })(),
      `${task}-${n}`,
    );
  }

  private *flow(
    entity: Entity,
    start: string,
    payload: Record<string, unknown>,
    flow: FlowStats | null,
  ): ProcessGenerator<boolean> {
    let next: string | undefined = start;
    let end: Outcome['end'] = 'finished';
    try {
      while (next !== undefined) {
        const o: Outcome = yield* this.task(this.p.plans.get(next)!, entity, payload);
        payload = o.payload;
        next = o.next;
        end = o.end;
      }
    } finally {
      this.releaseKept(entity, null);
    }
    if (flow !== null) flow[end]++;
    return end === 'finished';
  }

  private releaseKept(entity: Entity, except: TaskPlan | null): void {
    if (entity.kept.size === 0) return;
    for (const [name, req] of entity.kept) {
      if (except?.resources.some((r) => r.name === name)) continue;
      (req.resource as Resource).release(req);
      entity.kept.delete(name);
    }
    this.changed();
  }

  private amount(a: Amount, scope: ExpressionScope, what: string): number {
    if (typeof a === 'number') return a;
    const v = a.evaluate(scope);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_EXPRESSION',
        `${what} ${JSON.stringify(a.text)} gave ${JSON.stringify(v)}; expected a finite number`,
      );
    }
    return v;
  }

  private status(plan: TaskPlan, entity: Entity, status: string, extra?: Record<string, unknown>): void {
    // Without egress (replications) only the count is kept: no record is built.
    if (this.env.egress === null) {
      this.p.count(status);
      return;
    }
    const value: Record<string, unknown> =
      plan.pathId === undefined ? { task: plan.name, status } : { path_id: plan.pathId, task: plan.name, status };
    if (extra !== undefined) Object.assign(value, extra);
    this.p.publish(entity.key, value);
  }

  private *task(plan: TaskPlan, entity: Entity, upstream: Record<string, unknown>): Generator<Event<any>, Outcome> {
    const env = this.env;
    const t = plan.spec;
    const scope: ExpressionScope = {
      attr: entity.attr,
      payload: upstream,
      item: undefined,
      world: this.p.world,
      waits: undefined,
      process: { name: plan.name, instance: entity.key },
    };
    if (plan.balk !== undefined && truthy(plan.balk.evaluate(scope)))
      return this.leave(plan, entity, upstream, 'balked');
    const first = plan.resources[0];
    if (first !== undefined && !entity.kept.has(first.name) && full(first)) {
      return this.leave(plan, entity, upstream, 'balked', { resource: first.name });
    }
    // Only instances some `interrupt` or `running` may reach are listed.
    const tracked = plan.tracked;
    const inst: Instance | null = plan.listed
      ? { proc: env.activeProcess, scope, ended: tracked ? new Event<WaitOutcome>(env) : null, outcome: null }
      : null;
    let set = this.running.get(plan.name);
    if (inst !== null) {
      if (set === undefined) this.running.set(plan.name, (set = new Set()));
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
      if (t.subscribe !== undefined) unsubscribe = this.subscribe(t.subscribe, entity, upstream, plan);
      const queuedAt = env.now;
      if (plan.queues) this.status(plan, entity, 'queued');
      const deadline =
        plan.patience === undefined
          ? Number.POSITIVE_INFINITY
          : env.now + this.amount(plan.patience, scope, 'patience');
      let failure: string | null = null;
      while (t.wait !== undefined) {
        try {
          scope.waits = {};
          const w = yield* this.waitFor(t.wait, plan, entity, upstream, deadline, scope.waits, (won ??= []));
          if (w === RENEGED) {
            return this.leave(plan, entity, upstream, 'reneged');
          }
          if (!w.ok) failure = typeof w.value === 'string' ? w.value : 'a wait branch failed';
          break;
        } catch (e) {
          if (!(e instanceof Interrupt)) throw e;
          this.interrupted(plan, entity, e);
          if (t.onInterrupt === 'abandon') return this.abandon(entity, upstream, t.onInterruptNext);
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
          for (const r of plan.resources) {
            const kept = entity.kept.get(r.name);
            if (kept !== undefined) {
              entity.kept.delete(r.name);
              if ((r.handle.resource.users as Request[]).includes(kept)) {
                held.push([r, kept]);
                continue;
              }
            }
            if (full(r)) {
              this.release(held);
              return this.leave(plan, entity, upstream, 'balked', { resource: r.name });
            }
            const res = r.handle.resource;
            const req: Request = r.handle.prioritised
              ? (res as PriorityResource).request({
                  priority: this.amount(plan.priority, scope, 'priority'),
                  preempt: plan.preempt,
                })
              : res.request();
            held.push([r, req]);
            r.stats.changed();
            if (!req.triggered) {
              if (deadline !== Number.POSITIVE_INFINITY) {
                yield env.anyOf([req, env.timeout(Math.max(0, deadline - env.now))]);
                if (!req.triggered) {
                  this.release(held);
                  return this.leave(plan, entity, upstream, 'reneged');
                }
              } else yield req;
              r.stats.changed();
            }
          }
          if (plan.get !== undefined && !gotItem) {
            const got = yield* this.transfer(plan.get, 'get', scope, null, deadline);
            if (got === RENEGED) {
              this.release(held);
              return this.leave(plan, entity, upstream, 'reneged');
            }
            scope.item = got;
            gotItem = true;
          }
          if (!started) {
            started = true;
            if (plan.config !== undefined) this.status(plan, entity, 'started');
            this.releaseKept(entity, plan);
          } else {
            stats.resumed++;
            this.status(plan, entity, 'resumed');
          }
          if (plan.config !== undefined && remaining !== 0) {
            if (Number.isNaN(remaining)) remaining = this.p.sampler.sample(plan.config, plan.pathId);
            serviceFrom = env.now;
            yield env.timeout(remaining);
            served += env.now - serviceFrom;
            remaining = 0;
            serviceFrom = Number.NaN;
          }
          if (!putDone) {
            Object.assign(payload, this.payload(plan, entity, scope));
            if (plan.put !== undefined) yield* this.transfer(plan.put, 'put', scope, payload, Number.POSITIVE_INFINITY);
            putDone = true;
          }
          if (plan.fail !== undefined) {
            if (truthy(plan.fail.evaluate({ ...scope, payload }))) failure = t.failReason ?? `fail: ${plan.fail.text}`;
          }
        } catch (e) {
          this.release(held);
          if (!(e instanceof Interrupt)) throw e;
          if (!Number.isNaN(serviceFrom)) {
            served += env.now - serviceFrom;
            if (t.onInterrupt === 'restart') remaining = Number.NaN;
            else remaining -= env.now - serviceFrom;
          }
          this.interrupted(plan, entity, e);
          if (t.onInterrupt === 'abandon') return this.abandon(entity, upstream, t.onInterruptNext);
          continue;
        }
        for (const [r, req] of held) {
          if (failure === null && plan.keep.has(r.name)) entity.kept.set(r.name, req);
          else {
            r.handle.resource.release(req);
            r.stats.changed();
          }
        }
        break;
      }
      if (failure !== null) {
        stats.failed++;
        this.status(plan, entity, 'failed', { reason: failure });
        if (plan.copied) (entity.ended ??= new Map()).set(plan.name, { ok: false, value: failure });
        if (inst !== null) inst.outcome = { ok: false, value: failure };
        if (t.signal !== undefined) this.fire(t.signal, false, failure);
        this.act(t.on, entity, plan);
        this.changed();
        if (t.onFail !== undefined) return { next: t.onFail, payload: upstream, end: 'finished' };
        this.releaseKept(entity, null);
        return { next: undefined, payload: upstream, end: 'failed' };
      }
      counted = false;
      stats.done(env.now - queuedAt - served, served);
      this.p.publish(entity.key, payload);
      if (plan.copied) (entity.ended ??= new Map()).set(plan.name, { ok: true, value: payload });
      if (inst !== null) inst.outcome = { ok: true, value: payload };
      if (t.signal !== undefined) this.fire(t.signal, true, payload);
      if (t.interrupt !== undefined) this.interrupt(t.interrupt.task, plan.whereOf.get(t.interrupt), t.interrupt.cause);
      if (t.spawn !== undefined) this.spawn(t.spawn.task, t.spawn.after, entity);
      if (plan.set.length > 0) {
        const s: ExpressionScope = { ...scope, payload };
        for (const [k, v] of plan.set) entity.attr[k] = isExpression(v) ? v.evaluate(s) : v;
      }
      this.act(t.on, entity, plan);
      this.changed();
      return { next: this.choose(plan, scope, payload), payload, end: 'finished' };
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

  // Balked or reneged: the entity leaves the model.
  private leave(
    plan: TaskPlan,
    entity: Entity,
    upstream: Record<string, unknown>,
    status: 'balked' | 'reneged',
    extra?: Record<string, unknown>,
  ): Outcome {
    this.releaseKept(entity, null);
    plan.stats[status]++;
    this.status(plan, entity, status, extra);
    return { next: undefined, payload: upstream, end: 'ended' };
  }

  private interrupted(plan: TaskPlan, entity: Entity, e: Interrupt): void {
    if (e.cause instanceof Preempted) plan.stats.preempted++;
    else plan.stats.interrupted++;
    this.status(plan, entity, 'interrupted', { cause: causeOf(e) });
  }

  // Abandoned after an interrupt: to `onInterruptNext`, or out of the model.
  private abandon(entity: Entity, upstream: Record<string, unknown>, next: string | undefined): Outcome {
    this.releaseKept(entity, null);
    return { next, payload: upstream, end: 'ended' };
  }

  private payload(plan: TaskPlan, entity: Entity, scope: ExpressionScope): Record<string, unknown> {
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

  // `next`, reading the task's own payload and its wait's branches.
  private choose(plan: TaskPlan, scope: ExpressionScope, payload: Record<string, unknown>): string | undefined {
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
        const u = this.p.sampler.sample(
          { dist: 'uniform', low: 0, high: n.total },
          `${this.p.simId}.next.${plan.name}`,
        );
        for (let i = 0; i < n.cumulative.length; i++) if (u < n.cumulative[i]!) return n.tasks[i];
        return n.tasks[n.tasks.length - 1];
      }
    }
  }

  private release(held: [HeldPlan, Request][]): void {
    for (const [r, req] of held) {
      r.handle.resource.release(req);
      r.stats.changed();
    }
    held.length = 0;
    this.changed();
  }

  private *transfer(
    tr: TransferPlan,
    op: 'get' | 'put',
    scope: ExpressionScope,
    payload: Record<string, unknown> | null,
    deadline: number,
  ): Generator<Event<any>, unknown> {
    const env = this.env;
    const ev = this.transferEvent(tr, op, scope, payload);
    if (!tr.wait) {
      if (!ev.triggered) ev.addCallback(() => tr.holder.changed());
      tr.holder.changed();
      return undefined;
    }
    if (!ev.triggered) {
      try {
        if (deadline !== Number.POSITIVE_INFINITY) {
          yield env.anyOf([ev, env.timeout(Math.max(0, deadline - env.now))]);
          if (!ev.triggered) {
            (ev as unknown as { cancel(): void }).cancel();
            return RENEGED;
          }
        } else yield ev;
      } catch (e) {
        if (!ev.triggered) (ev as unknown as { cancel(): void }).cancel();
        throw e;
      }
    }
    tr.holder.changed();
    this.changed();
    return ev.value;
  }

  // The end of the entity's instances of a task, and of those of the entities it spawned, ended ones included (those
  // whose `where` holds, read in each one's scope), as desflow's: the payload for one, a map from entity key to
  // payload for several, {} at once for none.
  private runningEnd(
    r: { task: string; where?: string },
    conditions: Map<string, Expression>,
    entity: Entity,
  ): Event<WaitOutcome> {
    const env = this.env;
    const where = r.where === undefined ? undefined : conditions.get(r.where)!;
    // The one not ended on this process is the task asking.
    const selected = (entity.instances?.get(r.task) ?? []).filter(
      (i) =>
        (i.ended!.triggered || i.proc !== env.activeProcess) &&
        (where === undefined || truthy(where.evaluate(i.scope))),
    );
    const out = new Event<WaitOutcome>(env);
    if (selected.length === 0) return out.succeed({ ok: true, value: {} });
    const events = selected.map((i) => i.ended!);
    new Condition(env, (_evs, count) => count >= events.length, events).addCallback(() => {
      const value =
        selected.length === 1
          ? events[0]!.value.value
          : Object.fromEntries(
              selected.map((i, k) => [i.scope.process?.instance ?? String(k), events[k]!.value.value]),
            );
      out.succeed({ ok: true, value });
    });
    return out;
  }

  // `subscribe`: the running task is interrupted, with the cause { event, value }, when a signal fires next or a
  // child flow it starts for the entity ends; not once the task has ended (its entity may be in the next one).
  private subscribe(
    s: NonNullable<ModelTask<number>['subscribe']>,
    entity: Entity,
    upstream: Record<string, unknown>,
    plan: TaskPlan,
  ) {
    const proc = this.env.activeProcess!;
    let active = true;
    const tell = (event: string | null, value: unknown) => {
      if (active && proc.isAlive) proc.interrupt({ event, value });
    };
    if ('signal' in s) {
      const signal = this.p.signals.get(s.signal)!;
      const ev = signal.wait();
      ev.addCallback((e) => tell(null, (e.value as SignalOutcome).value));
      return () => {
        active = false;
        if (!ev.triggered) signal.forget(ev);
      };
    }
    if ('running' in s) {
      this.runningEnd(s.running, plan.waitConditions, entity).addCallback((e) => tell(s.running.task, e.value.value));
      return () => {
        active = false;
      };
    }
    const child = this.start(entity, s.task, upstream, null, `${entity.key}.${s.task}`);
    child.addCallback((e) => tell(s.task, e.value));
    return () => {
      active = false;
    };
  }

  // The get or put event of a transfer, not waited for.
  private transferEvent(
    tr: TransferPlan,
    op: 'get' | 'put',
    scope: ExpressionScope,
    payload: Record<string, unknown> | null,
  ): Event<any> {
    if (tr.container !== undefined) {
      const amount = this.amount(tr.amount, scope, `${op} amount`);
      return op === 'get' ? tr.container.get(amount) : tr.container.put(amount);
    }
    const store = tr.store!;
    if (op === 'put')
      return store instanceof RankedStore ? store.putRanked(payload, tr.rank(scope)) : store.put(payload);
    if (tr.filter === undefined) return store.get();
    const filter = tr.filter;
    const s: ExpressionScope = { attr: scope.attr, payload: scope.payload, item: undefined, world: this.p.world };
    return store.get((item) => {
      s.item = item;
      return truthy(filter.evaluate(s));
    });
  }

  // A wait's branches, as events that succeed with { ok, value }; `cleanup` undoes what waits on nothing any more
  // (told whether the wait completed: a request branch's unit granted by then is kept, in `won`, till the task ends).
  private branch(
    w: ModelWait<number>,
    plan: TaskPlan,
    entity: Entity,
    upstream: Record<string, unknown>,
    cleanup: ((completed: boolean) => void)[],
    named: Record<string, WaitBranchOutcome>,
    won: [HeldPlan, Request][],
  ): Event<WaitOutcome> {
    const env = this.env;
    if ('request' in w) {
      const r = plan.waitParts.get(w) as HeldPlan;
      const out = new Event<WaitOutcome>(env);
      // A line at its limit fails the wait, as desflow's does.
      if (full(r)) return out.succeed({ ok: false, value: `${r.name}: the queue is full` });
      const res = r.handle.resource;
      const scope: ExpressionScope = { attr: entity.attr, payload: upstream, item: undefined, world: this.p.world };
      const req: Request = r.handle.prioritised
        ? (res as PriorityResource).request({
            priority: this.amount(plan.priority, scope, 'priority'),
            preempt: plan.preempt,
          })
        : res.request();
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
      const scope: ExpressionScope = { attr: entity.attr, payload: upstream, item: undefined, world: this.p.world };
      const ev = this.transferEvent(tr, op, scope, op === 'put' ? upstream : null);
      const out = new Event<WaitOutcome>(env);
      tr.holder.changed();
      ev.addCallback((e) => {
        tr.holder.changed();
        this.changed();
        if (!out.triggered) out.succeed({ ok: e.ok, value: op === 'get' ? e.value : null });
      });
      // A get or put made by the end of the wait stands (a get's item is the branch's value); one still waiting is
      // withdrawn.
      cleanup.push(() => {
        if (!ev.triggered) (ev as unknown as { cancel(): void }).cancel();
      });
      return out;
    }
    if ('running' in w) return this.runningEnd(w.running, plan.waitConditions, entity);
    if ('signal' in w) {
      const signal = this.p.signals.get(w.signal)!;
      const ev = signal.wait();
      cleanup.push(() => signal.forget(ev));
      return ev as Event<SignalOutcome>;
    }
    if ('task' in w) {
      const out = new Event<WaitOutcome>(env);
      const child = this.start(entity, w.task, upstream, null, `${entity.key}.${w.task}`);
      child.addCallback((e) => out.succeed({ ok: e.ok && e.value === true, value: e.ok ? e.value : e.value }));
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
      const scope: ExpressionScope = { attr: entity.attr, payload: upstream, item: undefined, world: this.p.world };
      const ev = new Event<WaitOutcome>(env);
      if (truthy(cond.evaluate(scope))) return ev.succeed({ ok: true, value: true });
      const watch = () => {
        if (!ev.triggered && truthy(cond.evaluate(scope))) {
          this.watchers.delete(watch);
          ev.succeed({ ok: true, value: true });
        }
      };
      this.watchers.add(watch);
      cleanup.push(() => this.watchers.delete(watch));
      return ev;
    }
    const [branches, need] =
      'any' in w ? [w.any, 1] : 'all' in w ? [w.all, Number.POSITIVE_INFINITY] : [w.of, w.atLeast];
    const names = Object.keys(branches);
    const events = names.map((k) => this.branch(branches[k]!, plan, entity, upstream, cleanup, named, won));
    const out = new Event<WaitOutcome>(env);
    const needed = Math.min(need, events.length);
    new Condition(env, (_evs, count) => count >= needed, events).addCallback((c) => {
      // Each named branch, for `wait.<branch>.done`, `.ok`, `.value`: done if it happened by the end of the wait.
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

  private *waitFor(
    w: ModelWait<number>,
    plan: TaskPlan,
    entity: Entity,
    upstream: Record<string, unknown>,
    deadline: number,
    named: Record<string, WaitBranchOutcome>,
    won: [HeldPlan, Request][],
  ): Generator<Event<any>, WaitOutcome | typeof RENEGED> {
    const env = this.env;
    const cleanup: ((completed: boolean) => void)[] = [];
    let completed = false;
    try {
      const ev = this.branch(w, plan, entity, upstream, cleanup, named, won);
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
}

// A request now would have to wait, and the line is at its limit.
function full(r: HeldPlan): boolean {
  const res = r.handle.resource;
  return (
    r.handle.queueLimit !== Number.POSITIVE_INFINITY &&
    res.count >= res.capacity &&
    res.queue.length >= r.handle.queueLimit
  );
}

function isExpression(v: unknown): v is import('./expression.ts').Expression {
  return v !== null && typeof v === 'object' && typeof (v as { evaluate?: unknown }).evaluate === 'function';
}

// Lists an instance on its entity, and on the entity that spawned it while that one's flow goes on.
function listInstance(entity: Entity, task: string, inst: Instance): void {
  for (const e of [entity, entity.spawnedBy]) {
    if (e === null || (e !== entity && e.ending)) continue;
    e.instances ??= new Map();
    let list = e.instances.get(task);
    if (list === undefined) e.instances.set(task, (list = []));
    list.push(inst);
  }
}

function causeOf(e: Interrupt): unknown {
  return e.cause instanceof Preempted ? 'preempted' : (e.cause ?? null);
}
