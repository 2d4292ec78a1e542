// The simulation: a SimPy-style kernel, resources, real time, live parameters, sampling and egress.
// Re-exports only, by name.

// The entry points of the layers this one builds on: their operators are on Stream whenever this
// layer's are (its nodes use them, and its declarations promise them).
import '../core/index.ts';
import '../connectors/kafka/index.ts';

export type {
  DistributionFit,
  DistributionMoments,
  ExplainedFlow,
  ExplainedResource,
  ExplainedStep,
  Explanation,
  FitResult,
  KolmogorovSmirnov,
  Verification,
} from './analysis/index.ts';
export {
  distributionCdf,
  distributionMoments,
  erlangC,
  explainModel,
  FIT_FAMILIES,
  fitDistribution,
  formatExplanation,
  fromMeanStd,
  kingmanWait,
  kolmogorovSmirnov,
  MEAN_STD_FAMILIES,
  mmcWait,
  verifyExplanation,
} from './analysis/index.ts';
export type { DistributionConfig } from './distributions.ts';
export { ConsoleEgress } from './egress/console.ts';
export type { EgressOptions, EgressSink } from './egress/egress.ts';
export { Egress } from './egress/egress.ts';
export type { JsonLinesSinkOptions } from './egress/json-lines-sink.ts';
export { JsonLinesSink } from './egress/json-lines-sink.ts';
export type { JsonlStorageOptions } from './egress/jsonl.ts';
export { JsonlStorageEgress } from './egress/jsonl.ts';
export type { KafkaEgressOptions, TopicRouter } from './egress/kafka.ts';
export { DEFAULT_SIM_TOPICS, KafkaEgress } from './egress/kafka.ts';
export type { ParquetStorageOptions } from './egress/parquet.ts';
export { ParquetStorageEgress } from './egress/parquet.ts';
export type { PostgresEgressOptions } from './egress/postgres.ts';
export { PostgresEgress } from './egress/postgres.ts';
export type { RedisStreamEgressOptions } from './egress/redis.ts';
export { RedisStreamEgress } from './egress/redis.ts';
export type { S3StorageOptions } from './egress/s3.ts';
export { S3JsonlEgress, S3ParquetEgress } from './egress/s3.ts';
export type { PathRouter } from './egress/schema.ts';
export { byStreamType } from './egress/schema.ts';
export { StreamEgress } from './egress/stream.ts';
export type {
  CheckResult,
  Comparison,
  ExperimentCheck,
  ExperimentReport,
  ExperimentResult,
  ExperimentSpec,
  VariantResult,
} from './experiment/index.ts';
export {
  experimentReport,
  formatExperiment,
  runExperiment,
  validateExperiment,
} from './experiment/index.ts';
export type { IngressCallbacks, ParameterUpdate, Rejection } from './ingress/ingress.ts';
export { ParameterIngress } from './ingress/ingress.ts';
export type { KafkaIngressOptions } from './ingress/kafka.ts';
export { KafkaParameterIngress } from './ingress/kafka.ts';
export type { MqttIngressOptions } from './ingress/mqtt.ts';
export { MqttParameterIngress } from './ingress/mqtt.ts';
export type { PostgresIngressOptions } from './ingress/postgres.ts';
export { PostgresParameterIngress } from './ingress/postgres.ts';
export type { RedisIngressOptions } from './ingress/redis.ts';
export { RedisParameterIngress } from './ingress/redis.ts';
export type { ConditionEvaluate } from './kernel/condition.ts';
export { allEvents, anyEvents, Condition, ConditionValue } from './kernel/condition.ts';
export type { EnvironmentOptions, RunOptions } from './kernel/environment.ts';
export { BaseEnvironment, Environment } from './kernel/environment.ts';
export type { Timeout } from './kernel/events.ts';
export { Event } from './kernel/events.ts';
export { Interrupt, Preempted } from './kernel/interrupt.ts';
export type { ProcessGenerator } from './kernel/process.ts';
export { Process } from './kernel/process.ts';
export type {
  BuiltModel,
  Expression,
  ExpressionReferences,
  ExpressionScope,
  ExpressionWorld,
  ModelAction,
  ModelAmount,
  ModelBreakdown,
  ModelCapacity,
  ModelContainer,
  ModelContainerAmount,
  ModelCounts,
  ModelFlow,
  ModelNext,
  ModelProgress,
  ModelResource,
  ModelRun,
  ModelSignal,
  ModelSink,
  ModelSpec,
  ModelStep,
  ModelStop,
  ModelStopReason,
  ModelStore,
  ModelSummary,
  ModelTask,
  ModelTransfer,
  ModelWait,
  RecordShaping,
  RunModelOptions,
  SignalOutcome,
  SignalState,
} from './model/index.ts';
export {
  buildModel,
  flowSteps,
  formatSummary,
  fromDesflow,
  isDesflowBlueprint,
  loadModel,
  modelJsonSchema,
  parseExpression,
  runModel,
  validateModel,
} from './model/index.ts';
export type { CapacityConfig, ScheduledUpdate, SimParameter } from './parameters.ts';
export { ParameterRegistry } from './parameters.ts';
export type { RealtimeOptions } from './realtime.ts';
export { RealtimeEnvironment } from './realtime.ts';
export type {
  ConfidenceInterval,
  ReplicatedMeasure,
  ReplicateOptions,
  ReplicationSummary,
} from './replicate/index.ts';
export { formatReplications, replicate, studentT } from './replicate/index.ts';
export type { ResourceOptions } from './resources/base.ts';
export { BaseResource, GetEvent, PutEvent } from './resources/base.ts';
export type { ContainerOptions } from './resources/container.ts';
export { Container, ContainerGet, ContainerPut } from './resources/container.ts';
export { dynamicResource } from './resources/dynamic.ts';
export type { PriorityRequestOptions } from './resources/resource.ts';
export {
  PreemptiveResource,
  PriorityRequest,
  PriorityResource,
  Release,
  Request,
  Resource,
} from './resources/resource.ts';
export type { PriorityStoreOptions } from './resources/store.ts';
export { FilterStore, PriorityItem, PriorityStore, Store, StoreGet, StorePut } from './resources/store.ts';
export type { SamplerOptions, SamplerState } from './sampler.ts';
export { Sampler } from './sampler.ts';
export type { MeasuredHolder, MeasuredModel, MeasuredResource, StatsLevel } from './stats/index.ts';
export { ModelStatistics, measureModel, STATS_LEVELS } from './stats/index.ts';
export type { EventRecord, SimRecord, TelemetryRecord } from './telemetry.ts';
export { eventRecord, telemetryRecord } from './telemetry.ts';
