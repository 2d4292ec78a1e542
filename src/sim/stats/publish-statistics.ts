import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { ModelStatistics } from './model-statistics.ts';

/**
 * Publishes every statistic as telemetry (`path_id` = its name), skipping the ones whose value is the same as at
 * the last publication: a run's telemetry holds each change once, and its last values are the state at the end.
 * `last` keeps the published values between calls.
 *
 * @example
 * const last = new Map<string, number>();
 * publishReadings(env, statistics, last); // at the end of a run
 */
export function publishReadings(
  env: RealtimeEnvironment,
  statistics: ModelStatistics,
  last: Map<string, number>,
): number {
  let n = 0;
  for (const [name, value] of Object.entries(statistics.readings())) {
    if (last.get(name) === value) continue;
    last.set(name, value);
    env.publishTelemetry(name, value);
    n++;
  }
  return n;
}

/**
 * A process publishing the statistics every `interval` of simulated time (the model's `stats.interval`).
 *
 * @example
 * env.process(publishStatistics(env, statistics, 60, last), 'statistics');
 */
export function* publishStatistics(
  env: RealtimeEnvironment,
  statistics: ModelStatistics,
  interval: number,
  last: Map<string, number> = new Map(),
): ProcessGenerator<void> {
  for (;;) {
    yield env.timeout(interval);
    publishReadings(env, statistics, last);
  }
}
