import { type Data, type DesflowReader, PYTHON } from './desflow-reader.ts';
import type { DesflowSimulation } from './desflow-simulation.ts';

/**
 * A blueprint's `run` block (`until`, `stop`) with the `simulation` block's pace, seed, warm-up and clock: the
 * model's `run`.
 *
 * @internal
 */
export function desflowRun(rd: DesflowReader, blueprint: Data, sim: DesflowSimulation): Data {
  const run = rd.obj(blueprint.run, ['run']);
  rd.refuse(run, ['before'], ['run'], PYTHON);
  // desflow's `drain: true` or `{ limit: 1 h }`: at `until` the arrivals stop and the run goes on until no entity is
  // left (for at most the limit).
  let drain: boolean | number | undefined;
  if (run.drain === true) drain = true;
  else if (run.drain !== undefined && run.drain !== null && run.drain !== false) {
    const d = rd.obj(run.drain, ['run', 'drain']);
    rd.refuse(
      d,
      Object.keys(d).filter((k) => k !== 'limit'),
      ['run', 'drain'],
      'expected true or { limit: <duration> }',
    );
    drain = d.limit === undefined || d.limit === null ? true : rd.seconds(d.limit, ['run', 'drain', 'limit']);
  }
  if (run.until === undefined || run.until === null)
    rd.fail(['run', 'until'], 'expected how long to run (twinstream needs an until)');
  const { goLiveAt, warmup, seed, logicalStartTime, timeZone } = sim;
  return {
    until: rd.seconds(run.until, ['run', 'until']),
    // desflow paces the run at `factor` until `go_live_at` and at 1 (real time) from then; twinstream backfills
    // unpaced until `goLiveAt` and runs at `factor` from then.
    factor: goLiveAt === undefined ? (sim.factor ?? 1) : 1,
    ...(warmup === undefined ? {} : { warmup }),
    ...(drain === undefined ? {} : { drain }),
    ...(seed === undefined ? {} : { seed }),
    // desflow's `{ signal: name }` or `{ condition: text }` is twinstream's, expression language included.
    ...(run.stop === undefined || run.stop === null ? {} : { stop: run.stop }),
    ...(logicalStartTime === undefined ? {} : { logicalStartTime }),
    ...(goLiveAt === undefined ? {} : { goLiveAt }),
    // desflow writes timestamps in its time zone, with the offset.
    ...(timeZone === undefined ? {} : { timeZone, localTimestamps: true }),
  };
}

/** A blueprint's `stats`: a level, or `{ level, interval }`. @internal */
export function desflowStats(rd: DesflowReader, blueprint: Data): Data | undefined {
  const stats = blueprint.stats;
  if (typeof stats === 'string') return { level: stats };
  if (stats === undefined || stats === null) return undefined;
  const s = rd.obj(stats, ['stats']);
  return {
    level: s.level,
    ...(s.interval === undefined ? {} : { interval: rd.seconds(s.interval, ['stats', 'interval']) }),
  };
}
