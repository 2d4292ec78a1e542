// The simulation: a SimPy-style kernel, resources, real time, live parameters, sampling and egress.

export * from './distributions.ts';
export * from './egress/console.ts';
export * from './egress/egress.ts';
export * from './egress/jsonl.ts';
export * from './egress/kafka.ts';
export * from './egress/parquet.ts';
export * from './egress/parquet-columns.ts';
export * from './egress/s3.ts';
export * from './egress/schema.ts';
export * from './egress/stream.ts';
export * from './kernel/condition.ts';
export * from './kernel/environment.ts';
export * from './kernel/events.ts';
export * from './kernel/interrupt.ts';
export * from './kernel/process.ts';
export * from './kernel/queue.ts';
export * from './model/index.ts';
export * from './parameters.ts';
export * from './realtime.ts';
export * from './resources/base.ts';
export * from './resources/container.ts';
export * from './resources/dynamic.ts';
export * from './resources/resource.ts';
export * from './resources/store.ts';
export * from './sampler.ts';
export * from './telemetry.ts';
