import { buildModel } from '../model/build.ts';
import { scenario } from '../model/scenario.ts';
import type { ModelSpec } from '../model/spec.ts';
import { RealtimeEnvironment } from '../realtime.ts';
import type { StatsLevel } from '../stats/model-statistics.ts';

/** One replication to run: the validated model, its seed, how long, and what to measure. */
export interface ReplicationTask {
  spec: ModelSpec<number>;
  seed: number;
  until: number;
  stats: StatsLevel;
}

/** What one replication measured: its statistics by name (without the `<simId>.stats.` prefix) and its events. */
export interface ReplicationOutcome {
  seed: number;
  statistics: Record<string, number>;
  events: number;
}

/**
 * Runs one replication of a validated model, unpaced and with no I/O: no egress, no telemetry monitor, no
 * statistics publication, no parameter schedule from outside. Returns the statistics at the end.
 *
 * @example
 * const outcome = await runReplication({ spec, seed: 7, until: 3600, stats: 'all' });
 * outcome.statistics['tasks.milling.wait_mean'];
 */
export async function runReplication(task: ReplicationTask): Promise<ReplicationOutcome> {
  const { telemetry: _t, egress: _e, stats, ...rest } = task.spec;
  const spec: ModelSpec<number> = { ...rest, ...(stats?.level === undefined ? {} : { stats: { level: stats.level } }) };
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: 0 });
  const built = buildModel(env, spec, task.seed, task.stats);
  if (spec.scenario !== undefined && spec.scenario.length > 0)
    env.process(scenario(env, spec.scenario, built), 'scenario');
  const warmup = spec.run.warmup ?? 0;
  if (warmup > 0 && warmup < task.until) {
    await env.run({ until: warmup });
    built.statistics.reset();
  }
  await env.run({ until: task.until });
  const prefix = `${spec.simId}.stats.`;
  const statistics: Record<string, number> = {};
  for (const [name, value] of Object.entries(built.statistics.readings())) {
    statistics[name.slice(prefix.length)] = value;
  }
  return { seed: task.seed, statistics, events: env.scheduledCount - env.queueSize };
}
