import type { DistributionConfig } from '../distributions.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Container } from '../resources/container.ts';
import type { FilterStore } from '../resources/store.ts';
import type { HolderStats, ModelStatistics, ResourceStats, TaskStats } from '../stats/model-statistics.ts';
import { expressionOf, resourcesOf } from './check-tasks.ts';
import { type Expression, type ExpressionScope, parseExpression } from './expression.ts';
import type { ModelResourceHandle } from './model-resource.ts';
import type { ModelAction, ModelNext, ModelSpec, ModelTask, ModelTransfer, ModelWait } from './spec.ts';

/** A number fixed in the model, or an expression evaluated for each entity. @internal */
export type Amount = number | Expression;

/** A `get` or `put` of a task, resolved. @internal */
export interface TransferPlan {
  container: Container | undefined;
  store: FilterStore<unknown> | undefined;
  amount: Amount;
  filter: Expression | undefined;
  /** A put into a priority store: its rank (from the expression, when it is one). */
  rank: (scope: ExpressionScope) => unknown;
  wait: boolean;
  holder: HolderStats;
}

/** A resource a task takes, resolved. @internal */
export interface HeldPlan {
  name: string;
  handle: ModelResourceHandle;
  stats: ResourceStats;
}

/** Where an entity goes next, resolved: the names stay names (tasks may refer to each other in any order). @internal */
export type NextPlan =
  | { kind: 'end' }
  | { kind: 'to'; task: string }
  | { kind: 'when'; rules: { condition: Expression; task: string }[]; fallback: string | undefined }
  | { kind: 'weights'; tasks: string[]; cumulative: number[]; total: number };

/** A task compiled once per model: its parts looked up and its expressions parsed. @internal */
export interface TaskPlan {
  name: string;
  /** A `fire` action copies this task's outcome (`from`): each entity keeps its last one. */
  copied: boolean;
  /** Its running instances are listed (an `interrupt` or a `running` wait may reach them); set by the runner. */
  listed: boolean;
  /** Its instances are listed on their entities too (a `running` wait or subscription names it); set by the runner. */
  tracked: boolean;
  spec: ModelTask<number>;
  pathId: string | undefined;
  config: DistributionConfig | undefined;
  stats: TaskStats;
  resources: HeldPlan[];
  keep: ReadonlySet<string>;
  priority: Amount;
  preempt: boolean;
  patience: Amount | undefined;
  balk: Expression | undefined;
  fail: Expression | undefined;
  get: TransferPlan | undefined;
  put: TransferPlan | undefined;
  set: [string, unknown][];
  next: NextPlan;
  wait: ModelWait<number> | undefined;
  /** The task waits or queues (a `queued` event is published). */
  queues: boolean;
  waitConditions: Map<string, Expression>;
  /** The resources and transfers of the wait's request, get and put branches, by branch. */
  waitParts: Map<ModelWait<number>, HeldPlan | TransferPlan>;
  whereOf: Map<ModelAction<number> | ModelTask<number>['interrupt'], Expression>;
}

/** What plans are compiled against. @internal */
export interface PlanParts {
  env: RealtimeEnvironment;
  spec: ModelSpec<number>;
  statistics: ModelStatistics;
  resources: Map<string, ModelResourceHandle>;
  resourceStats: Map<string, ResourceStats>;
  containers: Map<string, Container>;
  stores: Map<string, FilterStore<unknown>>;
  holders: Map<string, HolderStats>;
}

const amountOf = (v: number | string | undefined, fallback: number): Amount =>
  v === undefined ? fallback : typeof v === 'number' ? v : parseExpression(v);

/**
 * Compiles every task of a validated model: distributions' live configs, resources, stores and statistics looked
 * up, expressions parsed, `next` resolved into a chooser.
 *
 * @internal
 */
