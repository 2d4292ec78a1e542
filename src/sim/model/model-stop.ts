import type { TwinstreamError } from '../../errors.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import { type ExpressionWorld, parseExpression, truthy } from './expression.ts';
import type { SignalState } from './signal-state.ts';
import type { ModelSpec, ModelStop } from './spec.ts';

type Issue = { code: 'custom'; input: unknown; path: (string | number)[]; message: string };

/**
 * What ended a model run before `until`: its `run.stop` (the signal's firing, with its outcome, or the condition),
 * or a stop from outside (`runModel`'s `signal`).
 */
export interface ModelStopReason {
  /** `signal <name>`, `condition <text>` or `stopped from outside`. */
  by: string;
  /** Simulated time of the stop. */
  at: number;
  /** A stop on a signal: whether the firing succeeded, and its value. */
  ok?: boolean;
  value?: unknown;
}

/**
 * Checks a model's `run.stop`: the signal it names exists; the condition parses, its names exist, and it reads
 * no entity (`attr.`, `payload.`, `item.`, `wait.`), as it is checked outside every task.
 *
 * @example
 * checkStop(spec, issues); // in validateModel's cross-references
 * @internal
 */
export function checkStop(m: ModelSpec<number>, issues: Issue[]): void {
  const stop = m.run.stop;
  if (stop === undefined) return;
  const issue = (key: string, input: unknown, message: string) =>
    issues.push({ code: 'custom', input, path: ['run', 'stop', key], message });
  const names = (o: object | undefined) => Object.keys(o ?? {});
  const missing = (kind: string, name: string, section: object | undefined) =>
    `"${name}" is not a ${kind} of this model; expected one of: ${names(section).join(', ') || '(none)'}`;
  if ('signal' in stop) {
    if (!Object.hasOwn(m.signals ?? {}, stop.signal))
      issue('signal', stop.signal, missing('signal', stop.signal, m.signals));
    return;
  }
  let e: ReturnType<typeof parseExpression>;
  try {
    e = parseExpression(stop.condition);
  } catch (error) {
    issue('condition', stop.condition, (error as TwinstreamError).message);
    return;
  }
  const r = e.references;
  const holders = { ...(m.containers ?? {}), ...(m.stores ?? {}) };
  for (const h of r.holders)
    if (!Object.hasOwn(holders, h)) issue('condition', h, missing('container or store', h, holders));
  for (const x of r.resources)
    if (!Object.hasOwn(m.resources ?? {}, x)) issue('condition', x, missing('resource', x, m.resources));
  for (const s of r.stores) if (!Object.hasOwn(m.stores ?? {}, s)) issue('condition', s, missing('store', s, m.stores));
  for (const s of r.signals)
    if (!Object.hasOwn(m.signals ?? {}, s)) issue('condition', s, missing('signal', s, m.signals));
  const entity = [
    r.attr.size > 0 ? 'attr.<...>' : '',
    r.payload.size > 0 ? 'payload.<...>' : '',
    r.item ? 'item.<...>' : '',
    r.waits.size > 0 ? 'wait.<...>' : '',
  ].filter((x) => x !== '');
  if (entity.length > 0) {
    issue(
      'condition',
      stop.condition,
      `a stop condition is checked outside every task, so it cannot read ${entity.join(', ')}; read levels, users, queues, count(), signals, the registry or t`,
    );
  }
}

/** What `armStop` needs of the built model. @internal */
export interface StopParts {
  env: RealtimeEnvironment;
  signals: Map<string, SignalState>;
  world: ExpressionWorld;
  /** Calls `fn` after every change of the model's state; returns what stops calling it. */
  watch(fn: () => void): () => void;
  /** Where the reason goes. */
  stopped(reason: ModelStopReason): void;
}

/**
 * Ends the run (`env.stop()`) at the first firing of the stop's signal, or as soon as its condition holds: checked
 * now and after every change of the model's state (levels, resources, signals, tasks), as a task's
 * `wait: { condition }` is.
 *
 * @example
 * armStop({ condition: 'level.stock < 10' }, { env, signals, world, watch, stopped: (r) => (built.stopped = r) });
 * @internal
 */
export function armStop(stop: ModelStop, p: StopParts): void {
  const env = p.env;
  if ('signal' in stop) {
    let done = false;
    p.signals.get(stop.signal)!.onFire((o) => {
      if (done) return;
      done = true;
      p.stopped({ by: `signal ${stop.signal}`, at: env.now, ok: o.ok, value: o.value });
      env.stop();
    });
    return;
  }
  const condition = parseExpression(stop.condition);
  const scope = { attr: {}, payload: {}, item: undefined, world: p.world };
  let unwatch: (() => void) | null = null;
  let done = false;
  const check = () => {
    if (done || !truthy(condition.evaluate(scope))) return;
    done = true;
    unwatch?.();
    unwatch = null;
    p.stopped({ by: `condition ${stop.condition}`, at: env.now });
    env.stop();
  };
  unwatch = p.watch(check);
  check();
}
