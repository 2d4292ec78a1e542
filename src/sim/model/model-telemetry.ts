// A model's telemetry: the state of its resources, containers and stores, published at a fixed interval of
// simulated time.
import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { BuiltModel } from './build.ts';

/**
 * Publishes every `interval`: each resource's `capacity`, `in_use`, `queue_length` and `utilization` (in %),
 * each container's `level` and each store's `items`, as `<simId>.<name>.<measure>` telemetry.
 *
 * @example
 * env.process(modelTelemetry(env, 'Line_A', built, 60), 'telemetry');
 *
 * @internal
 */
export function* modelTelemetry(
  env: RealtimeEnvironment,
  id: string,
  m: BuiltModel,
  interval: number,
): ProcessGenerator<void> {
  for (;;) {
    for (const [name, r] of m.resources) {
      env.publishTelemetry(`${id}.${name}.capacity`, r.capacity);
      env.publishTelemetry(`${id}.${name}.in_use`, r.count);
      env.publishTelemetry(`${id}.${name}.queue_length`, r.queue.length);
      env.publishTelemetry(`${id}.${name}.utilization`, r.capacity > 0 ? (r.count / r.capacity) * 100 : 0);
    }
    for (const [name, c] of m.containers) env.publishTelemetry(`${id}.${name}.level`, c.level);
    for (const [name, s] of m.stores) env.publishTelemetry(`${id}.${name}.items`, s.items.length);
    yield env.timeout(interval);
  }
}
