import type { ParameterRegistry } from '../parameters.ts';
import type { Container } from '../resources/container.ts';
import type { Resource } from '../resources/resource.ts';
import type { Store } from '../resources/store.ts';
import type { HolderStats, ModelStatistics, ResourceStats } from './model-statistics.ts';

/** The statistics records of a model's resources, containers and stores, by name. */
export interface MeasuredModel {
  resources: Map<string, ResourceStats>;
  holders: Map<string, HolderStats>;
}

/**
 * Registers a model's resources, containers and stores with its statistics, and follows their capacities in the
 * parameter registry: a capacity lowered under the units in use changes the utilisation with no request or release.
 *
 * @example
 * const measured = measureModel(statistics, env.registry, 'Line_A', { resources, containers, stores });
 * measured.resources.get('lathe')!.changed();
 */
export function measureModel(
  statistics: ModelStatistics,
  registry: ParameterRegistry,
  simId: string,
  parts: {
    resources: Map<string, Resource>;
    containers: Map<string, Container>;
    stores: Map<string, Store<string>>;
  },
): MeasuredModel {
  const resources = new Map<string, ResourceStats>();
  const holders = new Map<string, HolderStats>();
  for (const [name, r] of parts.resources) {
    const s = statistics.resource(name, r);
    resources.set(name, s);
    if (statistics.enabled) registry.onChange(`${simId}.resources.${name}.currentCap`, () => s.changed());
  }
  for (const [name, c] of parts.containers) holders.set(name, statistics.holder('containers', name, c));
  for (const [name, store] of parts.stores) {
    const level = {
      get capacity() {
        return store.capacity;
      },
      get level() {
        return store.items.length;
      },
    };
    holders.set(name, statistics.holder('stores', name, level));
  }
  return { resources, holders };
}
