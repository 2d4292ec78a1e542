import type { TwinstreamError } from '../../errors.ts';
import { type Expression, parseExpression } from './expression.ts';
import type { ModelAction, ModelSpec, ModelTask, ModelTransfer, ModelWait } from './spec.ts';

type Issue = { code: 'custom'; input: unknown; path: (string | number)[]; message: string };
type Path = (string | number)[];

/**
 * A value that is an expression rather than a literal in `set` and a flow's `attributes`: `{ expr: 'attr.n + 1' }`.
 *
 * @internal
 */
export function expressionOf(value: unknown): string | null {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const expr = (value as { expr?: unknown }).expr;
    if (keys.length === 1 && typeof expr === 'string') return expr;
  }
  return null;
}

/**
 * Checks what the schema cannot: every task, signal, resource, container, store and distribution a task or flow
 * names exists; every expression parses and reads only names the model has; a flow's tasks take resources in one
 * order (two tasks taking the same two resources in opposite orders can deadlock: each holds one and waits for the
 * other). Issues carry the field's path, so the message names its line.
 *
 * @internal
 */
export function checkTasks(m: ModelSpec<number>, issues: Issue[]): void {
  const tasks = m.tasks ?? {};
  const signals = m.signals ?? {};
  const has = (o: object | undefined, k: string) => o !== undefined && Object.hasOwn(o, k);
  const ref = (section: object | undefined, kind: string, value: string, path: Path) => {
    if (has(section, value)) return;
    const names = section ? Object.keys(section) : [];
    issues.push({
      code: 'custom',
      input: value,
      path,
      message: `"${value}" is not a ${kind} of this model; expected one of: ${names.length ? names.join(', ') : '(none)'}`,
    });
  };
  const holders = { ...(m.containers ?? {}), ...(m.stores ?? {}) };
  const expression = (text: string, path: Path): Expression | null => {
    let e: Expression;
    try {
      e = parseExpression(text);
    } catch (error) {
      issues.push({ code: 'custom', input: text, path, message: (error as TwinstreamError).message });
      return null;
    }
    for (const h of e.references.holders) ref(holders, 'container or store', h, path);
    for (const r of e.references.resources) ref(m.resources, 'resource', r, path);
    for (const s of e.references.stores) ref(m.stores, 'store', s, path);
    for (const s of e.references.signals) ref(signals, 'signal', s, path);
    return e;
  };
  const values = (record: Record<string, unknown> | undefined, path: Path) => {
    for (const [k, v] of Object.entries(record ?? {})) {
      const text = expressionOf(v);
      if (text !== null) expression(text, [...path, k, 'expr']);
    }
  };
  const actions = (list: ModelAction<number>[] | undefined, path: Path) => {
    list?.forEach((a, i) => {
      const at = [...path, i];
      if ('fire' in a) {
        ref(signals, 'signal', a.fire.signal, [...at, 'fire', 'signal']);
        const from = a.fire.from;
        if (from !== undefined && has(signals, from) === has(tasks, from)) {
          issues.push({
            code: 'custom',
            input: from,
            path: [...at, 'fire', 'from'],
            message: has(signals, from)
              ? `"${from}" is both a signal and a task; rename one`
              : `"${from}" is not a signal or a task of this model; expected one of: ${[...Object.keys(signals), ...Object.keys(tasks)].join(', ') || '(none)'}`,
          });
        }
      } else if ('spawn' in a) ref(tasks, 'task', a.spawn.task, [...at, 'spawn', 'task']);
      else if ('interrupt' in a) {
        ref(tasks, 'task', a.interrupt.task, [...at, 'interrupt', 'task']);
        if (a.interrupt.where !== undefined) expression(a.interrupt.where, [...at, 'interrupt', 'where']);
      }
    });
  };
  const runningRef = (r: { task: string; where?: string }, path: Path) => {
    ref(tasks, 'task', r.task, [...path, 'task']);
    if (r.where !== undefined) expression(r.where, [...path, 'where']);
  };
  const transfer = (tr: ModelTransfer, op: 'get' | 'put', at0: Path) => {
    if ((tr.container === undefined) === (tr.store === undefined)) {
      issues.push({
        code: 'custom',
        input: tr,
        path: [...at0, op],
        message: 'expected exactly one of container or store',
      });
    }
    if (tr.container !== undefined) ref(m.containers, 'container', tr.container, [...at0, op, 'container']);
    if (tr.store !== undefined) ref(m.stores, 'store', tr.store, [...at0, op, 'store']);
    if (typeof tr.amount === 'string') expression(tr.amount, [...at0, op, 'amount']);
    const ranked = tr.store !== undefined && m.stores?.[tr.store]?.priority === true;
    if (tr.priority !== undefined && (op === 'get' || !ranked)) {
      issues.push({
        code: 'custom',
        input: tr.priority,
        path: [...at0, op, 'priority'],
        message: 'a priority applies to a put into a priority store only (stores.<name>.priority: true)',
      });
    } else if (typeof tr.priority === 'string') expression(tr.priority, [...at0, op, 'priority']);
    if (tr.filter !== undefined && ranked) {
      issues.push({
        code: 'custom',
        input: tr.filter,
        path: [...at0, op, 'filter'],
        message: 'a priority store takes no filter: a get takes the item of the lowest priority',
      });
    } else if (tr.filter !== undefined) {
      if (op === 'put' || tr.store === undefined) {
        issues.push({
          code: 'custom',
          input: tr.filter,
          path: [...at0, op, 'filter'],
          message: 'a filter applies to a get from a store only',
        });
      } else expression(tr.filter, [...at0, op, 'filter']);
    }
  };
  const wait = (w: ModelWait<number>, path: Path) => {
    if ('request' in w) ref(m.resources, 'resource', w.request, [...path, 'request']);
    else if ('running' in w) runningRef(w.running, [...path, 'running']);
    else if ('get' in w) transfer(w.get, 'get', path);
    else if ('put' in w) transfer(w.put, 'put', path);
    else if ('signal' in w) ref(signals, 'signal', w.signal, [...path, 'signal']);
    else if ('task' in w) ref(tasks, 'task', w.task, [...path, 'task']);
    else if ('condition' in w) expression(w.condition, [...path, 'condition']);
    else if ('any' in w) for (const [k, b] of Object.entries(w.any)) wait(b, [...path, 'any', k]);
    else if ('all' in w) for (const [k, b] of Object.entries(w.all)) wait(b, [...path, 'all', k]);
    else if ('of' in w) {
      for (const [k, b] of Object.entries(w.of)) wait(b, [...path, 'of', k]);
      const n = Object.keys(w.of).length;
      if (w.atLeast > n) {
        issues.push({
          code: 'custom',
          input: w.atLeast,
          path: [...path, 'atLeast'],
          message: `expected at most ${n} (the number of branches in of)`,
        });
      }
    }
  };

  m.flows.forEach((f, i) => {
    if (f.start !== undefined) ref(tasks, 'task', f.start, ['flows', i, 'start']);
    values(f.attributes, ['flows', i, 'attributes']);
  });
  for (const [name, t] of Object.entries(tasks)) {
    const at: Path = ['tasks', name];
    if (t.service !== undefined) ref(m.service, 'service distribution', t.service, [...at, 'service']);
    const held = resourcesOf(t);
    held.forEach((r, k) => {
      ref(m.resources, 'resource', r, typeof t.resource === 'string' ? [...at, 'resource'] : [...at, 'resource', k]);
    });
    t.keep?.forEach((r, k) => {
      if (!held.includes(r)) {
        issues.push({
          code: 'custom',
          input: r,
          path: [...at, 'keep', k],
          message: `"${r}" is not a resource this task takes; expected one of: ${held.join(', ') || '(none)'}`,
        });
      }
    });
    for (const op of ['get', 'put'] as const) {
      const tr = t[op];
      if (tr !== undefined) transfer(tr, op, at);
    }
    for (const k of ['priority', 'patience'] as const) {
      const v = t[k];
      if (typeof v === 'string') expression(v, [...at, k]);
    }
    for (const k of ['balk', 'fail'] as const) {
      const v = t[k];
      if (v !== undefined) expression(v, [...at, k]);
    }
    // `wait.<branch>.` reads a branch of this task's own wait.
    const branches = waitBranches(t.wait);
    const ownWaits = (e: Expression | null, path: Path) => {
      for (const b of e?.references.waits ?? []) {
        if (!branches.has(b)) {
          issues.push({
            code: 'custom',
            input: b,
            path,
            message: `"${b}" is not a branch of this task's wait; expected one of: ${[...branches].join(', ') || '(none)'}`,
          });
        }
      }
    };
    for (const [k, v] of Object.entries(t.set ?? {})) {
      const text = expressionOf(v);
      if (text !== null) ownWaits(expression(text, [...at, 'set', k, 'expr']), [...at, 'set', k, 'expr']);
    }
    if (t.fail !== undefined) ownWaits(parseQuietly(t.fail), [...at, 'fail']);
    const next = t.next;
    if (typeof next === 'string') ref(tasks, 'task', next, [...at, 'next']);
    else if (next !== undefined && 'when' in next) {
      next.when.forEach((rule, k) => {
        const where = [...at, 'next', 'when', k, 'condition'];
        ownWaits(expression(rule.condition, where), where);
        ref(tasks, 'task', rule.task, [...at, 'next', 'when', k, 'task']);
      });
      if (next.default !== undefined) ref(tasks, 'task', next.default, [...at, 'next', 'default']);
    } else if (next !== undefined) {
      for (const k of Object.keys(next.weights)) ref(tasks, 'task', k, [...at, 'next', 'weights', k]);
    }
    for (const k of ['onFail', 'onInterruptNext'] as const) {
      const v = t[k];
      if (v !== undefined) ref(tasks, 'task', v, [...at, k]);
    }
    if (t.spawn !== undefined) ref(tasks, 'task', t.spawn.task, [...at, 'spawn', 'task']);
    if (t.signal !== undefined) ref(signals, 'signal', t.signal, [...at, 'signal']);
    if (t.interrupt !== undefined) {
      ref(tasks, 'task', t.interrupt.task, [...at, 'interrupt', 'task']);
      if (t.interrupt.where !== undefined) expression(t.interrupt.where, [...at, 'interrupt', 'where']);
    }
    if (t.wait !== undefined) wait(t.wait, [...at, 'wait']);
    if (t.subscribe !== undefined) {
      if ('signal' in t.subscribe) ref(signals, 'signal', t.subscribe.signal, [...at, 'subscribe', 'signal']);
      else if ('running' in t.subscribe) runningRef(t.subscribe.running, [...at, 'subscribe', 'running']);
      else ref(tasks, 'task', t.subscribe.task, [...at, 'subscribe', 'task']);
    }
    actions(t.on, [...at, 'on']);
  }
  for (const [name, s] of Object.entries(signals)) actions(s.on, ['signals', name, 'on']);
  (m.scenario ?? []).forEach((s, i) => {
    if (s.interrupt !== undefined) actions([{ interrupt: s.interrupt }], ['scenario', i]);
  });
  lockOrder(tasks, issues);
}

