import { type Data, type DesflowReader, NOT_YET, PYTHON } from './desflow-reader.ts';

/** A blueprint's `simulation` block, read: the model's name, random seed, pace and clock. @internal */
export interface DesflowSimulation {
  simId: string;
  factor: number | undefined;
  seed: number | undefined;
  warmup: number | undefined;
  logicalStartTime: string | undefined;
  goLiveAt: string | undefined;
  timeZone: string | undefined;
}

/**
 * Reads a blueprint's `simulation` block (`sim_id`, `random_seed`, `factor`, `warmup` and the clock:
 * `logical_start_time`, `timezone`, `go_live_at`), refusing what needs Python or is not translated yet.
 *
 * @internal
 */
export function desflowSimulation(rd: DesflowReader, blueprint: Data): DesflowSimulation {
  const sim = rd.obj(blueprint.simulation, ['simulation']);
  rd.refuse(sim, ['environment'], ['simulation'], PYTHON);
  rd.refuse(sim, ['lag_interval'], ['simulation'], NOT_YET);
  if (typeof sim.sim_id !== 'string') rd.fail(['simulation', 'sim_id'], 'expected the simulation name');
  const time = (key: string): string | undefined => {
    const v = sim[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string')
      rd.fail(['simulation', key], 'expected now, a signed duration such as -1d, or an ISO datetime');
    // desflow reads `now` in any case and allows spaces around the parts.
    return (v as string).trim().toLowerCase() === 'now' ? 'now' : (v as string).trim();
  };
  if (sim.initial_time !== undefined && sim.initial_time !== null && sim.initial_time !== 0)
    rd.fail(['simulation', 'initial_time'], `a start other than 0 ${NOT_YET}`);
  return {
    simId: sim.sim_id as string,
    factor: sim.factor as number | undefined,
    seed: typeof sim.random_seed === 'number' && sim.random_seed >= 1 ? sim.random_seed : undefined,
    warmup:
      sim.warmup === undefined || sim.warmup === null ? undefined : rd.seconds(sim.warmup, ['simulation', 'warmup']),
    logicalStartTime: time('logical_start_time'),
    goLiveAt: time('go_live_at'),
    timeZone: sim.timezone === undefined || sim.timezone === null ? undefined : String(sim.timezone),
  };
}
