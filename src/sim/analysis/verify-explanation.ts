import type { ModelSpec } from '../model/spec.ts';
import { type ReplicateOptions, replicate } from '../replicate/replicate.ts';
import type { ConfidenceInterval } from '../replicate/student-t.ts';
import type { Explanation } from './explain-model.ts';

/** Simulated figures beside an explanation's formulas, each a mean with its interval. */
export interface Verification {
  replications: number;
  until: number;
  level: number;
  /** By resource: utilisation (a fraction, like ρ) and mean queue length. */
  resources: Record<string, { utilization: ConfidenceInterval; queueLength: ConfidenceInterval }>;
  /** By task: the mean wait in queue. */
  waits: Record<string, ConfidenceInterval>;
  wallSeconds: number;
}

/**
 * Runs replications of the model and gathers the figures an explanation predicts: each resource's time-averaged
 * utilisation and queue length, and each task's mean wait.
 *
 * @example
 * const v = await verifyExplanation(spec, explainModel(spec), { replications: 10, until: 20000 });
 * v.waits.milling.mean; // beside explanation.resources[0].waitKingman
 */
export async function verifyExplanation(
  spec: ModelSpec<number>,
  explanation: Explanation,
  options: Omit<ReplicateOptions, 'measures' | 'stats'>,
): Promise<Verification> {
  const measures: string[] = [];
  for (const r of explanation.resources) {
    if (r.arrivalRate > 0) measures.push(`resources.${r.name}.utilization_avg`, `resources.${r.name}.queue_length_avg`);
  }
  const tasks = [...new Set(explanation.flows.flatMap((f) => f.steps.map((s) => s.task)))];
  for (const t of tasks) measures.push(`tasks.${t}.wait_mean`);
  const summary = await replicate(spec, { ...options, measures, stats: 'typical' });
  const by = new Map(summary.measures.map((m) => [m.name, m]));
  const resources: Verification['resources'] = {};
  for (const r of explanation.resources) {
    const u = by.get(`resources.${r.name}.utilization_avg`);
    const q = by.get(`resources.${r.name}.queue_length_avg`);
    if (u === undefined || q === undefined) continue;
    // The statistics give percent; ρ is a fraction.
    const f = (x: number) => x / 100;
    resources[r.name] = {
      utilization: { ...u, mean: f(u.mean), std: f(u.std), halfWidth: f(u.halfWidth), low: f(u.low), high: f(u.high) },
      queueLength: q,
    };
  }
  const waits: Verification['waits'] = {};
  for (const t of tasks) {
    const w = by.get(`tasks.${t}.wait_mean`);
    if (w !== undefined) waits[t] = w;
  }
  return {
    replications: options.replications,
    until: options.until ?? spec.run.until,
    level: summary.level,
    resources,
    waits,
    wallSeconds: summary.wallSeconds,
  };
}