// The names of a wait's branches, nested groups included.
function waitBranches(w: ModelWait<number> | undefined, into = new Set<string>()): Set<string> {
  if (w === undefined) return into;
  const group = 'any' in w ? w.any : 'all' in w ? w.all : 'of' in w ? w.of : undefined;
  for (const [k, b] of Object.entries(group ?? {})) {
    into.add(k);
    waitBranches(b, into);
  }
  return into;
}

function parseQuietly(text: string): Expression | null {
  try {
    return parseExpression(text);
  } catch {
    return null; // reported where the expression was checked
  }
}

/** The tasks an `interrupt` (of a task, an action of a task or a signal, or a scenario step) may reach. @internal */
export function interruptTargets(m: ModelSpec<number>): Set<string> {
  const out = new Set<string>();
  const scan = (list: ModelAction<number>[] | undefined) => {
    for (const a of list ?? []) if ('interrupt' in a) out.add(a.interrupt.task);
  };
  for (const t of Object.values(m.tasks ?? {})) {
    if (t.interrupt !== undefined) out.add(t.interrupt.task);
    scan(t.on);
  }
  for (const s of Object.values(m.signals ?? {})) scan(s.on);
  for (const s of m.scenario ?? []) if (s.interrupt !== undefined) out.add(s.interrupt.task);
  return out;
}

