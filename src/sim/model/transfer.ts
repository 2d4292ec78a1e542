import type { Event } from '../kernel/events.ts';
import { RENEGED } from './entity.ts';
import { evaluateAmount } from './evaluate-amount.ts';
import { type ExpressionScope, type ExpressionWorld, truthy } from './expression.ts';
import { RankedStore } from './ranked-store.ts';
import type { TransferPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';

/**
 * A task's `get` or `put` on a container or store. With `wait: false` it is made and not waited for; otherwise it is
 * waited for until the entity's `deadline` (then withdrawn: RENEGED) or an interrupt (withdrawn, rethrown). Gives
 * what a get received.
 *
 * @internal
 */
export function* transfer(
  runner: TaskRunner,
  tr: TransferPlan,
  op: 'get' | 'put',
  scope: ExpressionScope,
  payload: Record<string, unknown> | null,
  deadline: number,
): Generator<Event<any>, unknown> {
  const env = runner.env;
  const ev = transferEvent(runner.parts.world, tr, op, scope, payload);
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
  runner.changed();
  return ev.value;
}

/**
 * The get or put event of a transfer, not waited for: an amount of a container, an item into a store (ranked in a
 * priority store), or the first item of a store (the first its `filter` accepts).
 *
 * @internal
 */
export function transferEvent(
  world: ExpressionWorld,
  tr: TransferPlan,
  op: 'get' | 'put',
  scope: ExpressionScope,
  payload: Record<string, unknown> | null,
): Event<any> {
  if (tr.container !== undefined) {
    const amount = evaluateAmount(tr.amount, scope, `${op} amount`);
    return op === 'get' ? tr.container.get(amount) : tr.container.put(amount);
  }
  const store = tr.store!;
  if (op === 'put') return store instanceof RankedStore ? store.putRanked(payload, tr.rank(scope)) : store.put(payload);
  if (tr.filter === undefined) return store.get();
  const filter = tr.filter;
  const s: ExpressionScope = { attr: scope.attr, payload: scope.payload, item: undefined, world };
  return store.get((item) => {
    s.item = item;
    return truthy(filter.evaluate(s));
  });
}