export function planTasks(p: PlanParts): Map<string, TaskPlan> {
  const id = p.spec.simId;
  const plans = new Map<string, TaskPlan>();
  const copied = fireSources(p.spec);
  for (const [name, t] of Object.entries(p.spec.tasks ?? {})) {
    const pathId = t.service === undefined ? undefined : `${id}.service.${t.service}`;
    const transfer = (tr: ModelTask<number>['get']): TransferPlan | undefined =>
      tr === undefined
        ? undefined
        : {
            container: tr.container === undefined ? undefined : p.containers.get(tr.container)!,
            store: tr.store === undefined ? undefined : p.stores.get(tr.store)!,
            amount: amountOf(tr.amount, 1),
            filter: tr.filter === undefined ? undefined : parseExpression(tr.filter),
            rank: rankOf(tr.priority),
            wait: tr.wait ?? true,
            holder: p.holders.get((tr.container ?? tr.store)!)!,
          };
    const waitConditions = new Map<string, Expression>();
    const waitParts = new Map<ModelWait<number>, HeldPlan | TransferPlan>();
    const collect = (w: ModelWait<number> | undefined) => {
      if (w === undefined) return;
      if ('condition' in w) waitConditions.set(w.condition, parseExpression(w.condition));
      if ('running' in w && w.running.where !== undefined)
        waitConditions.set(w.running.where, parseExpression(w.running.where));
      if ('request' in w) {
        waitParts.set(w, {
          name: w.request,
          handle: p.resources.get(w.request)!,
          stats: p.resourceStats.get(w.request)!,
        });
      }
      if ('get' in w) waitParts.set(w, transfer(w.get)!);
      if ('put' in w) waitParts.set(w, transfer(w.put)!);
      const branches = 'any' in w ? w.any : 'all' in w ? w.all : 'of' in w ? w.of : undefined;
      for (const b of Object.values(branches ?? {})) collect(b);
    };
    collect(t.wait);
    if (t.subscribe !== undefined && 'running' in t.subscribe) collect(t.subscribe);
    const whereOf = new Map<ModelAction<number> | ModelTask<number>['interrupt'], Expression>();
    if (t.interrupt?.where !== undefined) whereOf.set(t.interrupt, parseExpression(t.interrupt.where));
    for (const a of t.on ?? []) {
      if ('interrupt' in a && a.interrupt.where !== undefined) whereOf.set(a, parseExpression(a.interrupt.where));
    }
    const resources = resourcesOf(t).map((r) => ({
      name: r,
      handle: p.resources.get(r)!,
      stats: p.resourceStats.get(r)!,
    }));
    plans.set(name, {
      name,
      copied: copied.has(name),
      listed: false,
      tracked: false,
      spec: t,
      pathId,
      config: pathId === undefined ? undefined : p.env.registry.getConfig(pathId),
      stats: p.statistics.task(name),
      resources,
      keep: new Set(t.keep ?? []),
      priority: amountOf(t.priority, 0),
      preempt: t.preempt ?? true,
      patience: typeof t.patience === 'string' ? parseExpression(t.patience) : t.patience,
      balk: t.balk === undefined ? undefined : parseExpression(t.balk),
      fail: t.fail === undefined ? undefined : parseExpression(t.fail),
      get: transfer(t.get),
      put: transfer(t.put),
      set: Object.entries(t.set ?? {}).map(([k, v]) => {
        const text = expressionOf(v);
        return [k, text === null ? v : parseExpression(text)];
      }),
      next: nextPlan(t.next),
      wait: t.wait,
      queues: resources.length > 0 || t.get !== undefined || t.wait !== undefined,
      waitConditions,
      waitParts,
      whereOf,
    });
  }
  return plans;
}

// The tasks (and signals) a `fire` action copies an outcome from.
function fireSources(m: ModelSpec<number>): Set<string> {
  const out = new Set<string>();
  const scan = (list: ModelAction<number>[] | undefined) => {
    for (const a of list ?? []) if ('fire' in a && a.fire.from !== undefined) out.add(a.fire.from);
  };
  for (const t of Object.values(m.tasks ?? {})) scan(t.on);
  for (const s of Object.values(m.signals ?? {})) scan(s.on);
  return out;
}

function rankOf(priority: ModelTransfer['priority']): (scope: ExpressionScope) => unknown {
  if (typeof priority !== 'string') {
    const rank = priority ?? 0;
    return () => rank;
  }
  const e = parseExpression(priority);
  return (scope) => e.evaluate(scope);
}

function nextPlan(n: ModelNext | undefined): NextPlan {
  if (n === undefined) return { kind: 'end' };
  if (typeof n === 'string') return { kind: 'to', task: n };
  if ('when' in n) {
    return {
      kind: 'when',
      rules: n.when.map((r) => ({ condition: parseExpression(r.condition), task: r.task })),
      fallback: n.default,
    };
  }
  const tasks = Object.keys(n.weights);
  let total = 0;
  const cumulative = tasks.map((k) => (total += n.weights[k]!));
  return { kind: 'weights', tasks, cumulative, total };
}
