import type { ProcessGenerator } from '../kernel/process.ts';
import type { RealtimeEnvironment } from '../realtime.ts';
import type { SimRecord } from '../telemetry.ts';
import type { BuiltModel } from './build.ts';

/**
 * One step of a scenario: at simulated time `at`, set the parameter `path` to `value`, publish a ground-truth
 * label record (`stream_type: 'label'`, to the sinks with `when: labels` only) carrying `record`, interrupt the
 * running instances of a task (as a task's `interrupt` does), or several of these.
 */
export interface ScenarioStep<Time = number | string> {
  at: Time;
  path?: string;
  value?: unknown;
  /** What to tell a detector trained or tested on the data: `{ anomaly: 'surge' }`. */
  record?: Record<string, unknown>;
  /** Interrupts every running instance of `task` whose `where` holds, with `cause`. */
  interrupt?: { task: string; where?: string; cause?: unknown };
}

/**
 * A ground-truth record: what a scenario changed, when, and why. Detectors trained on simulated data learn from
 * these; they reach only the sinks with `when: labels`.
 */
export interface LabelRecord {
  stream_type: 'label';
  path_id: string | null;
  old: unknown;
  new: unknown;
  value: Record<string, unknown> | null;
  sim_ts: number;
  timestamp: string;
}

/**
 * The process of a scenario: its steps in time order, each applying its update through the registry (checked as
 * any live update) and publishing its label record.
 *
 * @example
 * env.process(scenario(env, [{ at: 3600, path: 'Line_A.arrival.standard.rate', value: 4, record: { anomaly: 'surge' } }], built));
 * @internal
 */
export function* scenario(
  env: RealtimeEnvironment,
  steps: readonly ScenarioStep<number>[],
  model: Pick<BuiltModel, 'act'> | null = null,
): ProcessGenerator<void> {
  const ordered = [...steps].sort((a, b) => a.at - b.at);
  for (const step of ordered) {
    if (step.at > env.now) yield env.timeout(step.at - env.now);
    const path = step.path ?? null;
    const old = path === null ? null : env.registry.get(path);
    if (path !== null) env.registry.update(path, step.value);
    if (step.interrupt !== undefined) model?.act([{ interrupt: step.interrupt }]);
    if (step.record === undefined || env.egress === null) continue;
    const label: LabelRecord = {
      stream_type: 'label',
      path_id: path,
      old: old ?? null,
      new: path === null ? null : (step.value ?? null),
      value: step.record,
      sim_ts: env.now,
      timestamp: env.formatTimestamp(env.toTimestamp()),
    };
    // Labels travel with the other records, in time order, and the sinks' delivery keeps them apart.
    env.egress.publish(label as unknown as SimRecord);
  }
}
