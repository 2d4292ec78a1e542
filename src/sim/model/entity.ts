import type { Event } from '../kernel/events.ts';
import type { Process } from '../kernel/process.ts';
import type { Request } from '../resources/resource.ts';
import type { ExpressionScope } from './expression.ts';
import type { SignalOutcome } from './signal-state.ts';

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

/** A task running for an entity, listed when an `interrupt` or a `running` wait may reach it. @internal */
export interface Instance {
  proc: Process<any> | null;
  scope: ExpressionScope;
  /** Succeeds when the instance ends (made when a `running` wait or subscription asks). */
  ended: Event<WaitOutcome> | null;
  /** How it ended: its payload, or its failure (ok false, the reason). */
  outcome: WaitOutcome | null;
}

/** How a task ended, and where its entity goes (with no next: how its flow ended). @internal */
export interface TaskOutcome {
  next: string | undefined;
  payload: Record<string, unknown>;
  end: 'finished' | 'ended' | 'failed';
}

/** What a wait ended with: every branch's outcome folded into one. @internal */
export interface WaitOutcome {
  ok: boolean;
  value: unknown;
}

/** What a wait, a request or a transfer returns when the entity's patience ran out first. @internal */
export const RENEGED = Symbol('reneged');

/** Lists an instance on its entity, and on the entity that spawned it while that one's flow goes on. @internal */
export function listInstance(entity: Entity, task: string, inst: Instance): void {
  for (const e of [entity, entity.spawnedBy]) {
    if (e === null || (e !== entity && e.ending)) continue;
    e.instances ??= new Map();
    let list = e.instances.get(task);
    if (list === undefined) e.instances.set(task, (list = []));
    list.push(inst);
  }
}
