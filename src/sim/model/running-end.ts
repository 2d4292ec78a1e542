import { Condition } from '../kernel/condition.ts';
import { Event } from '../kernel/events.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Entity, WaitOutcome } from './entity.ts';
import { type Expression, truthy } from './expression.ts';

/**
 * The end of the entity's instances of a task, and of those of the entities it spawned, ended ones included (those
 * whose `where` holds, read in each one's scope), as desflow's `running` wait: the payload for one, a map from
 * entity key to payload for several, {} at once for none.
 *
 * @internal
 */
export function runningEnd(
  env: RealtimeEnvironment,
  r: { task: string; where?: string },
  conditions: Map<string, Expression>,
  entity: Entity,
): Event<WaitOutcome> {
  const where = r.where === undefined ? undefined : conditions.get(r.where)!;
  // The one not ended on this process is the task asking.
  const selected = (entity.instances?.get(r.task) ?? []).filter(
    (i) =>
      (i.ended!.triggered || i.proc !== env.activeProcess) && (where === undefined || truthy(where.evaluate(i.scope))),
  );
  const out = new Event<WaitOutcome>(env);
  if (selected.length === 0) return out.succeed({ ok: true, value: {} });
  const events = selected.map((i) => i.ended!);
  new Condition(env, (_evs, count) => count >= events.length, events).addCallback(() => {
    const value =
      selected.length === 1
        ? events[0]!.value.value
        : Object.fromEntries(selected.map((i, k) => [i.scope.process?.instance ?? String(k), events[k]!.value.value]));
    out.succeed({ ok: true, value });
  });
  return out;
}
