// A paced simulation whose arrival rate is a live parameter, for the ingress tests: it records every arrival and
// the simulated time at which the parameter changed, so a test can check the simulation reacted.
import { RealtimeEnvironment, Sampler, type SimRecord } from '../../../src/sim/index.ts';

export const ARRIVAL = 'Line_A.arrival.standard';

/** The twin: arrivals every `value` (constant, 2 simulated s at first), paced at factor 0.05 (one unit = 50 ms). */
export function pacedTwin() {
  const env = new RealtimeEnvironment({ factor: 0.05, logicalStartTime: Date.parse('2024-01-01T00:00:00Z') });
  env.registry.register({
    simId: 'Line_A',
    arrival: { standard: { dist: 'constant', value: 2 } },
    service: { milling: { dist: 'constant', value: 1 } },
  });
  const arrivals: number[] = [];
  env.setupEgress(
    [
      {
        name: 'collect',
        write(batch: readonly SimRecord[]) {
          for (const r of batch) if (r.stream_type === 'event') arrivals.push(r.sim_ts);
        },
      },
    ],
    { batchSize: 1 },
  );
  const sampler = new Sampler({ seed: 7 });
  env.process(
    (function* () {
      for (let id = 0; ; id++) {
        env.publishEvent(`task-${id}`, { path_id: ARRIVAL, status: 'arrived' });
        yield env.timeout(sampler.sample(env.registry.getConfig(ARRIVAL) as never));
      }
    })(),
  );
  const changes: number[] = [];
  env.registry.onChange(ARRIVAL, () => changes.push(env.now));
  const stop = env.event();
  const running = env.run({ until: stop });
  return {
    env,
    arrivals,
    changes,
    running,
    /** Resolves when `cond()` holds (polled every 10 ms), rejects after `ms`. */
    async until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop(): Promise<void> {
      stop.succeed();
      env.notifyExternalInput();
      await running;
      await env.teardown();
    },
  };
}

/**
 * Checks the arrivals: every 2 until the one already scheduled when the rate changed, every `after` since then.
 * Returns how many arrivals came after the change.
 */
export function gapsAfterChange(arrivals: readonly number[], changedAt: number, after: number): number {
  let i = 0;
  while (i + 1 < arrivals.length && arrivals[i + 1]! <= changedAt) i++;
  // arrivals[i] is the last one before the change; arrivals[i + 1] was already scheduled 2 later.
  for (let k = 1; k <= i + 1 && k < arrivals.length; k++) {
    const gap = arrivals[k]! - arrivals[k - 1]!;
    if (Math.abs(gap - 2) > 1e-9) throw new Error(`gap ${gap} before the change at ${arrivals[k]}; expected 2`);
  }
  for (let k = i + 2; k < arrivals.length; k++) {
    const gap = arrivals[k]! - arrivals[k - 1]!;
    if (Math.abs(gap - after) > 1e-9)
      throw new Error(`gap ${gap} after the change at ${arrivals[k]}; expected ${after}`);
  }
  return arrivals.length - (i + 2);
}
