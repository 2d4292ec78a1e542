// The arrivals of flows that start at a task: each arrival becomes an entity with its attributes (literals, or
// expressions reading the attributes set before them, the model's state and `t`, then a replayed row's fields),
// and the task runner takes it from task to task.
import type { ProcessGenerator } from '../kernel/process.ts';
import { expressionOf } from './check-tasks.ts';
import type { Entity } from './entity.ts';
import { type Expression, type ExpressionScope, type ExpressionWorld, parseExpression } from './expression.ts';
import type { ReplayRows } from './register-model.ts';
import type { ModelFlow } from './spec.ts';
import type { FlowParts } from './step-flow.ts';
import type { TaskRunner } from './task-runner.ts';

/** What the flows that start at a task need besides the shared parts. @internal */
export interface TaskFlowParts extends FlowParts {
  runner: TaskRunner;
  world: ExpressionWorld;
  replayRows: ReplayRows;
}

/**
 * Builds the arrival process of a model's flows that start at a task (`flow.start`). An entity counts as completed
 * when its last task ends it as done.
 *
 * @example
 * const entering = taskFlow({ ...flowParts, runner, world, replayRows });
 * env.process(entering(flow), `${flow.name}-arrivals`);
 *
 * @internal
 */
export function taskFlow(parts: TaskFlowParts): (flow: ModelFlow) => ProcessGenerator<void> {
  // Constants of this closure, as they were of the model's: the generator reads them from its context.
  const { env, simId: id, from, sampler, statistics, counts, built, left, runner, world, replayRows } = parts;

  return function* entering(flow: ModelFlow): ProcessGenerator<void> {
    const path = `${id}.arrival.${flow.arrival}`;
    const config = env.registry.getConfig(path);
    const prefix = flow.entity ?? 'task';
    const limit = flow.limit ?? Number.POSITIVE_INFINITY;
    const flowStats = statistics.flow(flow.name);
    const attributes = Object.entries(flow.attributes ?? {}).map(([k, v]) => {
      const text = expressionOf(v);
      return [k, text === null ? v : parseExpression(text)] as const;
    });
    const rows = replayRows.get(flow.arrival);
    for (let n = 0; n < limit; n++) {
      yield env.timeout(sampler.sample(config, path));
      // A drain stops the arrivals, as desflow's.
      if (built.closed) return;
      counts.arrived[flow.name] = n + 1;
      flowStats.started++;
      const attr: Record<string, unknown> = {};
      const scope: ExpressionScope = { attr, payload: {}, item: undefined, world };
      for (const [k, v] of attributes) {
        attr[k] = v !== null && typeof v === 'object' && 'evaluate' in v ? (v as Expression).evaluate(scope) : v;
      }
      // A replayed row's fields replace the attributes of the same name (as desflow's do).
      if (rows !== undefined && n < rows.length) Object.assign(attr, rows[n]);
      const entity: Entity = {
        key: `${prefix}-${n + from}`,
        attr,
        kept: new Map(),
        ended: null,
        instances: null,
        spawnedBy: null,
        ending: false,
      };
      built.inSystem++;
      const proc = runner.start(entity, flow.start!, {}, flowStats, `${flow.name}-${n}`);
      proc.addCallback((e) => {
        entity.ending = true;
        if (e.ok && e.value === true) counts.completed[flow.name] = (counts.completed[flow.name] ?? 0) + 1;
        left();
      });
    }
  };
}
