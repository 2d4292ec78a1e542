import type { ParameterRegistry } from '../parameters.ts';
import { Resource } from './resource.ts';

/**
 * A `Resource` whose capacity follows the registry entry `<simId>.resources.<name>` (desflow's
 * `DynamicResource`): it starts at `currentCap`, may grow to `maxCap`, and changes when `currentCap` is updated —
 * growing serves the queue at once, shrinking lets work in progress finish.
 *
 * @example
 * registry.register({ simId: 'Line_A', resources: { lathe: { currentCap: 4, maxCap: 10 } } });
 * const lathe = dynamicResource(registry, 'Line_A', 'lathe');
 * registry.update('Line_A.resources.lathe.currentCap', 6); // lathe.capacity === 6
 */
export function dynamicResource(registry: ParameterRegistry, simId: string, name: string): Resource {
  const path = `${simId}.resources.${name}`;
  const cfg = registry.getConfig<{ currentCap: number; maxCap: number }>(path);
  // Resources start with a capacity > 0; a registered capacity of 0 applies right after construction.
  const res = new Resource(registry.env, {
    capacity: Math.max(cfg.currentCap, Number.MIN_VALUE),
    maxCapacity: cfg.maxCap,
    name: `${simId}.${name}`,
  });
  res.capacity = cfg.currentCap;
  registry.onChange(`${path}.currentCap`, (value) => {
    res.capacity = value as number;
  });
  return res;
}
