import type { Data, DesflowReader, Path } from './desflow-reader.ts';

/** The smallest delay desflow's sampler returns: every draw is raised to it. */
const MIN_DELAY = 0.00001;
// desflow's time-valued distribution parameters (in seconds or a duration such as `5 min`).
const TIMED = new Set(['mean', 'std', 'low', 'mode', 'high', 'scale', 'value']);

/**
 * A desflow distribution (a service, an arrival, a breakdown's times) with desflow's meaning: a lognormal by the
 * mean and std of its draws, a normal with no std is constant, a truncated normal bounded below only, and every draw
 * at least 1e-5 s as desflow's sampler makes it. Times may be durations such as `5 min`.
 *
 * @internal
 */
export function desflowDistribution(rd: DesflowReader, d: unknown, path: Path): Data {
  const c = rd.obj(d, path);
  const out: Data = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'spawn' || k === 'attributes' || k === 'replay' || v === null) continue;
    if (k === 'values' && Array.isArray(v)) out[k] = v.map((x, i) => rd.seconds(x, [...path, k, i]));
    else out[k] = TIMED.has(k) ? rd.seconds(v, [...path, k]) : v;
  }
  if (Array.isArray(c.edges)) out.edges = c.edges.map((x, i) => rd.seconds(x, [...path, 'edges', i]));
  switch (out.dist) {
    case 'normal':
      out.std ??= 0;
      break;
    case 'lognormal':
      // By the mean and std of its draws, as desflow gives it (so a live update of `mean` means the same).
      out.std ??= 0;
      break;
    case 'truncated_normal':
      // desflow's has no upper bound, a std of 0 by default and low 0 by default.
      out.std ??= 0;
      out.low ??= 0;
      if (out.high !== undefined) rd.fail([...path, 'high'], "desflow's truncated_normal takes mean, std and low only");
      break;
  }
  out.min = MIN_DELAY;
  return out;
}
