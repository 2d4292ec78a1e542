import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { Sampler } from '../sampler.ts';
import type { ResourceStats } from '../stats/model-statistics.ts';
import type { ModelResourceHandle } from './model-resource.ts';
import type { ModelBreakdown } from './spec.ts';

/**
 * A resource's breakdowns (desflow's `breakdown`): it runs for a sample of `timeToFailure`, then is down for a
 * sample of `repair` (capacity 0: nothing new is granted); with `work: 'interrupt'` the tasks it serves are
 * interrupted (cause `breakdown`) and follow their `onInterrupt`, with `'finish'` they finish first. Publishes
 * `down` and `repaired` under `<resource>-breakdown`; each draw has its own random stream.
 *
 * @internal
 */
export function* breakdowns(
  env: RealtimeEnvironment,
  simId: string,
  name: string,
  handle: ModelResourceHandle,
  stats: ResourceStats,
  spec: ModelBreakdown,
  sampler: Sampler,
  publish: (key: string, value: Record<string, unknown>) => void,
  changed: () => void = () => {},
): ProcessGenerator<void> {
  const res = handle.resource;
  const key = `${name}-breakdown`;
  const ttf = `${simId}.resources.${name}.breakdown.timeToFailure`;
  const repair = `${simId}.resources.${name}.breakdown.repair`;
  for (;;) {
    yield env.timeout(sampler.sample(spec.timeToFailure, ttf));
    handle.down = true;
    res.capacity = 0;
    stats.down(true);
    stats.changed();
    publish(key, { resource: name, status: 'down' });
    changed();
    if (spec.work !== 'finish') {
      for (const req of [...res.users]) {
        const proc = req.proc as { isAlive?: boolean; interrupt?: (c: unknown) => void } | null;
        if (proc?.isAlive && proc !== env.activeProcess) proc.interrupt!('breakdown');
      }
    }
    yield env.timeout(sampler.sample(spec.repair, repair));
    handle.down = false;
    res.capacity = handle.wanted;
    stats.down(false);
    stats.changed();
    publish(key, { resource: name, status: 'repaired' });
    // Requests granted by the repair: conditions (a stop, a wait) read them now, as desflow's.
    changed();
  }
}
