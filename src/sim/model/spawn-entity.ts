import type { ProcessGenerator } from '../kernel/process.ts';
import type { Entity } from './entity.ts';
import type { TaskRunner } from './task-runner.ts';

/**
 * Starts a new entity at `task`, after `after`, keyed `<task>-<n>` (n counted per task from the model's
 * `entities.numberFrom`). It starts with a copy of the spawning entity's attributes, or with `entities.spawned:
 * parent` only `{ parent: <its key> }`, as desflow's; its first task reads the spawning task's outcome as its
 * `payload.` (empty when a signal or a scenario spawns it). Its flow is counted in the statistics of a flow named
 * after the task.
 *
 * @internal
 */
export function spawnEntity(
  runner: TaskRunner,
  task: string,
  after: number | undefined,
  parent: Entity | null,
  upstream: Record<string, unknown>,
): void {
  const n = runner.spawned.get(task) ?? 0;
  runner.spawned.set(task, n + 1);
  const entities = runner.parts.entities;
  const entity: Entity = {
    key: `${task}-${n + (entities?.numberFrom ?? 0)}`,
    attr: entities?.spawned === 'parent' ? { parent: parent?.key ?? null } : { ...(parent?.attr ?? {}) },
    kept: new Map(),
    ended: null,
    instances: null,
    spawnedBy: parent,
    ending: false,
  };
  const env = runner.env;
  const delayed = after !== undefined && after > 0;
  // In the model from now, or once its delay has passed, as desflow counts it (a drain waits for it from then).
  if (!delayed) runner.parts.entered?.();
  env.process(
    (function* (): ProcessGenerator<boolean> {
      if (delayed) {
        yield env.timeout(after);
        runner.parts.entered?.();
      }
      const stats = runner.parts.flowStats?.(task) ?? null;
      if (stats !== null) stats.started++;
      try {
        return yield* runner.flow(entity, task, upstream, stats);
      } finally {
        entity.ending = true;
        runner.parts.left?.();
      }
    })(),
    `${task}-${n}`,
  );
}
