// Declarative models (desflow's blueprints): a YAML or JSON file describing a simulated system, run by runModel.
// Re-exports only, by name.

export type { BuiltModel, ModelCounts } from './build.ts';
export { buildModel } from './build.ts';
export type { Expression, ExpressionReferences, ExpressionScope, ExpressionWorld } from './expression.ts';
export { flowSteps } from './flow-steps.ts';
export { fromDesflow, isDesflowBlueprint } from './from-desflow.ts';
export { modelJsonSchema } from './model-json-schema.ts';
export type { ModelStopReason } from './model-stop.ts';
export { parseExpression } from './parse-expression.ts';
export type { ReadModelFileOptions } from './read-model-file.ts';
export type { ModelProgress, ModelSummary, RunModelOptions } from './run.ts';
export { formatSummary, loadModel, runModel } from './run.ts';
export type { SignalOutcome, SignalState } from './signal-state.ts';
export type { RecordShaping } from './sinks.ts';
export type {
  ModelAction,
  ModelAmount,
  ModelBreakdown,
  ModelCapacity,
  ModelContainer,
  ModelContainerAmount,
  ModelFlow,
  ModelNext,
  ModelResource,
  ModelRun,
  ModelSignal,
  ModelSink,
  ModelSpec,
  ModelStep,
  ModelStop,
  ModelStore,
  ModelTask,
  ModelTransfer,
  ModelWait,
} from './spec.ts';
export { validateModel } from './validate.ts';
