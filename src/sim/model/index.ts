// Declarative models (desflow's blueprints): a YAML or JSON file describing a simulated system, run by runModel.
// Re-exports only, by name.

export type { BuiltModel, ModelCounts } from './build.ts';
export { buildModel } from './build.ts';
export { modelJsonSchema } from './model-json-schema.ts';
export type { ReadModelFileOptions } from './read-model-file.ts';
export type { ModelProgress, ModelSummary, RunModelOptions } from './run.ts';
export { formatSummary, loadModel, runModel } from './run.ts';
export type { RecordShaping } from './sinks.ts';
export type {
  ModelCapacity,
  ModelContainer,
  ModelContainerAmount,
  ModelFlow,
  ModelRun,
  ModelSink,
  ModelSpec,
  ModelStep,
} from './spec.ts';
export { validateModel } from './validate.ts';
