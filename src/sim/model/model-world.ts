import { TwinstreamError } from '../../errors.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Container } from '../resources/container.ts';
import type { FilterStore } from '../resources/store.ts';
import type { ExpressionWorld } from './expression.ts';
import type { ModelResourceHandle } from './model-resource.ts';
import type { SignalState } from './signal-state.ts';

/** The parts of a running model that expressions read. @internal */
export interface WorldParts {
  env: RealtimeEnvironment;
  resources: Map<string, ModelResourceHandle>;
  containers: Map<string, Container>;
  stores: Map<string, FilterStore<unknown>>;
  signals: Map<string, SignalState>;
}

/**
 * What `level.`, `users.`, `queue.`, `putters.`, `getters.`, `count()`, `items()`, `signal.`, `registry[...]` and
 * `t` read in a running model. Names were checked when the model was validated, so a miss here is a bug.
 *
 * @internal
 */
export function modelWorld(p: WorldParts): ExpressionWorld {
  const holder = (name: string) => p.containers.get(name) ?? p.stores.get(name) ?? missing('container or store', name);
  return {
    now: () => p.env.now,
    level: (name) => {
      const c = p.containers.get(name);
      return c !== undefined ? c.level : (p.stores.get(name) ?? missing('container or store', name)).items.length;
    },
    users: (name) => (p.resources.get(name) ?? missing('resource', name)).resource.count,
    queue: (name) => (p.resources.get(name) ?? missing('resource', name)).resource.queue.length,
    putters: (name) => holder(name).putQueue.length,
    getters: (name) => holder(name).getQueue.length,
    storeItems: (name) => (p.stores.get(name) ?? missing('store', name)).items,
    signal: (name, part) => (p.signals.get(name) ?? missing('signal', name))[part],
    registry: (path) => p.env.registry.get(path),
  };
}

function missing(kind: string, name: string): never {
  throw new TwinstreamError(
    'TS_SIM_BAD_EXPRESSION',
    `an expression reads the ${kind} "${name}", which the model lacks`,
  );
}
