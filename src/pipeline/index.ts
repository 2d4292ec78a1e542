// Declarative pipelines (`twinstream/pipeline`): a YAML or JSON file of inputs, steps and outputs, validated before
// anything starts, built into a stream graph and run. docs/pipelines.md is the file reference. Re-exports only.

export type { BuildPipelineOptions, BuiltPipeline, DeadLetterRecord } from './build-pipeline.ts';
export { buildPipeline } from './build-pipeline.ts';
export type { LoadedPipeline } from './load-pipeline.ts';
export { loadPipeline, validatePipeline } from './load-pipeline.ts';
export type { PipelineGraphFormat } from './pipeline-graph.ts';
export { pipelineGraph } from './pipeline-graph.ts';
export type { BuiltInput } from './pipeline-inputs.ts';
export type { BuiltOutput, PipelineOutputContext, PipelineOutputFactory } from './pipeline-outputs.ts';
export { registerPipelineOutput } from './pipeline-outputs.ts';
export type { PipelineInput, PipelineOutput, PipelineSpec, PipelineStep } from './pipeline-schema.ts';
export { INPUT_TYPES, OUTPUT_TYPES, STEP_KINDS } from './pipeline-schema.ts';
export type { ResampleMethod, ResampleOptions } from './resample-node.ts';
export { ResampleNode } from './resample-node.ts';
export type { PipelineLog, PipelineSummary, RunPipelineOptions } from './run-pipeline.ts';
export { runPipeline } from './run-pipeline.ts';
export type { SimModelSourceOptions } from './sim-model-source.ts';
export { SimModelSource } from './sim-model-source.ts';
