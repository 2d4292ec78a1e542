// The parts of a model that entities use and expressions read: its resources, containers, stores and signals,
// created from the spec and following their capacities in the registry.
import type { RealtimeEnvironment } from '../realtime.ts';
import { Container } from '../resources/container.ts';
import { dynamicResource } from '../resources/dynamic.ts';
import type { Resource } from '../resources/resource.ts';
import { FilterStore } from '../resources/store.ts';
import { type ModelResourceHandle, modelResource } from './model-resource.ts';
import { RankedStore } from './ranked-store.ts';
import { SignalState } from './signal-state.ts';
import type { ModelSpec } from './spec.ts';

/** A model's resources, containers, stores and signals, by name. @internal */
export interface ModelParts {
  resources: Map<string, Resource>;
  /** The resources with what tasks need to use them (priorities, queue limits, repairs). */
  handles: Map<string, ModelResourceHandle>;
  containers: Map<string, Container>;
  stores: Map<string, FilterStore<unknown>>;
  signals: Map<string, SignalState>;
}

/**
 * Creates a model's parts in `env`, once its parameters are registered: each capacity follows the registry's
 * `<simId>.<kind>.<name>.currentCap`. A store starts with its `items` (up to its capacity).
 *
 * @example
 * registerModel(env, spec);
 * const { resources } = modelParts(env, spec);
 * resources.get('lathe')!.capacity; // 4
 *
 * @internal
 */
export function modelParts(env: RealtimeEnvironment, spec: ModelSpec<number>): ModelParts {
  const id = spec.simId;
  const resources = new Map<string, Resource>();
  const handles = new Map<string, ModelResourceHandle>();
  for (const [name, r] of Object.entries(spec.resources ?? {})) {
    // A plain resource stays the one hand-written models use; options need the model's own.
    const plain = r.queue === undefined && r.preempt === undefined && r.queueLimit === undefined && !r.breakdown;
    const handle = plain
      ? {
          resource: dynamicResource(env.registry, id, name),
          prioritised: false,
          queueLimit: Number.POSITIVE_INFINITY,
          down: false,
          wanted: r.currentCap,
        }
      : modelResource(env.registry, id, name, r);
    handles.set(name, handle);
    resources.set(name, handle.resource);
  }
  const containers = new Map<string, Container>();
  for (const [name, c] of Object.entries(spec.containers ?? {})) {
    const container = new Container(env, {
      capacity: Math.max(c.currentCap, Number.MIN_VALUE),
      maxCapacity: c.maxCap,
      init: Math.min(c.init ?? 0, c.currentCap),
      name: `${id}.${name}`,
    });
    env.registry.onChange(`${id}.containers.${name}.currentCap`, (v) => {
      container.capacity = v as number;
    });
    containers.set(name, container);
  }
  const stores = new Map<string, FilterStore<unknown>>();
  for (const [name, s] of Object.entries(spec.stores ?? {})) {
    const options = {
      capacity: Math.max(s.currentCap, Number.MIN_VALUE),
      maxCapacity: s.maxCap,
      name: `${id}.${name}`,
    };
    const store = s.priority === true ? new RankedStore<unknown>(env, options) : new FilterStore<unknown>(env, options);
    // The items a store holds when the run starts, in the order gets receive them (up to its capacity); a priority
    // store's are [rank, item] pairs.
    for (const item of (s.items ?? []).slice(0, Number.isFinite(s.currentCap) ? s.currentCap : undefined)) {
      if (store instanceof RankedStore) store.seed((item as unknown[])[1], (item as unknown[])[0]);
      else store.items.push(item);
    }
    env.registry.onChange(`${id}.stores.${name}.currentCap`, (v) => {
      store.capacity = v as number;
    });
    stores.set(name, store);
  }
  const signals = new Map<string, SignalState>();
  for (const [name, s] of Object.entries(spec.signals ?? {}))
    signals.set(name, new SignalState(env, name, s.once ?? false));
  return { resources, handles, containers, stores, signals };
}
