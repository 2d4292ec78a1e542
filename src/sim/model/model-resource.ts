import type { ParameterRegistry } from '../parameters.ts';
import { PreemptiveResource, PriorityResource, type Request, Resource } from '../resources/resource.ts';
import type { ModelResource } from './spec.ts';

// A resource whose queue is served last come, first served: each new request goes to the front.
class LifoResource extends Resource {
  protected override enqueuePut(event: Request): void {
    this.putQueue.unshift(event);
  }
}

/** A model's resource and what its tasks need to know to use it. @internal */
export interface ModelResourceHandle {
  readonly resource: Resource<any>;
  /** Requests carry a priority (queue `priority`, or a preemptive resource). */
  readonly prioritised: boolean;
  readonly queueLimit: number;
  /** Down for repair: capacity changes from the registry wait until it is repaired. */
  down: boolean;
  /** The capacity the registry asks for (applied when not down). */
  wanted: number;
}

/**
 * The resource of a model entry: FIFO (`Resource`), LIFO, by priority (`PriorityResource`) or preemptive
 * (`PreemptiveResource`); unlimited when its capacity is infinite. Its capacity follows the registry's
 * `<simId>.resources.<name>.currentCap`, as `dynamicResource` does, except while it is down for repair.
 *
 * @internal
 */
export function modelResource(
  registry: ParameterRegistry,
  simId: string,
  name: string,
  spec: ModelResource,
): ModelResourceHandle {
  const path = `${simId}.resources.${name}`;
  const cfg = registry.getConfig<{ currentCap: number; maxCap: number }>(path);
  const options = {
    capacity: Math.max(cfg.currentCap, Number.MIN_VALUE),
    maxCapacity: cfg.maxCap,
    name: `${simId}.${name}`,
  };
  const env = registry.env;
  const resource: Resource<any> = spec.preempt
    ? new PreemptiveResource(env, options)
    : spec.queue === 'priority'
      ? new PriorityResource(env, options)
      : spec.queue === 'lifo'
        ? new LifoResource(env, options)
        : new Resource(env, options);
  resource.capacity = cfg.currentCap;
  const handle: ModelResourceHandle = {
    resource,
    prioritised: spec.preempt === true || spec.queue === 'priority',
    queueLimit: spec.queueLimit ?? Number.POSITIVE_INFINITY,
    down: false,
    wanted: cfg.currentCap,
  };
  registry.onChange(`${path}.currentCap`, (value) => {
    handle.wanted = value as number;
    if (!handle.down) resource.capacity = value as number;
  });
  return handle;
}
