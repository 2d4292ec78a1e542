// Replications of a model: seeds spawned from one seed, runs on worker threads, Student-t intervals.

export type { ReplicatedMeasure, ReplicateOptions, ReplicationSummary } from './replicate.ts';
export { formatReplications, replicate } from './replicate.ts';
export type { ReplicationOutcome, ReplicationTask } from './run-replication.ts';
export { runReplication } from './run-replication.ts';
export { spawnSeeds } from './spawn-seeds.ts';
export type { ConfidenceInterval } from './student-t.ts';
export { studentT } from './student-t.ts';
