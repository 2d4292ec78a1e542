import type { Interrupt } from '../kernel/interrupt.ts';
import { Preempted } from '../kernel/interrupt.ts';
import type { Process, ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Sampler } from '../sampler.ts';
import type { FlowStats } from '../stats/model-statistics.ts';
import type { Entity, Instance, TaskOutcome } from './entity.ts';
import { type Expression, type ExpressionWorld, truthy } from './expression.ts';
import { releaseKept } from './hold-resources.ts';
import { runActions } from './run-actions.ts';
import { runTask } from './run-task.ts';
import type { SignalState } from './signal-state.ts';
import { spawnEntity } from './spawn-entity.ts';
import type { ModelAction, ModelSpec } from './spec.ts';
import type { TaskPlan } from './task-plan.ts';

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
  /** A spawned entity comes into the model, and leaves it (a drain counts them). */
  entered?: () => void;
  left?: () => void;
  /** How entities are keyed and what a spawned one starts with (the model's `entities`). */
  entities?: ModelSpec<number>['entities'];
}

/**
 * Runs entities through a model's tasks (desflow's flows): one process per entity, task after task (runTask); a
 * child flow is a process of its own for the same entity. It holds what the tasks share: the running instances an
 * `interrupt` reaches, the watchers of conditions, the spawn counts; and records how tasks end.
 *
 * @internal
 */
export class TaskRunner {
  readonly parts: RunnerParts;
  readonly env: RealtimeEnvironment;
  /** The listed instances running, by task. */
  readonly running = new Map<string, Set<Instance>>();
  /** The `where` of actions outside tasks, parsed once. */
  readonly wheres = new Map<string, Expression>();
  /** Entities spawned so far, by task (their keys count on). */
  readonly spawned = new Map<string, number>();
  private readonly watchers = new Set<() => void>();

  // `interruptible`: the tasks an `interrupt` may reach; `tracked`: those a `running` wait or subscription names
  // (their instances are listed on their entities). Both are marked on the plans, read once per instance.
  constructor(parts: RunnerParts, interruptible: Iterable<string>, tracked: Iterable<string> = []) {
    this.parts = parts;
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

  /** An entity's flow from `start`, task after task; true unless it ended by a failure. */
  *flow(
    entity: Entity,
    start: string,
    payload: Record<string, unknown>,
    flow: FlowStats | null,
  ): ProcessGenerator<boolean> {
    let next: string | undefined = start;
    let end: TaskOutcome['end'] = 'finished';
    try {
      while (next !== undefined) {
        const o: TaskOutcome = yield* runTask(this, this.parts.plans.get(next)!, entity, payload);
        payload = o.payload;
        next = o.next;
        end = o.end;
      }
    } finally {
      releaseKept(this, entity, null);
    }
    if (flow !== null) flow[end]++;
    return end === 'finished';
  }

  /** Calls `fn` whenever conditions are checked again (a run's stop condition, a condition wait); returns what stops it. */
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
    this.parts.signals.get(name)!.fire(ok, value, urgent);
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

  /** Runs actions (`on:` of a task with its outcome, of a signal, a scenario's). */
  act(
    actions: readonly ModelAction<number>[] | undefined,
    entity: Entity | null,
    plan: TaskPlan | null,
    outcome: Record<string, unknown> = {},
  ): void {
    runActions(this, actions, entity, plan, outcome);
  }

  /** Starts a new entity at `task`, after `after`, handed `upstream` (spawnEntity). */
  spawn(task: string, after: number | undefined, parent: Entity | null, upstream: Record<string, unknown> = {}): void {
    spawnEntity(this, task, after, parent, upstream);
  }

  /** Publishes a task's lifecycle event; without egress (replications) only the count is kept: no record is built. */
  status(plan: TaskPlan, entity: Entity, status: string, extra?: Record<string, unknown>): void {
    if (this.env.egress === null) {
      this.parts.count(status);
      return;
    }
    const value: Record<string, unknown> =
      plan.pathId === undefined ? { task: plan.name, status } : { path_id: plan.pathId, task: plan.name, status };
    if (extra !== undefined) Object.assign(value, extra);
    this.parts.publish(entity.key, value);
  }

  /** Balked or reneged: the entity leaves the model. */
  leave(
    plan: TaskPlan,
    entity: Entity,
    upstream: Record<string, unknown>,
    status: 'balked' | 'reneged',
    extra?: Record<string, unknown>,
  ): TaskOutcome {
    releaseKept(this, entity, null);
    plan.stats[status]++;
    this.status(plan, entity, status, extra);
    return { next: undefined, payload: upstream, end: 'ended' };
  }

  /** Counts and publishes an interrupt (a preemption counts apart). */
  interrupted(plan: TaskPlan, entity: Entity, e: Interrupt): void {
    if (e.cause instanceof Preempted) plan.stats.preempted++;
    else plan.stats.interrupted++;
    this.status(plan, entity, 'interrupted', { cause: e.cause instanceof Preempted ? 'preempted' : (e.cause ?? null) });
  }

  /** Abandoned after an interrupt: to `onInterruptNext`, or out of the model. */
  abandon(entity: Entity, upstream: Record<string, unknown>, next: string | undefined): TaskOutcome {
    releaseKept(this, entity, null);
    return { next, payload: upstream, end: 'ended' };
  }
}
