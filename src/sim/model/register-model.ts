// A model's parameters in the registry: the live values its schedule, scenarios and outside updates change, and
// that arrivals, services and capacities read.
import type { RealtimeEnvironment } from '../realtime.ts';
import type { ModelSpec } from './spec.ts';

/** Replayed arrival rows, by arrival name. @internal */
export type ReplayRows = Map<string, Record<string, unknown>[]>;

/**
 * Registers a validated model's parameters (`<simId>.arrival.*`, `.service.*`, `.resources.*`, `.containers.*`,
 * `.stores.*`, `.variables.*`) in `env`'s registry, and returns the rows of its replayed arrivals, which stay out
 * of the registry: its reads copy a config, and the flow takes them from here.
 *
 * @example
 * const replayRows = registerModel(env, spec);
 * env.registry.get('Line_A.arrival.standard.rate'); // 2
 *
 * @internal
 */
export function registerModel(env: RealtimeEnvironment, spec: ModelSpec<number>): ReplayRows {
  const replayRows: ReplayRows = new Map();
  const arrival = { ...spec.arrival };
  for (const [name, c] of Object.entries(arrival)) {
    const rows = (c as { rows?: Record<string, unknown>[] }).rows;
    if (rows === undefined) continue;
    replayRows.set(name, rows);
    const { rows: _, ...rest } = c as { rows?: unknown };
    arrival[name] = rest as typeof c;
  }
  env.registry.register({
    simId: spec.simId,
    arrival,
    service: spec.service,
    ...(spec.resources === undefined ? {} : { resources: capacities(spec.resources) }),
    ...(spec.containers === undefined ? {} : { containers: capacities(spec.containers) }),
    ...(spec.stores === undefined ? {} : { stores: capacities(spec.stores) }),
    ...(spec.variables === undefined ? {} : { variables: spec.variables }),
  });
  return replayRows;
}

// Only the capacities are parameters: a resource's queue discipline or a store's items are fixed for the run.
function capacities(s: Record<string, { currentCap: number; maxCap: number }>) {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { currentCap: v.currentCap, maxCap: v.maxCap }]));
}
