// Experiments: variants and sweeps of a model, paired comparisons on common seeds, checks.

export type { ExperimentReport } from './experiment-report.ts';
export { experimentReport } from './experiment-report.ts';
export type { ExperimentCheck, ExperimentSpec } from './experiment-spec.ts';
export { parseCheck, validateExperiment } from './experiment-spec.ts';
export { formatExperiment } from './format-experiment.ts';
export type { CheckResult, Comparison, ExperimentResult, VariantResult } from './run-experiment.ts';
export { runExperiment } from './run-experiment.ts';
