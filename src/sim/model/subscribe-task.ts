import type { Entity } from './entity.ts';
import { runningEnd } from './running-end.ts';
import type { SignalOutcome } from './signal-state.ts';
import type { ModelTask } from './spec.ts';
import type { TaskPlan } from './task-plan.ts';
import type { TaskRunner } from './task-runner.ts';

/**
 * A task's `subscribe`: the running task is interrupted, with the cause `{ event, value }`, when a signal fires next,
 * when the entity's `running` instances end, or when a child flow it starts for the entity ends; not once the task
 * has ended (its entity may be in the next one). Returns what ends the subscription.
 *
 * @internal
 */
export function subscribeTask(
  runner: TaskRunner,
  s: NonNullable<ModelTask<number>['subscribe']>,
  entity: Entity,
  upstream: Record<string, unknown>,
  plan: TaskPlan,
): () => void {
  const proc = runner.env.activeProcess!;
  let active = true;
  const tell = (event: string | null, value: unknown) => {
    if (active && proc.isAlive) proc.interrupt({ event, value });
  };
  if ('signal' in s) {
    const signal = runner.parts.signals.get(s.signal)!;
    const ev = signal.wait();
    ev.addCallback((e) => tell(null, (e.value as SignalOutcome).value));
    return () => {
      active = false;
      if (!ev.triggered) signal.forget(ev);
    };
  }
  if ('running' in s) {
    runningEnd(runner.env, s.running, plan.waitConditions, entity).addCallback((e) =>
      tell(s.running.task, e.value.value),
    );
    return () => {
      active = false;
    };
  }
  const child = runner.start(entity, s.task, upstream, null, `${entity.key}.${s.task}`);
  child.addCallback((e) => tell(s.task, e.value));
  return () => {
    active = false;
  };
}