/** The tasks a `running` wait branch or subscription names. @internal */
export function runningTargets(m: ModelSpec<number>): Set<string> {
  const out = new Set<string>();
  const waits = (w: ModelWait<number> | undefined) => {
    if (w === undefined) return;
    if ('running' in w) out.add(w.running.task);
    const group = 'any' in w ? w.any : 'all' in w ? w.all : 'of' in w ? w.of : undefined;
    for (const b of Object.values(group ?? {})) waits(b);
  };
  for (const t of Object.values(m.tasks ?? {})) {
    waits(t.wait);
    if (t.subscribe !== undefined && 'running' in t.subscribe) out.add(t.subscribe.running.task);
  }
  return out;
}

/** The resources a task takes, in order. @internal */
export function resourcesOf(t: ModelTask<number>): string[] {
  return t.resource === undefined ? [] : typeof t.resource === 'string' ? [t.resource] : t.resource;
}

/** The tasks an entity may go to after `t` (its `next`, in every form). @internal */
export function successors(t: ModelTask<number>): string[] {
  const n = t.next;
  if (n === undefined) return [];
  if (typeof n === 'string') return [n];
  if ('when' in n) return [...n.when.map((r) => r.task), ...(n.default === undefined ? [] : [n.default])];
  return Object.keys(n.weights);
}

// Resources are held in the order tasks take them: a after b in one task (or kept from a task before) and b after a
// in another is a cycle in the "held while waiting for" graph, which can deadlock.
function lockOrder(tasks: Record<string, ModelTask<number>>, issues: Issue[]): void {
  const edges = new Map<string, Map<string, string>>(); // from -> (to -> task that made the edge)
  const add = (from: string, to: string, task: string) => {
    if (from === to) return;
    let m = edges.get(from);
    if (m === undefined) edges.set(from, (m = new Map()));
    if (!m.has(to)) m.set(to, task);
  };
  for (const [name, t] of Object.entries(tasks)) {
    const rs = resourcesOf(t);
    for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) add(rs[i]!, rs[j]!, name);
    for (const k of t.keep ?? []) {
      for (const n of successors(t)) {
        for (const r of resourcesOf(tasks[n] ?? {})) if (!(t.keep ?? []).includes(r)) add(k, r, n);
      }
    }
  }
  for (const [from, tos] of edges) {
    for (const [to, task] of tos) {
      const back = edges.get(to)?.get(from);
      if (back !== undefined && from < to) {
        issues.push({
          code: 'custom',
          input: task,
          path: ['tasks', task, 'resource'],
          message: `task "${task}" takes "${from}" before "${to}" but task "${back}" takes them in the opposite order: the two can deadlock; take resources in one order everywhere`,
        });
      }
    }
  }
}
